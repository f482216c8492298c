"""Write the task force's annual handout for a fiscal year: PowerPoint or a printable page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.exports import log_command_export
from reports.handout import FORMATS, HandoutError, build_handout, write_handout


class Command(BaseCommand):
    help = (
        "Write the annual handout of a fiscal year: the map of cumulative cases by consular "
        "district from FY2017, the year's and the cumulative totals, and a slide per best "
        "practice of the year. An editable PowerPoint file (.pptx) or a printable page (.html), "
        "chosen by the output's extension. Figures equal case_stats for the same years."
    )

    def add_arguments(self, parser):
        # Taken as text and checked by the handout itself, so the command and the admin give
        # the same message for a bad year or language.
        parser.add_argument(
            "--fy", required=True, metavar="YEAR", help="the fiscal year, e.g. 2024"
        )
        parser.add_argument("--lang", default="ja", metavar="LANG", help="ja (default) or en")
        parser.add_argument(
            "-o", "--output", required=True, metavar="PATH", help="handout.pptx or handout.html"
        )

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                _("The output must end in .pptx or .html, not “%(name)s”.") % {"name": output.name}
            )
        if not output.parent.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": output.parent})
        try:
            handout = build_handout(options["fy"], options["lang"])
        except HandoutError as error:
            raise CommandError(str(error)) from None
        write_handout(handout, fmt, output)
        log_command_export(
            f"handout.{fmt}",
            {**handout.filters, "language": handout.language},
            rows=handout.cumulative_cases,
        )
        self.stdout.write(
            _(
                "%(path)s: FY%(year)s handout (%(language)s), %(year_cases)s cases in the year, "
                "%(total)s since FY%(first)s, %(practices)s best practices"
            )
            % {
                "path": output,
                "year": handout.fiscal_year,
                "language": handout.language,
                "year_cases": handout.year_cases,
                "total": handout.cumulative_cases,
                "first": handout.first_fy,
                "practices": len(handout.best_practices),
            }
        )
