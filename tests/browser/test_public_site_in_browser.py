"""The public site in a real browser: charts draw, filters round-trip through the URL, the
language switch keeps page and filters, the case browser filters, sorts and pages, nothing
leaves 127.0.0.1 (the `page` fixture fails the test otherwise) and axe finds nothing serious."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import Theme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def register(make_case):
    energy = Theme.objects.get(slug="energy")
    for day in range(25):
        make_case(
            title_en=f"Miami energy seminar {day:02d}",
            region="miami",
            state="FL",
            city_en="Miami",
            start_date=datetime.date(2024, 5, 1) + datetime.timedelta(days=day),
            themes=[energy],
        )
    for year in (2019, 2021, 2023):
        make_case(
            title_en=f"Houston workshop {year}",
            region="houston",
            state="TX",
            city_en="Houston",
            start_date=datetime.date(year, 9, 1),
        )


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_dashboard_draws_its_charts_and_map(page, register):
    page.goto(f"{page.base_url}/en/dashboard/")
    plots = page.locator(".chart-plot .main-svg")
    plots.first.wait_for()
    drawn = page.locator(".chart-plot:has(.main-svg)")
    assert drawn.count() >= 3  # fiscal year, region, theme (plotly)
    # The map is drawn by the portal itself as SVG (cases.geo), no plotly.
    assert page.locator("svg.us-map-svg[data-view='states']").count() == 1
    assert "28" in page.locator("main").inner_text()


def test_dashboard_filter_changes_charts_and_url_and_reload_restores(page, register):
    page.goto(f"{page.base_url}/en/dashboard/")
    page.locator(".chart-plot .main-svg").first.wait_for()
    page.select_option("select[name=region]", "houston")
    page.wait_for_url("**region=houston**")
    if query(page).get("region") != "houston":  # no auto-submit: use the button
        page.get_by_role("button", name="Update the charts").click()
    assert query(page)["region"] == "houston"
    page.locator(".chart-plot .main-svg").first.wait_for()
    text = page.locator("main").inner_text()
    assert "Houston" in text
    page.reload()
    page.locator(".chart-plot .main-svg").first.wait_for()
    assert page.locator("select[name=region]").input_value() == "houston"


def test_language_switch_keeps_the_page_and_its_filters(page, register):
    page.goto(f"{page.base_url}/en/cases/?region=miami&sort=oldest")
    page.get_by_role("link", name="日本語").click()
    page.wait_for_url("**/ja/cases/**")
    assert query(page) == {"region": "miami", "sort": "oldest"}
    assert page.locator("html").get_attribute("lang") == "ja"


def test_case_browser_filters_sorts_and_pages(page, register):
    page.goto(f"{page.base_url}/en/cases/")
    assert "28 cases" in page.locator(".result-count").inner_text()
    page.goto(f"{page.base_url}/en/cases/?region=houston")
    assert "3 cases" in page.locator(".result-count").inner_text()
    page.goto(f"{page.base_url}/en/cases/?region=houston&sort=oldest")
    titles = page.locator("main h3, main h2").all_inner_texts()
    houston = [t for t in titles if "Houston workshop" in t]
    assert houston == ["Houston workshop 2019", "Houston workshop 2021", "Houston workshop 2023"]
    page.goto(f"{page.base_url}/en/cases/?region=miami")
    page.locator(".pagination a", has_text="2").first.click()
    page.wait_for_url("**page=2**")
    assert query(page)["region"] == "miami"
    assert "Miami energy seminar" in page.locator("main").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/ja/",
        "/en/dashboard/",
        "/ja/dashboard/",
        "/en/cases/",
        "/en/regions/",
        "/en/regions/miami/",
        "/en/states/FL/",
        "/en/showcase/",
        "/en/about/",
        "/en/data/",
    ],
)
def test_main_pages_have_no_serious_accessibility_violations(page, axe, register, path):
    page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("networkidle")
    violations = axe(page)
    assert [(v["id"], v["help"]) for v in violations] == []
