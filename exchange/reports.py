"""Regional reports for consulate staff: XLSX, CSV and printable HTML.

`build_region_report()` gathers every figure from `cases.stats` (and the partner-kind count
from `exchange.analytics`) for one region and a fiscal-year range, so a report's numbers are
the numbers `manage.py case_stats --region CODE --from-fy N --to-fy N` prints. The writers
only lay them out. The case list is the import template's table (`CaseExporter`) over the
region's held cases, public or not: the report is for staff.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cases import places, rules, stats
from cases.figures import provenance
from cases.models import CaseOrigin, Region
from exchange import analytics, svg
from exchange.exporting import CaseExporter, case_values
from exchange.writers import (
    BOM,
    WORKBOOK_OPTIONS,
    SheetFormats,
    csv_byte_chunks,
    csv_chunks,
    neutralise,
    write_table,
)
from grassroots.language import is_japanese, page_language

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
FORMATS = ("xlsx", "csv", "html")
PAPERS = ("a4", "letter")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}

NO_STATE_NOTE = (
    "A case with no single state (such as a nationwide campaign) counts under its region but "
    "under no state."
)


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why."""


@dataclass
class RegionReport:
    """Everything a regional report shows, computed once."""

    region: Region
    filters: stats.Filters
    taken_at: datetime.datetime
    base_url: str
    language: str
    paper: str
    total: int
    fiscal_years: pd.DataFrame
    states: pd.DataFrame
    themes: pd.DataFrame
    partner_kinds: pd.DataFrame
    previous_cases: int
    demo_cases: int

    @property
    def from_fy(self) -> int:
        return self.filters.from_fy

    @property
    def to_fy(self) -> int:
        return self.filters.to_fy

    @property
    def latest_fy(self) -> int:
        return self.filters.to_fy

    @property
    def latest_cases(self) -> int:
        row = self.fiscal_years[self.fiscal_years["key"] == self.latest_fy]
        return int(row["cases"].iloc[0]) if len(row) else 0

    @property
    def change(self) -> int:
        return self.latest_cases - self.previous_cases

    @property
    def change_ratio(self) -> float | None:
        return self.change / self.previous_cases if self.previous_cases else None

    @property
    def range_label(self) -> str:
        return fiscal_year_range_label(self.from_fy, self.to_fy, self.language)

    @property
    def taken_at_label(self) -> str:
        return timezone.localtime(self.taken_at).strftime("%Y-%m-%d %H:%M %Z")

    @property
    def data_date(self):
        """When the figures of this region and these years last changed."""
        return provenance.data_date(self.from_fy, self.to_fy, self.region.code)

    @property
    def data_date_label(self) -> str:
        return provenance.date_label(self.data_date)

    @property
    def filter_label(self) -> str:
        return f"region={self.region.code}, from={self.from_fy}, to={self.to_fy}, status=held"

    @property
    def region_url(self) -> str:
        """The region's page on the portal."""
        return self.base_url + _portal_path(
            "cases:region-detail",
            {"code": self.region.code},
            self.language,
            f"/{self.language}/regions/{self.region.code}/",
        )

    @property
    def browse_url(self) -> str:
        """The case browser with this report's filters (its public cases)."""
        path = _portal_path("cases:list", {}, self.language, f"/{self.language}/cases/")
        query = urlencode({"region": self.region.code, "from": self.from_fy, "to": self.to_fy})
        return f"{self.base_url}{path}?{query}"

    def exporter(self) -> CaseExporter:
        return CaseExporter(self.filters.cases().order_by("start_date", "pk"))

    def file_name(self, fmt: str) -> str:
        return f"region-report-{self.region.code}-FY{self.from_fy}-FY{self.to_fy}.{fmt}"


def fiscal_year_range_label(first: int, last: int, language: str) -> str:
    if first == last:
        return rules.fiscal_year_label(first, language)
    separator = "～" if is_japanese(language) else "–"
    return (
        f"{rules.fiscal_year_label(first, language)}{separator}"
        f"{rules.fiscal_year_label(last, language)}"
    )


def _portal_path(name: str, kwargs: dict, language: str, fallback: str) -> str:
    with translation.override(language):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return fallback


def build_region_report(
    region_code: str,
    from_fy: int | None = None,
    to_fy: int | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    language: str = "en",
    paper: str | None = None,
    taken_at: datetime.datetime | None = None,
) -> RegionReport:
    """The figures of one region's report. Open years default to FY2017 and the current FY."""
    first, last = stats.fiscal_year_span()
    from_fy = first if from_fy is None else from_fy
    to_fy = last if to_fy is None else to_fy
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ReportError(
            _("There is no region with the code “%(code)s”.") % {"code": region_code}
        )
    for year in (from_fy, to_fy):
        if problem := stats.fiscal_year_problem(year):
            raise ReportError(problem)
    if from_fy > to_fy:
        raise ReportError(
            _("The first fiscal year (%(first)s) is after the last (%(last)s).")
            % {"first": from_fy, "last": to_fy}
        )
    language = page_language(language)
    filters = stats.Filters(from_fy=from_fy, to_fy=to_fy, region=region.code).validate()
    previous = stats.Filters(from_fy=to_fy - 1, to_fy=to_fy - 1, region=region.code)
    return RegionReport(
        region=region,
        filters=filters,
        taken_at=taken_at or timezone.now(),
        base_url=base_url.rstrip("/"),
        language=language,
        paper=paper or default_paper(language),
        total=stats.total(filters),
        fiscal_years=stats.by_fiscal_year(filters),
        states=stats.by_state(filters),
        themes=stats.by_theme(filters),
        partner_kinds=analytics.by_partner_kind(filters),
        previous_cases=stats.total(previous) if to_fy > first else 0,
        demo_cases=filters.cases().filter(origin=CaseOrigin.DEMO).count(),
    )


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


# --- XLSX -------------------------------------------------------------------------------------

SHEETS = {
    "summary": "Summary",
    "fiscal_year": "By fiscal year",
    "state": "By state",
    "theme": "By theme",
    "partner_kind": "By partner kind",
    "cases": "Cases",
}
# A Japanese report's sheets have Japanese names (at most 31 characters, as Excel allows).
SHEETS_JA = {
    "summary": "概要",
    "fiscal_year": "年度別",
    "state": "州別",
    "theme": "テーマ別",
    "partner_kind": "パートナー種別",
    "cases": "案件一覧",
}


def sheet_names(language: str) -> dict[str, str]:
    return SHEETS_JA if is_japanese(language) else SHEETS


# Page setup. Each sheet prints fitted to the page width, with its header row repeated, a header
# naming the district and the period and a footer with the data date and the page numbers.
# Orientation per sheet: the wide tables (themes, cases) lie on their side.
ORIENTATION = {
    "summary": "portrait",
    "fiscal_year": "portrait",
    "state": "portrait",
    "theme": "landscape",
    "partner_kind": "portrait",
    "cases": "landscape",
}
PAPER_CODES = {"a4": 9, "letter": 1}  # Excel's paper numbers
PAPER_POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}  # width, height, portrait
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.5, 0.75, 0.75
ROW_POINTS = 15.0  # a default row
# Summary: label and value columns (characters), and the charts stacked under them.
SUMMARY_WIDTHS = (48, 62)
CHART_WIDTH_PX = 720


def default_paper(language: str) -> str:
    """The paper from settings.PORTAL_REPORT_PAPER; "auto" is A4 in Japanese, else Letter."""
    from django.conf import settings

    chosen = getattr(settings, "PORTAL_REPORT_PAPER", "auto")
    if chosen in PAPER_CODES:
        return chosen
    return "a4" if is_japanese(language) else "letter"


def _column_px(chars: float) -> int:
    """A column's width in pixels, as Excel (and xlsxwriter) converts character widths."""
    return int(chars * 7 + 5) if chars >= 1 else int(chars * 12)


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")


def _page_setup(sheet, report: "RegionReport", key: str, repeat_header: bool = True) -> None:
    sheet.set_paper(PAPER_CODES[report.paper])
    if ORIENTATION[key] == "landscape":
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    sheet.set_margins(
        left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN, bottom=MARGIN_BOTTOM_IN
    )
    if repeat_header:
        sheet.repeat_rows(0)
    japanese = is_japanese(report.language)
    region = report.region.name_ja if japanese else report.region.name_en
    data_date = "データの日付" if japanese else "Data as of"
    pages = "&P / &N ページ" if japanese else "Page &P of &N"
    demo = ("デモデータ" if japanese else "DEMONSTRATION DATA") if report.demo_cases else ""
    sheet.set_header(
        f"&L{_escape_header(region)}"
        + (f"&C{_escape_header(demo)}" if demo else "")
        + f"&R{_escape_header(report.range_label)}",
        {"margin": 0.3},
    )
    sheet.set_footer(
        f"&L{data_date}: {_escape_header(report.data_date_label)}&R{pages}", {"margin": 0.3}
    )


def _page_capacity_points(report: "RegionReport", content_px: int, key: str) -> float:
    """How many points of the sheet one printed page holds, once fitted to the page width."""
    width, height = PAPER_POINTS[report.paper]
    if ORIENTATION[key] == "landscape":
        width, height = height, width
    printable_width = width - 2 * MARGIN_SIDE_IN * 72
    printable_height = height - (MARGIN_TOP_IN + MARGIN_BOTTOM_IN) * 72
    # Excel and LibreOffice shrink to a whole percentage; leave them a little room besides.
    scale = min(1.0, printable_width / (content_px * 0.75))
    return printable_height / scale * 0.95


# Bilingual headers: English / Japanese, as the import template's.
H_FISCAL_YEAR = "Fiscal year / 年度"
H_LABEL_EN = "Label (English) / 表記（英語）"
H_LABEL_JA = "Label (Japanese) / 表記（日本語）"
H_CASES = "Cases / 案件数"
H_CUMULATIVE = "Running total / 累計"
H_STATE = "State (USPS) / 州（略号）"
H_NAME_EN = "Name (English) / 名称（英語）"
H_NAME_JA = "Name (Japanese) / 名称（日本語）"
H_THEME = "Theme / テーマ"
H_GROUP = "Group / 分類"
H_KIND = "Partner kind / パートナー種別"
H_PARTNERS = "Partners / パートナー数"


def summary_rows(report: RegionReport) -> list[tuple[str, object, str]]:
    """(bilingual label, value, format name) for the summary sheet, in order."""
    region = report.region
    return [
        ("Region / 管轄地域", f"{region.name_en} / {region.name_ja} ({region.code})", "text"),
        ("Mission / 在外公館", f"{region.mission_name_en} / {region.mission_name_ja}", "text"),
        (
            "Fiscal years / 年度",
            f"{fiscal_year_range_label(report.from_fy, report.to_fy, 'en')} / "
            f"{fiscal_year_range_label(report.from_fy, report.to_fy, 'ja')}",
            "text",
        ),
        ("Filters / 条件", report.filter_label, "text"),
        ("Data as of / データの日付", report.data_date_label, "text"),
        ("Data taken at / データ取得日時", report.taken_at_label, "text"),
        ("Cases held / 実施案件数", report.total, "integer"),
        ("Latest fiscal year / 直近年度", rules.fiscal_year_label(report.latest_fy), "text"),
        ("Cases in the latest year / 直近年度の案件数", report.latest_cases, "integer"),
        ("Cases in the year before / 前年度の案件数", report.previous_cases, "integer"),
        ("Change from the year before / 前年度からの増減", report.change, "signed"),
        (
            "Change (%) / 増減率",
            report.change_ratio if report.change_ratio is not None else "—",
            "percent" if report.change_ratio is not None else "text",
        ),
        ("Region page on the portal / ポータルの地域ページ", report.region_url, "url"),
        ("Public cases on the portal / ポータルの案件一覧", report.browse_url, "url"),
        (
            "Counting rules / 集計方法",
            "Only held cases HQ has reviewed count, public or not; each under the region whose "
            "mission led "
            "it (a case with no single state included), in the fiscal year (April–March) of "
            "its start date. 本部の確認を経た実施済みの案件のみを、"
            "主催した公館の管轄地域（特定の州がない案件を含む）と開始日の年度（4月～3月）で数えます。",
            "wrap",
        ),
        ("Licence / 利用規約", provenance.LICENCE_BOTH, "text"),
        *(
            [("DEMONSTRATION DATA / デモデータ", demo_label(), "wrap")]
            if report.demo_cases
            else []
        ),
    ]


def demo_label() -> str:
    return f"{provenance.DEMO_LABEL['en']} {provenance.DEMO_LABEL['ja']}"


def write_xlsx(report: RegionReport, target) -> None:
    workbook = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    workbook.set_properties(
        {
            "title": f"Regional report: {report.region.name_en} {report.range_label}",
            "company": "Task Force on Strengthening Japan–US Relations from the Grassroots",
        }
    )
    fmt = SheetFormats(workbook)
    names = sheet_names(report.language)
    summary = workbook.add_worksheet(names["summary"])
    years = workbook.add_worksheet(names["fiscal_year"])
    states = workbook.add_worksheet(names["state"])
    themes = workbook.add_worksheet(names["theme"])
    kinds = workbook.add_worksheet(names["partner_kind"])
    cases = workbook.add_worksheet(names["cases"])
    for key, sheet in (
        ("summary", summary),
        ("fiscal_year", years),
        ("state", states),
        ("theme", themes),
        ("partner_kind", kinds),
        ("cases", cases),
    ):
        _page_setup(sheet, report, key, repeat_header=key != "summary")

    # Summary: label / value pairs, then the charts under them, inside the printed columns.
    summary.set_column(0, 0, SUMMARY_WIDTHS[0])
    summary.set_column(1, 1, SUMMARY_WIDTHS[1])
    title_points = 24.0
    summary.set_row(0, title_points)
    summary.write_string(
        0,
        0,
        neutralise(
            f"Regional report / 地域別レポート: {report.region.name_en} / {report.region.name_ja}"
        ),
        fmt.title,
    )
    used_points = title_points + ROW_POINTS  # the title and the empty row under it
    row = 2
    for label, value, kind in summary_rows(report):
        height = ROW_POINTS * (6 if kind == "wrap" else 1)
        if kind == "wrap":
            summary.set_row(row, height)
        summary.write_string(row, 0, label, fmt.label)
        if kind == "url":
            summary.write_url(row, 1, value, fmt.link, string=value)
        elif kind in ("integer", "signed", "percent"):
            number_format = {"integer": fmt.integer, "signed": fmt.signed}.get(kind, fmt.percent)
            summary.write_number(row, 1, value, number_format)
        else:
            summary.write_string(row, 1, neutralise(str(value)), fmt.wrap)
        used_points += height
        row += 1

    n_years = _write_frame(
        years,
        report.fiscal_years,
        [
            ("key", H_FISCAL_YEAR, 12, fmt.plain_integer),
            ("label_en", H_LABEL_EN, 14, None),
            ("label_ja", H_LABEL_JA, 24, None),
            ("cases", H_CASES, 10, fmt.integer),
            ("cumulative", H_CUMULATIVE, 14, fmt.integer),
        ],
        fmt,
    )
    state_frame = report.states.copy()
    state_frame["key"] = state_frame["key"].fillna("")
    n_states = _write_frame(
        states,
        state_frame,
        [
            ("key", H_STATE, 12, None),
            ("label_en", H_NAME_EN, 32, None),
            ("label_ja", H_NAME_JA, 24, None),
            ("cases", H_CASES, 10, fmt.integer),
        ],
        fmt,
        note=NO_STATE_NOTE
        + " 特定の州がない案件（全米規模など）は、地域には数え、州には数えません。",
    )
    n_themes = _write_frame(
        themes,
        report.themes,
        [
            ("key", H_THEME, 26, None),
            ("group", H_GROUP, 14, None),
            ("label_en", H_NAME_EN, 48, None),
            ("label_ja", H_NAME_JA, 36, None),
            ("cases", H_CASES, 10, fmt.integer),
        ],
        fmt,
        note="A case counts under each of its themes, so the rows may add up to more than the "
        "total. 案件は各テーマにそれぞれ数えるため、合計は案件数を超えることがあります。",
    )
    n_kinds = _write_frame(
        kinds,
        report.partner_kinds,
        [
            ("key", H_KIND, 18, None),
            ("label_en", H_NAME_EN, 36, None),
            ("label_ja", H_NAME_JA, 30, None),
            ("cases", H_CASES, 10, fmt.integer),
            ("partners", H_PARTNERS, 14, fmt.integer),
        ],
        fmt,
        note="A case counts under each kind among its partners, and not at all without "
        "partners. 案件はパートナーの種別ごとに数え、パートナーのない案件は数えません。",
    )
    write_table(cases, 0, report.exporter(), fmt)

    charts = _charts(workbook, names, n_years, n_states, n_themes, n_kinds)
    content_px = sum(_column_px(width) for width in SUMMARY_WIDTHS)
    capacity = _page_capacity_points(report, content_px, "summary")
    last_row = _stack_charts(summary, charts, row + 1, used_points + ROW_POINTS, capacity)
    summary.print_area(0, 0, last_row, 1)
    workbook.close()


def _write_frame(sheet, frame: pd.DataFrame, columns, fmt: SheetFormats, note: str = "") -> int:
    """A stats frame as a table with a frozen header row; returns its number of rows.

    The note goes under the table, wrapped across its columns, so it never widens the printed
    page; the print area is the table and its note.
    """
    sheet.set_row(0, 2 * ROW_POINTS)  # bilingual headers wrap onto a second line
    for col, (_key, header, width, _format) in enumerate(columns):
        sheet.write_string(0, col, header, fmt.header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for row, record in enumerate(frame.to_dict("records"), start=1):
        for col, (key, _header, _width, number_format) in enumerate(columns):
            value = record[key]
            if number_format is not None:
                sheet.write_number(row, col, int(value), number_format)
            else:
                sheet.write_string(row, col, neutralise("" if value is None else str(value)))
    last_row = len(frame)
    if note:
        last_row = len(frame) + 2
        sheet.set_row(last_row, 3 * ROW_POINTS)
        sheet.merge_range(last_row, 0, last_row, len(columns) - 1, note, fmt.wrap)
    sheet.print_area(0, 0, last_row, len(columns) - 1)
    return len(frame)


def _charts(workbook, names, n_years, n_states, n_themes, n_kinds) -> list[tuple[object, int]]:
    """Native Excel charts drawn from the other sheets' cells: (chart, height in pixels)."""
    fy = names["fiscal_year"]
    chart = workbook.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Cases / 案件数",
            "categories": [fy, 1, 1, max(n_years, 1), 1],
            "values": [fy, 1, 3, max(n_years, 1), 3],
            "fill": {"color": "#1D3F72"},
            "data_labels": {"value": True},
        }
    )
    running = workbook.add_chart({"type": "line"})
    running.add_series(
        {
            "name": "Running total / 累計",
            "categories": [fy, 1, 1, max(n_years, 1), 1],
            "values": [fy, 1, 4, max(n_years, 1), 4],
            "y2_axis": True,
            "line": {"color": "#B3202A", "width": 2.25},
            "marker": {"type": "circle", "size": 5},
        }
    )
    chart.combine(running)
    chart.set_title({"name": "Cases by fiscal year / 年度別案件数"})
    chart.set_y_axis({"name": "Cases / 案件数", "num_format": "#,##0", "min": 0})
    running.set_y2_axis({"name": "Running total / 累計", "num_format": "#,##0", "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": CHART_WIDTH_PX, "height": 320})
    charts = [(chart, 320)]

    for sheet, rows, category_col, value_col, title, colour in (
        (names["state"], n_states, 1, 3, "Cases by state / 州別案件数", "#1D3F72"),
        (names["theme"], n_themes, 2, 4, "Cases by theme / テーマ別案件数", "#B3202A"),
        (
            names["partner_kind"],
            n_kinds,
            1,
            3,
            "Cases by partner kind / パートナー種別の案件数",
            "#56606B",
        ),
    ):
        bar = workbook.add_chart({"type": "bar"})
        bar.add_series(
            {
                "name": "Cases / 案件数",
                "categories": [sheet, 1, category_col, max(rows, 1), category_col],
                "values": [sheet, 1, value_col, max(rows, 1), value_col],
                "fill": {"color": colour},
                "data_labels": {"value": True},
            }
        )
        bar.set_title({"name": title})
        bar.set_legend({"none": True})
        bar.set_x_axis({"num_format": "#,##0", "min": 0})
        bar.set_y_axis({"reverse": True})
        height = max(240, 22 * rows + 80)
        bar.set_size({"width": CHART_WIDTH_PX, "height": height})
        charts.append((bar, height))
    return charts


def _stack_charts(sheet, charts, first_row: int, used_points: float, capacity: float) -> int:
    """Put the charts one under another from `first_row`, in the printed columns; a chart
    that would cross the end of a printed page starts the next one (a manual page break), so
    no chart is cut. Rows below the table are the default height. Returns the last row used.
    """
    row, position, page_top, breaks = first_row, used_points, 0.0, []
    for chart, height_px in charts:
        height = height_px * 0.75
        if position + height > page_top + capacity and position > page_top:
            breaks.append(row)
            page_top = position
        # A few pixels below the row's top: a chart touching a page break would also be drawn
        # as a sliver at the foot of the page before.
        sheet.insert_chart(row, 0, chart, {"object_position": 3, "y_offset": 8})
        rows = -(-(height + 6) // ROW_POINTS) + 1  # the chart, then an empty row
        row += int(rows)
        position += rows * ROW_POINTS
    if breaks:
        sheet.set_h_pagebreaks(breaks)
    return row


# --- CSV --------------------------------------------------------------------------------------


def csv_report(report: RegionReport) -> bytes:
    """The case list, UTF-8 with a byte-order mark, under a few lines that say what it is.

    The importer skips those lines, so the file can be edited and imported back.
    """
    preamble = [
        ["Regional report / 地域別レポート", f"{report.region.name_en} / {report.region.name_ja}"],
        ["Filters / 条件", report.filter_label],
        ["Data as of / データの日付", report.data_date_label],
        ["Data taken at / データ取得日時", report.taken_at_label],
        ["Cases held / 実施案件数", str(report.total)],
        [
            "Counting rule / 集計方法",
            f"{provenance.FIGURES_RULE['en']} {provenance.FIGURES_RULE['ja']}",
        ],
        ["Portal / ポータル", report.region_url],
        ["Licence / 利用規約", provenance.LICENCE_BOTH],
        *([["DEMONSTRATION DATA / デモデータ", demo_label()]] if report.demo_cases else []),
        [],
    ]
    head = "".join(csv_chunks(preamble[0], preamble[1:])).removeprefix(BOM)
    # The table as the downloads write it (COPY on PostgreSQL), its byte-order mark dropped.
    table = b"".join(csv_byte_chunks(report.exporter())).removeprefix(BOM.encode("utf-8"))
    return (BOM + head).encode("utf-8") + table


# --- HTML -------------------------------------------------------------------------------------


def report_stylesheet() -> str:
    path = finders.find("css/report.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def html_report(report: RegionReport, browser: dict | None = None) -> str:
    """A printable, self-contained page: styles inline, charts as SVG, no script.

    `browser` (the staff page that opens the report in the browser): {"downloads": {format:
    url}, "form": url}. The page then links the stylesheet and a small print script from the
    portal's static files (its Content-Security-Policy allows no inline style or script) and
    shows a toolbar, which is not printed.
    """
    with translation.override(report.language):
        label = "label_ja" if is_japanese(report.language) else "label_en"
        years = report.fiscal_years.to_dict("records")
        states = report.states.to_dict("records")
        themes = report.themes.to_dict("records")
        kinds = report.partner_kinds.to_dict("records")
        for rows in (years, states, themes, kinds):
            for row in rows:
                row["label"] = row[label]
        context = {
            "report": report,
            "region_name": report.region.name,
            "mission_name": report.region.mission_name,
            "years": years,
            "states": states,
            "themes": themes,
            "kinds": kinds,
            "cases": [
                case_values(case) | {"case": case, "place": places.case_place(case)}
                for case in report.exporter().cases()
            ],
            "browser": browser,
            "stylesheet": "" if browser else mark_safe(report_stylesheet()),  # our own file
            "charts": {
                "fiscal_year": svg.column_chart(
                    [(row["label_en"], row["cases"]) for row in years],
                    _("Cases by fiscal year"),
                    "chart-fiscal-year",
                ),
                "state": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in states],
                    _("Cases by state"),
                    "chart-state",
                ),
                "theme": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in themes if row["cases"]],
                    _("Cases by theme"),
                    "chart-theme",
                ),
                "partner_kind": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in kinds if row["cases"]],
                    _("Cases by partner kind"),
                    "chart-partner-kind",
                ),
            },
        }
        return render_to_string("exchange/region_report.html", context)
