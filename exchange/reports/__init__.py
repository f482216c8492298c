"""Regional reports for consulate staff: XLSX, CSV and printable HTML.

`build_region_report()` gathers every figure from `cases.stats` (and the partner-kind count
from `exchange.analytics`) for one region and a fiscal-year range, so a report's numbers are
the numbers `manage.py case_stats --region CODE --from-fy N --to-fy N` prints. The writers
only lay them out. The case list is the import template's table (`CaseExporter`) over the
region's held cases, public or not: the report is for staff.

- `region`: `build_region_report()` and the report's content;
- `workbook`, `delimited`, `printable`: the XLSX, CSV and HTML writers.
"""

from pathlib import Path

from django.utils.translation import gettext as _

from exchange.reports.delimited import csv_report
from exchange.reports.printable import html_report, report_stylesheet
from exchange.reports.region import (
    CONTENT_TYPES,
    DEFAULT_BASE_URL,
    FORMATS,
    PAPERS,
    RegionReport,
    ReportError,
    build_region_report,
    default_paper,
    fiscal_year_range_label,
)
from exchange.reports.workbook import SHEETS, SHEETS_JA, sheet_names, write_xlsx

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_BASE_URL",
    "FORMATS",
    "PAPERS",
    "SHEETS",
    "SHEETS_JA",
    "RegionReport",
    "ReportError",
    "build_region_report",
    "csv_report",
    "default_paper",
    "fiscal_year_range_label",
    "html_report",
    "report_stylesheet",
    "sheet_names",
    "write_report",
    "write_xlsx",
]


def write_report(report: RegionReport, fmt: str, target) -> None:
    """Write the report as xlsx, csv or html to a path or an open binary file."""
    if fmt not in FORMATS:
        raise ReportError(_("Unknown report format “%(fmt)s”.") % {"fmt": fmt})
    if fmt == "xlsx":
        write_xlsx(report, target)
        return
    data = csv_report(report) if fmt == "csv" else html_report(report).encode("utf-8")
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)
