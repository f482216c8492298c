"""Regional reports: XLSX with native charts, CSV for Japanese Excel, printable HTML.

Every figure must equal the stats module's (and so `case_stats`'s) for the same filters.
"""

import datetime
import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import stats
from cases.models import CasePartner, Partner, PartnerKind, Theme
from exchange import analytics
from exchange.reports import SHEETS, build_region_report

FILTERS = stats.Filters(region="miami", from_fy=2022, to_fy=2024)
BASE_URL = "https://portal.example.org"


@pytest.fixture
def register(make_case):
    """Miami cases over three fiscal years, and cases that must not count."""
    energy = Theme.objects.get(slug="energy")
    events = Theme.objects.get(slug="japan-events")
    chamber = Partner.objects.create(name_en="Chamber", kind=PartnerKind.CHAMBER)
    college = Partner.objects.create(name_en="College", kind=PartnerKind.UNIVERSITY)
    day = datetime.date
    cases = [
        make_case(start_date=day(2022, 5, 1), themes=[energy], external_ref="M-1"),
        make_case(start_date=day(2023, 6, 1), themes=[energy, events], external_ref="M-2"),
        make_case(start_date=day(2024, 4, 1), state=None, external_ref="M-3"),
        make_case(start_date=day(2025, 3, 31), is_public=False, title_en="=1+1 (not public)"),
        make_case(start_date=day(2024, 12, 1), themes=[events]),
        # Not counted: a draft, a case of another region, one before the range.
        make_case(start_date=day(2024, 6, 1), status="draft"),
        make_case(start_date=day(2024, 6, 1), region="new-york", state="NY"),
        make_case(start_date=day(2021, 6, 1)),
    ]
    CasePartner.objects.create(case=cases[0], partner=chamber, role="co-host")
    CasePartner.objects.create(case=cases[0], partner=college, role="speaker")
    CasePartner.objects.create(case=cases[1], partner=chamber, role="sponsor")
    return cases


def make(tmp_path, fmt, *extra, region="miami"):
    path = tmp_path / f"report.{fmt}"
    out = io.StringIO()
    call_command(
        "region_report",
        "--region",
        region,
        "--from-fy",
        "2022",
        "--to-fy",
        "2024",
        "--format",
        fmt,
        "--base-url",
        BASE_URL,
        "-o",
        str(path),
        *extra,
        stdout=out,
    )
    return path, out.getvalue()


def rows(sheet, width):
    """A sheet's data rows (after the header) up to the first blank row."""
    result = []
    for row in sheet.iter_rows(min_row=2, max_col=width, values_only=True):
        if row[0] is None and row[-1] is None:
            break
        result.append(list(row))
    return result


def case_stats(by: str) -> dict:
    out = io.StringIO()
    call_command(
        "case_stats",
        "--by",
        by,
        "--region",
        "miami",
        "--from-fy",
        "2022",
        "--to-fy",
        "2024",
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
class TestXlsx:
    @pytest.fixture
    def workbook(self, register, tmp_path):
        path, _out = make(tmp_path, "xlsx")
        return openpyxl.load_workbook(path), path

    def test_it_has_the_six_sheets_with_bilingual_frozen_headers(self, workbook):
        book, _path = workbook
        assert book.sheetnames == list(SHEETS.values())
        assert [c.value for c in book["By fiscal year"][1]] == [
            "Fiscal year / 年度",
            "Label (English) / 表記（英語）",
            "Label (Japanese) / 表記（日本語）",
            "Cases / 案件数",
            "Running total / 累計",
        ]
        assert book["By state"]["A1"].value == "State (USPS) / 州（略号）"
        assert book["By theme"]["A1"].value == "Theme / テーマ"
        assert book["By partner kind"]["A1"].value == "Partner kind / パートナー種別"
        assert book["Cases"]["A1"].value == "external_ref / 外部参照番号"
        for name in list(SHEETS.values())[1:]:
            assert book[name].freeze_panes == "A2", name

    def test_every_sheet_has_a_page_setup_for_printing(self, workbook):
        book, _path = workbook
        orientation = {
            "Summary": "portrait",
            "By fiscal year": "portrait",
            "By state": "portrait",
            "By theme": "landscape",
            "By partner kind": "portrait",
            "Cases": "landscape",
        }
        for name, sheet in zip(book.sheetnames, book.worksheets, strict=True):
            setup = sheet.page_setup
            assert setup.paperSize == 1, name  # Letter: an English report, settings "auto"
            assert setup.orientation == orientation[name], name
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
            # fitToWidth is 1 by default in the file format, and then not written.
            assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), name
            assert sheet.oddHeader.left.text == "Miami", name
            assert sheet.oddHeader.right.text == "FY2022–FY2024", name
            assert sheet.oddFooter.left.text.startswith("Data as of: "), name
            assert sheet.oddFooter.right.text == "Page &P of &N", name
            if name != "Summary":
                assert sheet.print_title_rows == "$1:$1", name
        # The charts lie in the printed columns of the summary, A and B.
        assert re.fullmatch(r"'Summary'!\$A\$1:\$B\$\d+", book["Summary"].print_area)

    def test_the_paper_comes_from_the_setting(self, register, tmp_path, settings):
        settings.PORTAL_REPORT_PAPER = "a4"
        path, _out = make(tmp_path, "xlsx")
        book = openpyxl.load_workbook(path)
        assert {sheet.page_setup.paperSize for sheet in book.worksheets} == {9}

    def test_a_japanese_report_has_japanese_sheet_names_and_header(self, register, tmp_path):
        path, _out = make(tmp_path, "xlsx", "--language", "ja")
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == [
            "概要",
            "年度別",
            "州別",
            "テーマ別",
            "パートナー種別",
            "案件一覧",
        ]
        assert book["概要"].oddHeader.left.text == "マイアミ"
        assert book["概要"].oddFooter.right.text == "&P / &N ページ"
        assert {sheet.page_setup.paperSize for sheet in book.worksheets} == {9}  # A4
        # The charts read the Japanese sheets.
        with zipfile.ZipFile(path) as archive:
            chart = archive.read("xl/charts/chart1.xml").decode()
        assert "年度別" in chart

    def test_columns_have_widths_and_numbers_have_formats(self, workbook):
        book, _path = workbook
        years = book["By fiscal year"]
        assert years.column_dimensions["C"].width > 20
        assert years["D2"].number_format == "#,##0"
        assert years["A2"].number_format == "0"
        assert book["Summary"].column_dimensions["A"].width > 40

    def test_the_figures_equal_the_stats_module_and_case_stats(self, workbook):
        book, _path = workbook
        by_year = stats.by_fiscal_year(FILTERS)
        assert rows(book["By fiscal year"], 5) == [
            [r.key, r.label_en, r.label_ja, r.cases, r.cumulative] for r in by_year.itertuples()
        ]
        assert rows(book["By fiscal year"], 5) == [
            [r["key"], r["label_en"], r["label_ja"], r["cases"], r["cumulative"]]
            for r in case_stats("fiscal-year")["rows"]
        ]
        assert [[r[0] or None, r[3]] for r in rows(book["By state"], 4)] == [
            [r["key"], r["cases"]] for r in case_stats("state")["rows"]
        ]
        assert [[r[0], r[4]] for r in rows(book["By theme"], 5)] == [
            [r["key"], r["cases"]] for r in case_stats("theme")["rows"]
        ]
        kinds = analytics.by_partner_kind(FILTERS)
        assert [[r[0], r[3], r[4]] for r in rows(book["By partner kind"], 5)] == [
            [r.key, r.cases, r.partners] for r in kinds.itertuples()
        ]
        # What the fixture says, so the equalities above cannot pass vacuously.
        assert [r[3] for r in rows(book["By fiscal year"], 5)] == [1, 1, 3]
        assert {r[0]: r[3] for r in rows(book["By partner kind"], 5)}["chamber"] == 2

    def test_the_summary_states_filters_time_count_change_and_the_portal_link(self, workbook):
        book, _path = workbook
        summary = {
            row[0]: row[1]
            for row in book["Summary"].iter_rows(min_row=3, max_col=2, values_only=True)
            if row[0]
        }
        assert summary["Cases held / 実施案件数"] == stats.total(FILTERS) == 5
        assert summary["Filters / 条件"] == "region=miami, from=2022, to=2024, status=held"
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\d \d\d:\d\d JST", summary["Data taken at / データ取得日時"]
        )
        assert summary["Latest fiscal year / 直近年度"] == "FY2024"
        assert summary["Cases in the latest year / 直近年度の案件数"] == 3
        assert summary["Cases in the year before / 前年度の案件数"] == 1
        assert summary["Change from the year before / 前年度からの増減"] == 2
        assert summary["Change (%) / 増減率"] == pytest.approx(2.0)
        link = summary["Region page on the portal / ポータルの地域ページ"]
        assert link == f"{BASE_URL}/en/regions/miami/"
        cell = next(c for c in book["Summary"]["B"] if c.value == link)
        assert cell.hyperlink.target == link

    def test_the_summary_carries_native_excel_charts(self, workbook):
        _book, path = workbook
        with zipfile.ZipFile(path) as archive:
            charts = sorted(
                n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)
            )
            assert len(charts) == 4
            first = archive.read(charts[0]).decode()
            drawing_rels = archive.read("xl/drawings/_rels/drawing1.xml.rels").decode()
        assert "<c:barChart>" in first
        assert "<c:lineChart>" in first
        assert "'By fiscal year'!$D$2:$D$4" in first
        assert "'By fiscal year'!$E$2:$E$4" in first
        # The four hang on the summary sheet's drawing.
        assert drawing_rels.count('Target="../charts/chart') == 4

    def test_the_case_list_holds_every_held_case_public_or_not_with_formulas_neutralised(
        self, workbook
    ):
        book, _path = workbook
        cases = book["Cases"]
        titles = [row[1] for row in cases.iter_rows(min_row=2, max_col=2, values_only=True)]
        assert len(titles) == 5
        assert "'=1+1 (not public)" in titles
        assert all(not (t or "").startswith("=") for t in titles)


@pytest.mark.django_db
class TestCsvAndHtml:
    def test_the_csv_opens_in_japanese_excel_and_lists_the_cases(self, register, tmp_path):
        path, _out = make(tmp_path, "csv")
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbfRegional report / ")
        text = data.decode("utf-8-sig")
        assert "Cases held / 実施案件数,5" in text
        assert f"{BASE_URL}/en/regions/miami/" in text
        assert "Data taken at / データ取得日時," in text
        assert text.count("\r\nM-") == 3
        assert ",'=1+1 (not public)," in text

    def test_the_html_report_prints_on_a4_or_letter_with_the_figures_and_no_script(
        self, register, tmp_path
    ):
        path, _out = make(tmp_path, "html", "--paper", "a4")
        page = path.read_text(encoding="utf-8")
        assert '<html lang="en" class="paper-a4">' in page
        assert "@page a4 { size: A4" in page
        assert "@page letter { size: letter" in page
        assert "@media print" in page
        assert '<dd class="figure" id="total">5</dd>' in page
        assert page.count('<svg class="chart') == 4
        for row in stats.by_fiscal_year(FILTERS).itertuples():
            assert (
                f'<th scope="row">{row.label_en}</th><td class="number">{row.cases}</td>' in page
            )
        assert "region=miami&amp;from=2022&amp;to=2024" in page
        assert f"{BASE_URL}/en/regions/miami/" in page
        assert "<script" not in page
        assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
        assert "=1+1 (not public)" in page  # HTML needs no apostrophe; it runs no formulas

    def test_the_japanese_report_defaults_to_a4(self, register, tmp_path):
        path, _out = make(tmp_path, "html", "--language", "ja")
        page = path.read_text(encoding="utf-8")
        assert '<html lang="ja" class="paper-a4">' in page
        assert "2022年度（令和4年度）" in page


@pytest.mark.django_db
class TestCommand:
    def test_all_regions_writes_seventeen_reports(self, register, tmp_path):
        out = io.StringIO()
        call_command(
            "region_report", "--all-regions", "--from-fy", "2024", "--to-fy", "2024",
            "--format", "xlsx", "-o", str(tmp_path / "reports"), stdout=out,
        )  # fmt: skip
        files = sorted((tmp_path / "reports").glob("*.xlsx"))
        assert len(files) == 17
        assert files[0].name.startswith("region-report-")
        assert "17 reports written." in out.getvalue()
        miami = openpyxl.load_workbook(
            tmp_path / "reports" / "region-report-miami-FY2024-FY2024.xlsx"
        )
        assert rows(miami["By fiscal year"], 5)[0][3] == 3

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--region", "atlantis"], "no region"),
            (["--region", "miami", "--from-fy", "2016"], "starts with FY2017"),
            (["--region", "miami", "--to-fy", "2099"], "FY2099 has not begun"),
            (["--region", "miami", "--from-fy", "2024", "--to-fy", "2022"], "is after"),
        ],
    )
    def test_impossible_reports_are_refused(self, db, tmp_path, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("region_report", *args, "-o", str(tmp_path / "r.xlsx"))


@pytest.mark.django_db
class TestAdminPage:
    url = "/en/admin/reports/region/"

    def test_the_form_makes_a_workbook_with_links_to_this_portal(self, register, hq_client):
        assert hq_client.get(self.url).status_code == 200
        response = hq_client.get(
            self.url,
            {
                "region": "miami",
                "from": 2022,
                "to": 2024,
                "format": "xlsx",
                "language": "en",
            },
        )
        assert response.status_code == 200
        assert "region-report-miami-FY2022-FY2024.xlsx" in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert rows(book["By fiscal year"], 5)[-1][4] == 5
        links = [c.value for c in book["Summary"]["B"] if str(c.value).startswith("http")]
        assert links[0] == "http://testserver/en/regions/miami/"

    @pytest.mark.parametrize("fmt", ["csv", "html"])
    def test_the_other_formats_download_too(self, register, hq_client, fmt):
        response = hq_client.get(
            self.url,
            {
                "region": "miami",
                "from": 2022,
                "to": 2024,
                "format": fmt,
                "language": "ja",
                "download": "1",
            },
        )
        body = b"".join(response.streaming_content)
        assert response.status_code == 200
        assert body.startswith(b"\xef\xbb\xbf") if fmt == "csv" else b"@page" in body

    def test_a_reversed_range_is_shown_as_a_form_error(self, db, hq_client):
        response = hq_client.get(
            self.url,
            {
                "region": "miami",
                "from": 2024,
                "to": 2022,
                "format": "xlsx",
                "language": "en",
            },
        )
        assert response.status_code == 200
        assert "The first fiscal year (FY2024) is after the last (FY2022)." in response.text


@pytest.mark.django_db
def test_report_figures_for_an_empty_region_are_zero(tmp_path):
    report = build_region_report("anchorage", 2022, 2024)
    assert report.total == 0
    assert report.fiscal_years["cases"].tolist() == [0, 0, 0]
    assert report.change == 0
    assert report.change_ratio is None
    assert report.partner_kinds["cases"].sum() == 0
