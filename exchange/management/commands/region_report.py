"""Write a region's report (XLSX, CSV or printable HTML), or every region's at once."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.exports import log_command_export
from cases.models import Region
from exchange.reports import (
    DEFAULT_BASE_URL,
    FORMATS,
    PAPERS,
    ReportError,
    build_region_report,
    write_report,
)


class Command(BaseCommand):
    help = (
        "Write a regional report for consulate staff: XLSX (summary, figures by fiscal year, "
        "state, theme and partner kind, the case list, native charts), CSV (the case list, "
        "UTF-8 with BOM) or printable HTML. Figures equal case_stats for the same filters."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--region", metavar="CODE", help="the region, e.g. miami")
        target.add_argument(
            "--all-regions", action="store_true", help="one report for each of the 17 regions"
        )
        parser.add_argument("--from-fy", type=int, metavar="YEAR", help="first fiscal year")
        parser.add_argument("--to-fy", type=int, metavar="YEAR", help="last fiscal year")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="PATH",
            help="the file to write (with --all-regions: the folder to write into)",
        )
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"the portal's address, for links back to it (default {DEFAULT_BASE_URL})",
        )
        parser.add_argument("--language", choices=["en", "ja"], default="en")
        parser.add_argument(
            "--paper",
            choices=PAPERS,
            help="HTML page size (default: letter in English, A4 in Japanese)",
        )

    def handle(self, *args, **options):
        output = Path(options["output"])
        codes = (
            list(Region.objects.order_by("sort_order", "code").values_list("code", flat=True))
            if options["all_regions"]
            else [options["region"]]
        )
        if options["all_regions"]:
            output.mkdir(parents=True, exist_ok=True)
        elif output.parent and not output.parent.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": output.parent})
        written = []
        for code in codes:
            try:
                report = build_region_report(
                    code,
                    options["from_fy"],
                    options["to_fy"],
                    base_url=options["base_url"],
                    language=options["language"],
                    paper=options["paper"],
                )
            except ReportError as error:
                raise CommandError(str(error)) from None
            path = (
                output / report.file_name(options["format"]) if options["all_regions"] else output
            )
            write_report(report, options["format"], path)
            log_command_export(
                f"report.{options['format']}",
                {
                    "region": report.region.code,
                    # Logged as the report page's query names them, whichever route made it.
                    "from": options["from_fy"],
                    "to": options["to_fy"],
                    "language": options["language"],
                },
                rows=report.total,
            )
            written.append(path)
            self.stdout.write(
                _("%(path)s: %(region)s, %(range)s, %(cases)s cases")
                % {
                    "path": path,
                    "region": report.region.code,
                    "range": report.range_label,
                    "cases": report.total,
                }
            )
        if len(written) > 1:
            self.stdout.write(_("%(count)s reports written.") % {"count": len(written)})
