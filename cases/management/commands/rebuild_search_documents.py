from django.core.management.base import BaseCommand

from cases.search import rebuild


class Command(BaseCommand):
    help = (
        "Write the search document of every case, partner and showcase page again (after a "
        "write that bypassed save(), such as raw SQL)."
    )

    def handle(self, *args, **options):
        changed = rebuild()
        self.stdout.write(f"{changed} search documents rewritten.")
