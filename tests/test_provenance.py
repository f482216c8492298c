"""Provenance everywhere: every download format, API answer, embed and figure page carries the
data date (the last change that affects it), the filters, the count, the counting rule, a link
back, the licence (in both languages in files) and, on demonstration data, a label saying so.
"""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from cases.figures import freshness, provenance
from cases.figures.models import FigureChange
from cases.models import CaseOrigin

LICENCE_EN = "Government of Japan Standard Terms of Use (Version 2.0), compatible with CC BY 4.0"
LICENCE_JA = "政府標準利用規約（第2.0版）"


@pytest.fixture
def register(make_case):
    day = datetime.date
    make_case(title_en="Miami seminar", start_date=day(2024, 10, 1), origin=CaseOrigin.DEMO)
    make_case(title_en="Miami workshop", start_date=day(2023, 6, 1))
    make_case(title_en="New York panel", region="new-york", state="NY")
    freshness.flush()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def date_of(**filters) -> str:
    return provenance.date_label(provenance.data_date(**filters))


def assert_file_provenance(text: str, count: int, date: str, filters: str) -> None:
    assert date in text
    assert filters in text
    assert f"Count / 件数,{count}" in text or f"Cases held / 実施案件数,{count}" in text
    assert LICENCE_EN in text
    assert LICENCE_JA in text
    assert "DEMONSTRATION DATA" in text
    assert "デモデータ" in text


@pytest.mark.django_db
class TestTheDataDate:
    def test_it_is_the_time_of_the_last_change_to_the_figures_asked_for(self, make_case):
        make_case(start_date=datetime.date(2022, 5, 1))
        freshness.flush()
        miami_2022 = date_of(from_fy=2022, to_fy=2022, region="miami")
        FigureChange.objects.update(
            changed_at=datetime.datetime(2025, 1, 2, 3, 4, tzinfo=datetime.UTC)
        )
        make_case(region="new-york", state="NY", start_date=datetime.date(2024, 5, 1))
        freshness.flush()
        assert miami_2022  # recorded
        assert date_of(from_fy=2022, to_fy=2022, region="miami") == "2025-01-02 12:04 JST"
        assert date_of(region="new-york") != "2025-01-02 12:04 JST"
        assert date_of() == date_of(region="new-york")

    def test_a_bulk_rebuild_dates_every_figure(self, make_case):
        FigureChange.objects.all().delete()
        call_command("rebuild_tallies", stdout=io.StringIO())
        assert FigureChange.objects.filter(fiscal_year=0, region_id=0).exists()
        assert date_of(region="anchorage") != "—"


@pytest.mark.django_db
class TestEveryFormat:
    def test_the_case_csv(self, client, register):
        text = body(client.get("/en/cases/export.csv?region=miami")).decode("utf-8-sig")
        assert_file_provenance(text, 2, date_of(region="miami"), "region=miami")
        assert "http://testserver/en/cases/?region=miami" in text
        rows = list(csv.reader(io.StringIO(text.split("\r\n\r\n", 1)[1])))
        assert len(rows) == 3  # the header and the two cases

    def test_a_repeated_filter_names_every_value(self, client, register):
        text = body(client.get("/en/cases/export.csv?region=miami&region=houston")).decode(
            "utf-8-sig"
        )
        assert "region=miami, houston" in text
        api = client.get("/api/v1/cases/?region=miami&region=houston").json()["provenance"]
        assert api["filters"] == {"region": "miami, houston"}
        assert api["data_date"] is not None

    def test_the_case_xlsx(self, client, register):
        book = openpyxl.load_workbook(
            io.BytesIO(body(client.get("/ja/cases/export.xlsx?region=miami")))
        )
        assert book.sheetnames == ["cases", "about"]
        text = "\n".join(
            ",".join(str(c) for c in row) for row in book["about"].iter_rows(values_only=True)
        )
        assert_file_provenance(text, 2, date_of(region="miami"), "region=miami")

    def test_the_case_json(self, client, register):
        data = json.loads(body(client.get("/en/cases/export.json?region=miami")))
        about = data["provenance"]
        assert about["count"] == 2
        assert about["filters"] == {"region": "miami"}
        assert about["data_date"].startswith(str(provenance.data_date(region="miami").date()))
        assert about["licence"]["en"] == LICENCE_EN
        assert about["licence"]["ja"].startswith(LICENCE_JA)
        assert about["demonstration_data"] is True
        assert "デモデータ" in about["demonstration_label"]["ja"]
        assert about["counting_rule"]["en"].startswith("Public held cases only")
        assert about["link"] == "http://testserver/en/cases/?region=miami"

    @pytest.mark.parametrize(
        ("path", "count"),
        [("/api/v1/cases/?region=miami", 2), ("/api/v1/stats/fiscal-year/?region=miami", 2)],
    )
    def test_the_api(self, client, register, path, count):
        about = client.get(path).json()["provenance"]
        assert about["count"] == count
        assert about["filters"]["region"] == "miami"
        assert about["data_date"]
        assert about["licence"]["en"] == LICENCE_EN
        assert about["demonstration_data"] is True
        assert about["counting_rule"]["ja"]
        assert about["link"].startswith("http://testserver/en/")

    def test_the_dashboard_csv(self, client, register):
        text = client.get("/en/dashboard/data/fiscal-year.csv?region=miami").content.decode(
            "utf-8-sig"
        )
        assert_file_provenance(text, 2, date_of(region="miami"), "region=miami")

    def test_the_regional_report_in_every_format(self, register, tmp_path):
        from exchange.reports import build_region_report, write_report

        report = build_region_report("miami", 2023, 2024)
        date = date_of(from_fy=2023, to_fy=2024, region="miami")
        csv_path, xlsx_path, html_path = (tmp_path / f"r.{f}" for f in ("csv", "xlsx", "html"))
        write_report(report, "csv", csv_path)
        assert_file_provenance(
            csv_path.read_text(encoding="utf-8-sig"), 2, date, "region=miami, from=2023"
        )
        write_report(report, "xlsx", str(xlsx_path))
        book = openpyxl.load_workbook(xlsx_path)
        summary = "\n".join(
            ",".join(str(c) for c in row if c is not None)
            for row in book["Summary"].iter_rows(values_only=True)
        )
        assert_file_provenance(summary, 2, date, "region=miami, from=2023")
        assert book["Summary"].oddFooter.left.text == f"Data as of: {date}"
        write_report(report, "html", html_path)
        page = html_path.read_text()
        assert date in page
        assert "Government of Japan Standard Terms of Use" in page
        assert "demonstration data" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/en/dashboard/?region=miami", {"region": "miami"}),
        ("/en/dashboard/embed/fiscal-year/?region=miami", {"region": "miami"}),
        ("/en/regions/miami/", {"region": "miami"}),
        ("/en/", {}),
    ],
)
def test_figure_pages_and_embeds_carry_the_data_date_and_licence(client, register, path, filters):
    page = client.get(path).content.decode()
    assert f"Data as of {date_of(**filters)}." in page
    assert "Licence: Government of Japan Standard Terms of Use (Version 2.0)" in page
    assert "Demonstration data" in page
