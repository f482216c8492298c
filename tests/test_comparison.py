"""Issue 13, item 7: two fiscal years, or two districts, side by side.

Each side equals `manage.py case_stats` for the same filters; the differences and the summary
follow from the figures; every download carries its provenance; a bad query is a clear
message in the reader's language, never a 500; both languages render without untranslated
text; the page is linked from the dashboard, the region pages and the admin's reports.
"""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict

from audit.models import ExportLog
from cases.figures import comparison, freshness, provenance
from cases.models import CaseFormat, CaseOrigin, Theme
from demo.writer import load_demo_data
from tests.test_japanese_pages import VisibleText, english_runs
from tests.test_provenance import LICENCE_EN, LICENCE_JA
from tests.test_query_counts import assert_data_queries

PAGE = "/{lang}/dashboard/compare/"
YEARS = "by=fiscal-year&a=2023&b=2024"
DISTRICTS = "by=region&a=miami&b=new-york"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def case_stats(by: str, *args: str) -> dict:
    """`manage.py case_stats --by BY ... --format json` as {key: cases} without the zeros,
    and its total."""
    out = io.StringIO()
    call_command("case_stats", "--by", by, *args, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    return {row["key"]: row["cases"] for row in data["rows"] if row["cases"]}, data["total"]


def side(result, dimension: str, position: str) -> dict:
    return {
        row.key: getattr(row, position)
        for row in result.tables[dimension]
        if getattr(row, position)
    }


@pytest.fixture
def register(make_case):
    """FY2023: Miami 3 workshops in Florida (energy), New York 1 seminar (culture).
    FY2024: Miami 1 workshop in Florida (energy), Atlanta 2 seminars in Georgia (energy and
    culture, one of them not public), New York 2 seminars (culture); a draft that does not
    count."""
    energy = Theme.objects.get(slug="energy")
    culture = Theme.objects.get(slug="culture")
    day = datetime.date
    workshop, seminar = CaseFormat.WORKSHOP, CaseFormat.SEMINAR
    for n in range(3):
        make_case(title_en=f"M23-{n}", start_date=day(2023, 6, 1), themes=[energy],
                  origin=CaseOrigin.DEMO)  # fmt: skip
    make_case(title_en="N23", region="new-york", state="NY", start_date=day(2023, 7, 1),
              format=seminar, themes=[culture])  # fmt: skip
    make_case(title_en="M24", start_date=day(2024, 10, 1), format=workshop, themes=[energy])
    for n, public in enumerate((True, False)):
        make_case(title_en=f"A24-{n}", region="atlanta", state="GA", start_date=day(2025, 3, 1),
                  format=seminar, themes=[energy, culture], is_public=public)  # fmt: skip
    for n in range(2):
        make_case(title_en=f"N24-{n}", region="new-york", state="NY",
                  start_date=day(2024, 5, 1), format=seminar, themes=[culture])  # fmt: skip
    make_case(title_en="Draft", start_date=day(2024, 6, 1), status="draft")
    freshness.flush()


def ask(query: str) -> comparison.Comparison:
    return comparison.compare(comparison.read_query(QueryDict(query)))


@pytest.mark.django_db
class TestTheFigures:
    def test_each_year_equals_case_stats_and_the_differences_follow(self, register):
        result = ask(YEARS)
        for position, year in (("first", "2023"), ("second", "2024")):
            for dimension in ("theme", "state", "format"):
                expected, total = case_stats(dimension, "--from-fy", year, "--to-fy", year)
                assert side(result, dimension, position) == expected, (dimension, year)
            assert getattr(result, f"{position}_total") == total
        assert (result.first_total, result.second_total, result.difference) == (4, 5, 1)
        states = {row.key: row.difference for row in result.tables["state"]}
        assert states == {"FL": -2, "GA": 2, "NY": 1}  # states with no case are left out
        formats = {row.key: row.difference for row in result.tables["format"]}
        assert (formats["workshop"], formats["seminar"], formats["panel"]) == (-2, 3, 0)

    def test_each_district_equals_case_stats(self, register):
        result = ask(DISTRICTS)
        for position, region in (("first", "miami"), ("second", "new-york")):
            for dimension in ("theme", "state", "format"):
                expected, total = case_stats(dimension, "--region", region)
                assert side(result, dimension, position) == expected, (dimension, region)
            assert getattr(result, f"{position}_total") == total
        assert (result.first_total, result.second_total) == (4, 3)

    def test_a_year_comparison_in_one_district_and_a_district_comparison_over_a_range(
        self, register
    ):
        result = ask(f"{YEARS}&region=miami")
        assert (result.first_total, result.second_total) == (3, 1)
        assert result.scope("en") == "The Miami district"
        result = ask(f"{DISTRICTS}&from=2024&to=2024")
        expected, _total = case_stats("theme", "--region", "new-york", "--from-fy", "2024",
                                     "--to-fy", "2024")  # fmt: skip
        assert side(result, "theme", "second") == expected
        assert (result.first_total, result.second_total) == (1, 2)
        assert result.scope("en") == "FY2024"
        assert result.scope("ja") == "2024年度（令和6年度）"

    def test_the_summary_names_the_largest_rises_and_falls_in_both_languages(self, register):
        result = ask(YEARS)
        assert result.summary("en") == (
            "FY2024 had 5 cases, 1 more than FY2023 (4): a rise of 25%. "
            "By theme, the largest rise was in Culture and Japanese language (+3), and none "
            "fell. By state, the largest rises were in Georgia (+2) and New York (+1), and the "
            "largest fall was in Florida (\u22122). By format, the largest rise was in Seminar "
            "(+3), and the largest fall was in Workshop (\u22122)."
        )
        assert result.summary("ja") == (
            "2024年度の案件は5件で、2023年度（4件）から1件（25%）増えました。"
            "テーマ別では、最も増えたのは文化・日本語（+3件）で、減ったものはありません。"
            "州別では、最も増えたのはジョージア州（+2件）とニューヨーク州（+1件）、"
            "最も減ったのはフロリダ州（\u22122件）です。"
            "形式別では、最も増えたのはセミナー（+3件）、最も減ったのはワークショップ（\u22122件）です。"
        )

    def test_the_district_summary_speaks_of_leads_and_shortfalls(self, register):
        result = ask(DISTRICTS)
        assert result.summary("en") == (
            "New York had 3 cases, 1 fewer than Miami (4). "
            "By theme, New York’s largest lead over Miami was in Culture and Japanese language "
            "(+3), and its largest shortfall was in Energy (\u22124). "
            "By state, New York’s largest lead over Miami was in New York (+3), and its largest "
            "shortfall was in Florida (\u22124). "
            "By format, New York’s largest lead over Miami was in Seminar (+3), and its largest "
            "shortfall was in Workshop (\u22124)."
        )
        assert result.summary("ja").startswith(
            "ニューヨークの案件は3件で、マイアミ（4件）より1件少なくなっています。"
            "テーマ別では、ニューヨークがマイアミを最も上回ったのは文化・日本語（+3件）、"
            "最も下回ったのはエネルギー（\u22124件）です。"
        )

    def test_sides_without_cases_are_said_plainly(self, db):
        result = ask("by=fiscal-year&a=2018&b=2019")
        assert result.summary("en").startswith("Neither FY2018 nor FY2019 had any held cases.")
        assert "By theme, nothing changed." in result.summary("en")
        assert "テーマ別では、増減はありません。" in result.summary("ja")

    def test_no_query_compares_the_latest_year_with_cases_with_the_year_before(self, register):
        expected = comparison.ComparisonRequest("fiscal-year", 2023, 2024)
        assert comparison.read_query(QueryDict("")) == expected


@pytest.mark.django_db
class TestThePage:
    def test_it_shows_the_totals_tables_and_summary_in_english(self, client, register):
        response = client.get(f"/en/dashboard/compare/?{YEARS}")
        assert response.status_code == 200
        page = response.text
        assert "<h1>FY2023 and FY2024 compared</h1>" in page
        assert "FY2024 had 5 cases, 1 more than FY2023 (4): a rise of 25%." in page
        for heading in ("By theme", "By state", "By format"):
            assert f">{heading}</h2>" in page
        assert 'class="num change change--down">\u22122</td>' in page
        assert "/en/dashboard/compare/export.xlsx?by=fiscal-year&amp;a=2023&amp;b=2024" in page
        date = provenance.date_label(
            max(provenance.data_date(2023, 2023), provenance.data_date(2024, 2024))
        )
        assert f"Data as of {date}." in page

    def test_it_reads_naturally_in_japanese(self, client, register):
        page = client.get(f"/ja/dashboard/compare/?{YEARS}").text
        assert "<h1>2023年度と2024年度の比較</h1>" in page
        assert "2024年度の案件は5件で、2023年度（4件）から1件（25%）増えました。" in page
        page = client.get(f"/ja/dashboard/compare/?{DISTRICTS}").text
        assert "<h1>マイアミとニューヨークの比較</h1>" in page

    @pytest.mark.parametrize(
        ("query", "english", "japanese"),
        [
            ("by=region&a=atlantis&b=miami", "There is no district “atlantis”.",
             "管轄地域「atlantis」はありません。"),
            ("by=fiscal-year&a=2016&b=2024", "The register starts with FY2017 (1 April 2017).",
             "登録対象は2017年度（2017年4月1日）以降です。"),
            ("by=fiscal-year&a=2024&b=2999", "FY2999 has not begun; the latest fiscal year is",
             "2999年度はまだ始まっていません。"),
            ("by=fiscal-year&a=2024&b=2024",
             "Both sides are FY2024: choose two different fiscal years.",
             "両方とも2024年度（令和6年度）になっています。異なる年度を2つ選んでください。"),
            ("by=region&a=miami&b=miami",
             "Both sides are Miami: choose two different districts.",
             "両方ともマイアミになっています。異なる管轄地域を2つ選んでください。"),
            ("by=fiscal-year&a=2023", "Choose two fiscal years to compare.",
             "比較する年度を2つ選んでください。"),
            ("by=region&b=miami", "Choose two districts to compare.",
             "比較する管轄地域を2つ選んでください。"),
            ("by=colour&a=1&b=2", "“colour” is not something the portal compares",
             "「colour」は比較の対象ではありません。"),
            ("by=fiscal-year&a=twenty&b=2024", "“twenty” is not a fiscal year.",
             "「twenty」は年度ではありません。"),
            ("by=region&a=miami&b=boston&from=1999", "The register starts with FY2017",
             "登録対象は2017年度（2017年4月1日）以降です。"),
            ("by=region&a=miami&b=boston&from=2024&to=2020",
             "The first fiscal year (FY2024) is after the last (FY2020).", "2024年度"),
            ("by=fiscal-year&a=2023&b=2024&region=nowhere",
             "There is no region with the code “nowhere”.",
             "コード「nowhere」の管轄地域はありません。"),
        ],
    )  # fmt: skip
    def test_a_bad_query_says_what_is_wrong_in_the_readers_language(
        self, client, register, query, english, japanese
    ):
        for language, message in (("en", english), ("ja", japanese)):
            response = client.get(f"/{language}/dashboard/compare/?{query}")
            assert response.status_code == 400
            assert 'class="filter-errors" role="alert"' in response.text
            assert message in response.text.replace("&amp;", "&"), language
            assert "comparison-summary" not in response.text
            download = client.get(f"/{language}/dashboard/compare/export.csv?{query}")
            assert download.status_code == 400
            assert message in download.content.decode()

    def test_a_nul_character_is_refused_not_a_500(self, client, db):
        response = client.get("/en/dashboard/compare/export.json?by=region&a=mia%00mi&b=x")
        assert response.status_code == 400

    def test_the_page_runs_a_fixed_number_of_queries(self, client, register, make_case):
        url = f"/en/dashboard/compare/?{DISTRICTS}"
        # The reference data (regions, states, themes, districts: once per generation in
        # production), then for each side its tally rows, themes and formats, the default
        # years of the other form, the two sides' data dates and whether the data is demo.
        with assert_data_queries(14):
            assert client.get(url).status_code == 200
        for n in range(15):
            make_case(title_en=f"More {n}", region="new-york", state="NY",
                      themes=list(Theme.objects.all()[:3]))  # fmt: skip
        with assert_data_queries(14):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
class TestTheDownloads:
    def test_the_csv_opens_in_japanese_excel_with_its_provenance(self, client, register):
        response = client.get(f"/ja/dashboard/compare/export.csv?{YEARS}")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert (
            'filename="grassroots-comparison-2023-2024-ja.csv"' in response["Content-Disposition"]
        )
        data = body(response)
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        date = provenance.date_label(
            max(provenance.data_date(2023, 2023), provenance.data_date(2024, 2024))
        )
        for expected in (date, "by=fiscal-year, a=2023, b=2024", "Count / 件数,9", LICENCE_EN,
                         LICENCE_JA, "DEMONSTRATION DATA", "デモデータ",
                         "http://testserver/ja/dashboard/compare/?by=fiscal-year&a=2023&b=2024",
                         "FY2024 had 5 cases", "2024年度の案件は5件で"):  # fmt: skip
            assert expected in text, expected
        table = list(csv.reader(io.StringIO(text.split("\r\n\r\n", 1)[1])))
        assert table[0] == ["表", "コード", "名称", "2023年度", "2024年度", "差"]
        assert table[1] == ["合計", "", "実施済みの全案件", "4", "5", "1"]
        assert ["州別", "FL", "フロリダ州", "3", "1", "-2"] in table

    def test_the_workbook_has_a_sheet_per_table_and_its_provenance(self, client, register):
        response = client.get(f"/ja/dashboard/compare/export.xlsx?{DISTRICTS}")
        book = openpyxl.load_workbook(io.BytesIO(body(response)))
        assert book.sheetnames == ["概要", "テーマ別", "州別", "形式別", "データについて"]
        summary = book["概要"]
        assert summary["A1"].value == "マイアミとニューヨークの比較"
        assert summary["A5"].value.startswith("ニューヨークの案件は3件で")
        assert summary["A6"].value.startswith("New York had 3 cases")
        assert [c.value for c in summary[9]][:4] == ["実施済みの全案件", 4, 3, -1]
        states = {row[0]: row[2:] for row in book["州別"].iter_rows(min_row=2, values_only=True)}
        assert states["FL"] == (4, 0, -4)
        about = "\n".join(
            ",".join(str(c) for c in row)
            for row in book["データについて"].iter_rows(values_only=True)
        )
        for expected in ("by=region, a=miami, b=new-york", "Count / 件数,7", LICENCE_EN,
                         LICENCE_JA, "DEMONSTRATION DATA"):  # fmt: skip
            assert expected in about, expected

    def test_the_json_holds_both_languages_and_the_provenance(self, client, register):
        data = json.loads(body(client.get(f"/en/dashboard/compare/export.json?{YEARS}")))
        about = data["provenance"]
        assert about["count"] == 9
        assert about["filters"] == {"by": "fiscal-year", "a": "2023", "b": "2024"}
        assert about["data_date"]
        assert about["licence"]["en"] == LICENCE_EN
        assert about["demonstration_data"] is True
        assert about["link"] == (
            "http://testserver/en/dashboard/compare/?by=fiscal-year&a=2023&b=2024"
        )
        result = data["comparison"]
        assert (result["first"]["cases"], result["second"]["cases"]) == (4, 5)
        assert result["summary"]["ja"].startswith("2024年度の案件は5件で")
        assert result["title"] == {"en": "FY2023 and FY2024 compared",
                                   "ja": "2023年度と2024年度の比較"}  # fmt: skip
        culture = next(row for row in result["tables"]["theme"] if row["key"] == "culture")
        assert (culture["first"], culture["second"], culture["difference"]) == (1, 4, 3)

    @pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
    def test_a_download_runs_a_fixed_number_of_queries(self, client, register, make_case, fmt):
        url = f"/en/dashboard/compare/export.{fmt}?{YEARS}"
        # The reference data (regions, states, themes), each side's tally rows, themes and
        # formats, the two data dates and whether the data is demo.
        with assert_data_queries(12):
            body(client.get(url))
        for n in range(12):
            make_case(title_en=f"More {n}", start_date=datetime.date(2023, 9, 1))
        with assert_data_queries(12):
            body(client.get(url))

    def test_a_staff_download_is_logged(self, hq_client, register):
        body(hq_client.get(f"/en/dashboard/compare/export.csv?{DISTRICTS}"))
        log = ExportLog.objects.get()
        assert log.kind == "comparison.csv"
        assert log.rows == 7


@pytest.mark.django_db
class TestWhereItIsFound:
    def test_the_dashboard_links_to_it(self, client, register):
        assert 'href="/en/dashboard/compare/"' in client.get("/en/dashboard/").text

    def test_a_region_page_links_to_its_years_and_to_another_district(self, client, register):
        page = client.get("/en/regions/miami/").text.replace("&amp;", "&")
        assert "/en/dashboard/compare/?by=fiscal-year&a=2023&b=2024&region=miami" in page
        assert "/en/dashboard/compare/?by=region&a=miami&b=" in page

    def test_staff_find_it_in_the_reports_and_see_the_same_figures(
        self, client, register, editor_a
    ):
        client.force_login(editor_a)
        index = client.get("/ja/admin/reports/").text
        assert 'href="/ja/admin/reports/compare/"' in index
        assert "年度・管轄地域の比較" in index
        response = client.get(f"/ja/admin/reports/compare/?{YEARS}")
        assert response.status_code == 200
        assert "2024年度の案件は5件で、2023年度（4件）から1件（25%）増えました。" in response.text
        assert 'action="/ja/admin/reports/compare/"' in response.text
        assert client.get("/ja/admin/reports/compare/?by=region&a=x").status_code == 400

    def test_staff_without_reports_may_not_open_it(self, client, db):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_user("clerk", is_staff=True))
        assert client.get("/en/admin/reports/compare/").status_code == 403


@pytest.fixture(scope="class")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_data()
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_site")
class TestOnTheDemoData:
    def test_fy2023_with_fy2024_equals_case_stats(self):
        result = ask(YEARS)
        assert result.second_total == 104
        for position, year in (("first", "2023"), ("second", "2024")):
            for dimension in ("theme", "state", "format"):
                expected, total = case_stats(dimension, "--from-fy", year, "--to-fy", year)
                assert side(result, dimension, position) == expected
            assert getattr(result, f"{position}_total") == total

    def test_miami_with_new_york_equals_case_stats(self):
        result = ask(DISTRICTS)
        for position, region in (("first", "miami"), ("second", "new-york")):
            for dimension in ("theme", "state", "format"):
                expected, total = case_stats(dimension, "--region", region)
                assert side(result, dimension, position) == expected
            assert getattr(result, f"{position}_total") == total

    @pytest.mark.parametrize("query", ["", YEARS, DISTRICTS, f"{YEARS}&region=miami",
                                       f"{DISTRICTS}&from=2020&to=2024"])  # fmt: skip
    def test_japanese_pages_have_no_english_text(self, client, query):
        response = client.get(f"/ja/dashboard/compare/?{query}")
        assert response.status_code == 200
        parser = VisibleText()
        parser.feed(response.text)
        assert english_runs(parser.text) == []
        english = client.get(f"/en/dashboard/compare/?{query}").text
        assert "年度" not in english.split("<main", 1)[1].split("</main>", 1)[0]
