"""Reports where staff look: the admin's Reports section, the case list's and the district
page's report buttons, the report opened in the browser, and the case list staff can read."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import ExportLog
from cases.models import Region

ADMIN = "/en/admin"
REPORT = "/en/admin/reports/region/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(username, *args):
    call_command("create_staff", username, *args, stdout=io.StringIO())
    return get_user_model().objects.get(username=username)


@pytest.fixture
def miami_editor(db):
    return staff("sato", "--role", "consulate", "--region", "miami")


@pytest.fixture
def miami_case(make_case):
    return make_case(title_en="Transit workshop", start_date=datetime.date(2024, 10, 1))


def test_the_admin_index_and_sidebar_lead_to_the_report_in_one_click(client, miami_editor):
    client.force_login(miami_editor)
    page = client.get(f"{ADMIN}/").text
    assert 'href="/en/admin/reports/region/"' in page
    assert ">Reports<" in page
    section = client.get(f"{ADMIN}/reports/")
    assert section.status_code == 200
    assert 'href="/en/admin/reports/region/"' in section.text


def test_the_reports_section_is_not_offered_to_staff_who_may_not_read_cases(client, db):
    nobody = get_user_model().objects.create_user("clerk", is_staff=True)
    client.force_login(nobody)
    assert "/admin/reports/" not in client.get(f"{ADMIN}/").text
    assert client.get(f"{ADMIN}/reports/").status_code == 403
    assert client.get(REPORT).status_code == 403


def test_the_old_report_address_still_arrives(client, miami_editor):
    client.force_login(miami_editor)
    response = client.get(f"{ADMIN}/exchange/importbatch/report/", {"region": "miami"})
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?region=miami"


def test_the_case_list_report_button_carries_its_region_and_fiscal_year(client, miami_editor):
    client.force_login(miami_editor)
    miami = Region.objects.get(code="miami")
    page = client.get(
        f"{ADMIN}/cases/case/", {"region__id__exact": miami.pk, "fiscal_year": 2024}
    ).text
    assert f'href="{REPORT}?region=miami&amp;from=2024&amp;to=2024"' in page
    form = client.get(REPORT, {"region": "miami", "from": 2024, "to": 2024}).text
    assert '<option value="miami" selected>' in form
    assert '<option value="2024" selected>' in form
    # Opening the form made no report and logged nothing.
    assert not ExportLog.objects.exists()


def test_the_district_page_has_a_report_button_for_its_staff_only(client, miami_editor, db):
    assert "/admin/reports/region/" not in client.get("/en/regions/miami/").text
    client.force_login(miami_editor)
    assert f'href="{REPORT}?region=miami"' in client.get("/en/regions/miami/").text
    # Not on another district's page: the report would be refused.
    assert "/admin/reports/region/" not in client.get("/en/regions/new-york/").text


def test_the_printable_report_opens_in_the_browser_with_print_and_downloads(
    client, miami_editor, miami_case
):
    client.force_login(miami_editor)
    query = {"region": "miami", "from": 2024, "to": 2024, "format": "html"}
    response = client.get(REPORT, {**query, "language": "en"})
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    page = response.text
    assert "data-print" in page
    assert "reports/print.js" in page
    assert "Transit workshop" in page
    # No inline style or script: the page passes the admin's Content-Security-Policy.
    assert "<style>" not in page
    assert "<script>" not in page
    assert re.search(r'href="\?[^"]*format=xlsx[^"]*download=1"', page)
    download = client.get(REPORT, {**query, "language": "en", "download": "1"})
    assert "attachment" in download["Content-Disposition"]
    logged = list(ExportLog.objects.order_by("pk").values_list("kind", "filters", "rows"))
    assert [(kind, filters["shown"], rows) for kind, filters, rows in logged] == [
        ("report.html", "browser", 1),
        ("report.html", "download", 1),
    ]


def test_the_report_form_speaks_the_admin_language(client, miami_editor):
    client.force_login(miami_editor)
    page = client.get("/ja/admin/reports/region/").text
    assert '<option value="ja" selected>' in page


class TestCaseList:
    def test_a_few_purposeful_columns_with_the_details_in_the_row(self, hq_client, make_case):
        make_case(
            title_en="Dual-use seminar",
            city_en="Palo Alto",
            city_ja="パロアルト",
            region="san-francisco",
            state="CA",
            is_best_practice=True,
            start_date=datetime.date(2025, 3, 10),
        )
        page = hq_client.get(f"{ADMIN}/cases/case/").text
        headers = page.split("<thead>")[1].split("</thead>")[0]
        assert headers.count('scope="col"') == 5  # the tick box and four columns
        assert "Palo Alto, CA" in page
        assert "★ best practice" in page
        assert "<h1>Cases</h1>" in page

    def test_japanese_headings_read_naturally(self, hq_client, make_case):
        make_case()
        page = hq_client.get("/ja/admin/cases/case/").text
        assert "変更する 案件 を選択" not in page
        assert "<h1>案件一覧</h1>" in page
        assert "年度で絞り込む" in page
        assert "案件を追加" in page
