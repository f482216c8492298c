"""The regional report as an XLSX workbook: a summary, the figures by fiscal year, state,
theme and partner kind, the case list and native charts, set up to print."""

import pandas as pd
import xlsxwriter

from cases import rules
from cases.figures import provenance
from exchange.reports.region import (
    NO_STATE_NOTE,
    RegionReport,
    demo_label,
    fiscal_year_range_label,
)
from exchange.writers import (
    WORKBOOK_OPTIONS,
    SheetFormats,
    neutralise,
    write_table,
)
from grassroots.language import is_japanese

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
    sheets = {key: workbook.add_worksheet(name) for key, name in names.items()}
    for key, sheet in sheets.items():
        _page_setup(sheet, report, key, repeat_header=key != "summary")
    summary = sheets["summary"]
    row, used_points = _write_summary(summary, report, fmt)
    counts = _write_figures(sheets, report, fmt)
    write_table(sheets["cases"], 0, report.exporter(), fmt)

    charts = _charts(workbook, names, *counts)
    content_px = sum(_column_px(width) for width in SUMMARY_WIDTHS)
    capacity = _page_capacity_points(report, content_px, "summary")
    last_row = _stack_charts(summary, charts, row + 1, used_points + ROW_POINTS, capacity)
    summary.print_area(0, 0, last_row, 1)
    workbook.close()


def _write_summary(summary, report: RegionReport, fmt: SheetFormats) -> tuple[int, float]:
    """The summary sheet's label / value pairs; returns the next free row and the points used
    (the charts go under them, inside the printed columns)."""
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
    return row, used_points


def _write_figures(sheets: dict, report: RegionReport, fmt: SheetFormats) -> tuple[int, ...]:
    """The figures by fiscal year, state, theme and partner kind, each on its sheet; returns
    the number of rows of each (the charts' ranges)."""
    n_years = _write_frame(
        sheets["fiscal_year"],
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
        sheets["state"],
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
        sheets["theme"],
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
        sheets["partner_kind"],
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
    return n_years, n_states, n_themes, n_kinds


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
    charts = [(_fiscal_year_chart(workbook, names["fiscal_year"], n_years), 320)]
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
        bar, height = _bar_chart(workbook, sheet, rows, category_col, value_col, title, colour)
        charts.append((bar, height))
    return charts


def _fiscal_year_chart(workbook, fy: str, n_years: int):
    """Cases per fiscal year as columns, with the running total as a line on its own axis."""
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
    return chart


def _bar_chart(workbook, sheet, rows, category_col, value_col, title, colour):
    """Cases by one dimension as horizontal bars; returns the chart and its height."""
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
    return bar, height


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
