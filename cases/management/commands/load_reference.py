"""Load the reference data alone: what a production install needs, without the demo cases."""

from django.core.management.base import BaseCommand

from audit.context import audit_context
from cases.reference import REFERENCE_FIXTURES, load_reference_data


class Command(BaseCommand):
    help = (
        "Load (or refresh in place, by natural key) the reference data every installation "
        "needs: " + ", ".join(REFERENCE_FIXTURES) + ". Cases are not touched; running it "
        "again changes nothing."
    )

    def handle(self, *args, **options):
        with audit_context(source="command", note="load_reference"):
            load_reference_data(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
