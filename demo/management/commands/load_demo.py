"""Load the reference data and the demonstration data set; running it again changes nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from cases import stats
from cases.models import Case, CaseOrigin
from demo.generator import DemoDataError
from demo.writer import load_demo_data
from showcase.demo import load_showcase_demo


class Command(BaseCommand):
    help = (
        "Load the reference data, then the demonstration data set: a reproducible synthetic "
        "register whose held cases add up to the published figures (1,292 in FY2017-FY2024, "
        "104 in FY2024), the three real FY2024 best practices, and drafts, planned and "
        "cancelled cases that do not count. Every record is marked as demo data. Running it "
        "again changes nothing."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with audit_context(source="command", note="load_demo"):
            try:
                result = load_demo_data()
            except DemoDataError as error:
                raise CommandError(str(error)) from None
            showcase_pages = load_showcase_demo()
        seconds = time.perf_counter() - started

        self.stdout.write("Reference data loaded.")
        self.stdout.write(f"Showcase pages: {showcase_pages} published best practices.")
        for label, counts in (("Partners", result.partners), ("Cases", result.cases)):
            line = (
                f"{label}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
            if label == "Cases":
                line += f", {counts.deleted} deleted"
            self.stdout.write(line + ".")

        all_years = stats.total(stats.Filters(from_fy=2017, to_fy=2024))
        latest = stats.total(stats.Filters(from_fy=2024, to_fy=2024))
        self.stdout.write(f"Held cases FY2017-FY2024: {all_years:,}; FY2024: {latest:,}.")
        for row in stats.reconcile().itertuples():
            self.stdout.write(
                f"  {row.label_en}: published {row.published:,}, register {row.computed:,}, "
                f"difference {row.difference:+,}"
            )
        others = Case.objects.held().exclude(origin=CaseOrigin.DEMO).count()
        if others:
            self.stdout.write(
                self.style.WARNING(
                    f"The register also holds {others:,} held case(s) that are not demo data; "
                    "they count in the totals above."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s."))
