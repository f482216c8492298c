"""Downloads of the case browser's view: public cases only, its filters, streamed, and no cell
that a spreadsheet would run as a formula."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection, models

from cases.models import Case, CasePartner, Partner, PartnerKind, Theme
from exchange.columns import HEADERS
from exchange.exporting import CaseExporter
from exchange.writers import neutralise, unneutralise


@pytest.fixture
def register(make_case):
    energy = Theme.objects.get(slug="energy")
    chamber = Partner.objects.create(name_en="@Chamber", kind=PartnerKind.CHAMBER)
    day = datetime.date
    cases = {
        "formula": make_case(
            title_en='=HYPERLINK("http://evil.example","click")',
            title_ja="+81 東京",
            summary_en="-1 plus one",
            city_en="@home",
            start_date=day(2024, 10, 1),
            themes=[energy],
            external_ref="DL-1",
        ),
        "new-york": make_case(
            title_en="Women in STEM", region="new-york", state="NY", start_date=day(2025, 3, 25)
        ),
        "old": make_case(title_en="Older Miami seminar", start_date=day(2022, 5, 1)),
        "hidden": make_case(title_en="Held but not public", is_public=False),
        "draft": make_case(title_en="Still a draft", status="draft"),
        "cancelled": make_case(title_en="Called off", status="cancelled"),
    }
    CasePartner.objects.create(case=cases["formula"], partner=chamber, role="co-host")
    return cases


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict]:
    """The case rows, under the lines that say what the file is (provenance) and a blank."""
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    preamble, table = text.split("\r\n\r\n", 1)
    assert "Data as of / データの日付" in preamble
    return list(csv.DictReader(io.StringIO(table, newline="")))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]


TITLE = "title_en / 件名（英語）"


@pytest.mark.django_db
class TestCsv:
    def test_it_holds_the_public_cases_only_under_the_template_header(self, client, register):
        response = client.get("/en/cases/export.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="grassroots-')
        rows = csv_rows(response)
        assert list(rows[0]) == HEADERS
        assert [row[TITLE] for row in rows] == [
            "Women in STEM",
            '\'=HYPERLINK("http://evil.example","click")',
            "Older Miami seminar",
        ]

    def test_cells_that_would_start_a_formula_are_neutralised(self, client, register):
        rows = csv_rows(client.get("/en/cases/export.csv"))
        row = next(r for r in rows if r["id / ポータルID"] == str(register["formula"].pk))
        assert row[TITLE].startswith("'=")
        assert row["title_ja / 件名（日本語）"] == "'+81 東京"
        assert row["summary_en / 概要（英語）"] == "'-1 plus one"
        assert row["city_en / 都市（英語）"] == "'@home"
        assert row["partners / パートナー"] == "'@Chamber (co-host)"
        assert row["start_date / 開始日"] == "2024-10-01"
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("region=miami", {"Older Miami seminar", "'=HYPERLINK"}),
            ("region=new-york", {"Women in STEM"}),
            ("from=2024", {"Women in STEM", "'=HYPERLINK"}),
            ("theme=energy", {"'=HYPERLINK"}),
            ("q=stem", {"Women in STEM"}),
            ("q=chamber", {"'=HYPERLINK"}),
            ("state=FL&to=2022", {"Older Miami seminar"}),
        ],
    )
    def test_it_has_exactly_the_case_browsers_filters(self, client, register, query, expected):
        rows = csv_rows(client.get(f"/en/cases/export.csv?{query}"))
        assert {row[TITLE].split("(")[0] for row in rows} == expected

    def test_it_follows_the_browsers_sort_order(self, client, register):
        rows = csv_rows(client.get("/ja/cases/export.csv?sort=oldest"))
        assert next(row[TITLE] for row in rows) == "Older Miami seminar"

    def test_a_filter_the_browser_rejects_is_a_400_not_a_silently_wider_file(
        self, client, register
    ):
        response = client.get("/en/cases/export.csv?region=atlantis")
        assert response.status_code == 400
        assert "atlantis" in response.content.decode()

    def test_an_unknown_format_is_not_found(self, client, register):
        assert client.get("/en/cases/export.pdf").status_code == 404


@pytest.mark.django_db
class TestXlsx:
    def test_it_holds_the_public_cases_with_native_types_and_text_that_is_only_text(
        self, client, register
    ):
        response = client.get("/en/cases/export.xlsx?region=miami")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = xlsx_sheet(response)
        assert [cell.value for cell in sheet[1]] == HEADERS
        assert sheet.freeze_panes == "A2"
        records = [
            dict(zip(HEADERS, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]
        assert [r[TITLE] for r in records] == [
            '\'=HYPERLINK("http://evil.example","click")',
            "Older Miami seminar",
        ]
        first = records[0]
        # A spreadsheet cell has no time zone: openpyxl reads a date as a naive datetime.
        assert first["start_date / 開始日"] == datetime.datetime(2024, 10, 1)  # noqa: DTZ001
        assert first["is_public / 公開"] is True
        assert first["fiscal_year / 年度"] == 2024
        assert first["city_en / 都市（英語）"] == "'@home"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f"


@pytest.mark.django_db
class TestJson:
    def test_it_streams_the_public_cases_with_the_filters_it_used(self, client, register):
        response = client.get("/en/cases/export.json?region=miami&page=3")
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(body(response))
        assert data["filters"] == {"region": "miami"}
        assert "Standard Terms of Use" in data["licence"]["en"]
        assert "政府標準利用規約" in data["licence"]["ja"]
        assert data["provenance"]["count"] == 2
        results = data["results"]
        assert [r["title_en"] for r in results] == [
            '=HYPERLINK("http://evil.example","click")',  # JSON is data: nothing to neutralise
            "Older Miami seminar",
        ]
        assert results[0]["partners"] == [{"name": "@Chamber", "role": "co-host"}]
        assert results[0]["themes"] == ["energy"]
        assert results[0]["state"] == "FL"

    def test_an_empty_view_is_valid_json(self, client, db):
        data = json.loads(body(client.get("/en/cases/export.json")))
        assert data["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_download_runs_the_same_queries_for_few_cases_or_many(
    client, make_case, django_assert_num_queries, fmt
):
    culture = Theme.objects.get(slug="culture")

    def add(n):
        for i in range(n):
            case = make_case(title_en=f"Case {i}", themes=[culture])
            partner = Partner.objects.create(name_en=f"P{case.pk}", kind=PartnerKind.OTHER)
            CasePartner.objects.create(case=case, partner=partner, role="speaker")

    def download():
        return body(client.get(f"/en/cases/export.{fmt}?region=miami&theme=culture"))

    # Checking the region and the theme, the count, the cases, their themes, their partners;
    # on PostgreSQL CSV reads everything in one COPY, and XLSX its ids through one cursor and
    # the rows of each chunk of 2,000 ids in one query (one chunk here). The provenance (data
    # date, demonstration data) adds two, and the filter's region and theme by their ids (the
    # reference data, read since the case list filters by ids) two: once per generation in
    # production.
    flat = fmt in ("csv", "xlsx") and connection.vendor == "postgresql"
    queries = (3 + (fmt == "xlsx") if flat else 5) + 5
    add(2)
    with django_assert_num_queries(queries):
        download()
    add(20)
    with django_assert_num_queries(queries):
        data = download()
    assert (b"Case 19" in data) or fmt == "xlsx"


@pytest.mark.django_db
def test_the_exporter_reads_the_cases_a_chunk_at_a_time(make_case, django_assert_num_queries):
    """Bounded memory: chunks of `chunk_size` cases, each with its partners loaded in one
    query and its themes named from its own row with the reference themes (read once a
    chunk inside a test's transaction, once a generation in production), never the whole
    table at once."""
    for n in range(5):
        make_case(title_en=f"Case {n}", themes=[Theme.objects.get(slug="energy")])
    exporter = CaseExporter(Case.objects.public(), chunk_size=2)
    with django_assert_num_queries(1 + 3 * 2):  # the cases; 3 chunks x (themes, partners)
        rows = list(exporter.rows())
    assert len(rows) == 5


@pytest.mark.django_db
def test_the_exporter_never_loads_a_relation_lazily(make_case):
    make_case(themes=[Theme.objects.get(slug="energy")], state=None)
    chamber = Partner.objects.create(name_en="Chamber", kind=PartnerKind.CHAMBER)
    CasePartner.objects.create(case=make_case(), partner=chamber, role="co-host")
    exporter = CaseExporter(Case.objects.fetch_mode(models.FETCH_RAISE))
    assert len(list(exporter.rows())) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-5%", "'-5%"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("＝１", "'＝１"),
        ("plain", "plain"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralise_and_its_inverse(text, expected):
    assert neutralise(text) == expected
    assert unneutralise(neutralise(text)) == text
