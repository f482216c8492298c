"""Region pages (/<lang>/regions/, /<lang>/regions/<code>/) and state pages
(/<lang>/states/, /<lang>/states/<USPS>/): their figures are the stats module's."""

import datetime
import json
import re

import pytest

from cases import rules, stats
from cases.models import CaseStatus, Region, State, Theme
from tests.test_query_counts import assert_data_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(make_case):
    """Held cases in Florida and both halves of California, and some that must not show."""
    energy = Theme.objects.get(slug="energy")
    make_case(
        title_en="Miami transport workshop",
        start_date=datetime.date(2024, 10, 1),
        themes=[energy],
        is_best_practice=True,
    )
    make_case(
        title_en="Miami energy seminar", start_date=datetime.date(2022, 6, 1), themes=[energy]
    )
    make_case(
        title_en="Secret Miami meeting", start_date=datetime.date(2023, 6, 1), is_public=False
    )
    make_case(title_en="Draft Miami case", status=CaseStatus.DRAFT)
    make_case(
        title_en="Palo Alto dual-use seminar",
        region="san-francisco",
        state="CA",
        start_date=datetime.date(2025, 3, 5),
    )
    make_case(
        title_en="Los Angeles mobility forum",
        region="los-angeles",
        state="CA",
        start_date=datetime.date(2021, 9, 1),
    )
    make_case(
        title_en="Secret Los Angeles visit", region="los-angeles", state="CA", is_public=False
    )
    make_case(title_en="Nationwide campaign", region="washington-dc", state=None)


HIDDEN_TITLES = ["Secret Miami meeting", "Draft Miami case", "Secret Los Angeles visit"]


# --- regions ----------------------------------------------------------------------------------


def test_regions_index_lists_all_17_regions_with_their_missions(client, register):
    response = client.get("/en/regions/")
    assert response.status_code == 200
    regions = response.context["regions"]
    assert len(regions) == 17
    for region in Region.objects.all():
        assert f'href="/en/regions/{region.code}/"' in response.text
        assert region.mission_name_en in response.text
    assert "Consular Office" in response.text
    assert "Connecticut" in response.text


def test_region_totals_equal_the_stats_module(client, register):
    expected = dict(stats.by_region()[["key", "cases"]].itertuples(index=False))
    regions = client.get("/en/regions/").context["regions"]
    assert {region.code: region.case_count for region in regions} == expected
    assert expected["miami"] == 3  # the non-public case counts, the draft does not
    assert expected["los-angeles"] == 2


def test_region_page_shows_the_mission_district_and_figures_from_stats(client, register):
    response = client.get("/en/regions/miami/")
    assert response.status_code == 200
    text = response.text
    assert "<h1>Consulate-General of Japan in Miami</h1>" in text
    filters = stats.Filters(region="miami")
    assert response.context["total"] == stats.total(filters) == 3
    # Every fiscal year of the register (FY2017 to its latest), zeros included.
    whole = stats.Filters(region="miami", from_fy=2017, to_fy=stats.headline().latest_fy)
    fiscal_years = stats.by_fiscal_year(whole)
    assert [
        (row["key"], row["cases"], row["cumulative"]) for row in response.context["fiscal_years"]
    ] == list(fiscal_years[["key", "cases", "cumulative"]].itertuples(index=False, name=None))
    assert 'href="/en/states/FL/">Florida</a>' in text
    assert [row["key"] for row in response.context["states"]] == ["FL"]
    assert "Miami transport workshop" in text
    assert 'href="/en/cases/?region=miami"' in text


def test_region_page_lists_best_practices_and_recent_public_cases_only(client, register):
    response = client.get("/en/regions/miami/")
    assert [c.title_en for c in response.context["best_practices"]] == ["Miami transport workshop"]
    assert [c.title_en for c in response.context["recent"]] == [
        "Miami transport workshop",
        "Miami energy seminar",
    ]
    for title in HIDDEN_TITLES:
        assert title not in response.text


def test_with_the_dashboard_charts_the_page_loads_their_scripts(client, register):
    text = client.get("/en/states/FL/").text
    assert 'id="chart-fiscal-year"' in text
    assert 'id="chart-theme"' in text
    assert '<script src="/static/vendor/plotly/plotly.min.js" defer></script>' in text
    assert '<script src="/static/js/charts.js" defer></script>' in text


def test_region_page_of_a_split_district_says_who_shares_the_state(client, register):
    text = client.get("/en/regions/san-francisco/").text
    assert "San Francisco covers all other (central and northern) counties" in text
    assert 'Shared with <a href="/en/regions/los-angeles/">Los Angeles</a>' in text
    ja = client.get("/ja/regions/san-francisco/").text
    assert "分割管轄：サンフランシスコはその他（中部・北部）の郡" in ja
    assert '<html lang="ja">' in ja


def test_region_page_counts_cases_with_no_single_state(client, register):
    response = client.get("/en/regions/washington-dc/")
    rows = {row["key"]: row["cases"] for row in response.context["states"]}
    assert rows[None] == 1
    assert "No single state (nationwide)" in response.text


def test_region_page_of_a_region_without_cases_says_so(client):
    response = client.get("/en/regions/anchorage/")
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "No cases from this district are listed publicly yet." in response.text


def test_unknown_region_is_a_404(client):
    assert client.get("/en/regions/nowhere/").status_code == 404
    assert client.get("/ja/regions/nowhere/").status_code == 404


# --- states -----------------------------------------------------------------------------------


def test_states_index_lists_all_56_with_counts_from_stats(client, register):
    response = client.get("/en/states/")
    assert response.status_code == 200
    listed = {
        state.code: state.case_count for g in response.context["groups"] for state in g["states"]
    }
    assert len(listed) == 56
    expected = {
        row["key"]: row["cases"] for row in stats.by_state().to_dict("records") if row["key"]
    }
    assert listed == expected
    assert listed["CA"] == 3
    assert listed["FL"] == 3
    assert [g["title"] for g in response.context["groups"]] == [
        "States",
        "Federal district",
        "Territories",
    ]
    assert [len(g["states"]) for g in response.context["groups"]] == [50, 1, 5]
    assert response.context["no_state"] == 1


def test_florida_page(client, register):
    response = client.get("/en/states/FL/")
    assert response.status_code == 200
    text = response.text
    assert "<h1>Florida</h1>" in text
    assert 'href="/en/regions/miami/">Consulate-General of Japan in Miami</a>' in text
    assert response.context["total"] == stats.total(stats.Filters(state="FL")) == 3
    assert not response.context["is_split"]
    assert "Miami transport workshop" in text
    for title in HIDDEN_TITLES:
        assert title not in text


def test_california_page_shows_both_districts_and_how_they_split_it(client, register):
    response = client.get("/en/states/CA/")
    text = response.text
    assert response.context["is_split"]
    assert "Two districts share this state" in text
    assert 'href="/en/regions/los-angeles/"' in text
    assert 'href="/en/regions/san-francisco/"' in text
    assert "Los Angeles covers the 9 southern counties" in text
    assert "San Francisco covers all other (central and northern) counties" in text
    by_region = {
        item["jurisdiction"].region.code: item["cases"] for item in response.context["by_region"]
    }
    assert by_region == {"san-francisco": 1, "los-angeles": 2}
    assert response.context["total"] == 3
    assert "Secret Los Angeles visit" not in text


def test_california_page_in_japanese_uses_the_japanese_notes(client, register):
    text = client.get("/ja/states/CA/").text
    assert "カリフォルニア州" in text
    assert "分割管轄：ロサンゼルスは南部9郡" in text


@pytest.mark.parametrize("code", ["CT", "ID"])
def test_other_split_states_name_both_districts(client, code):
    response = client.get(f"/en/states/{code}/")
    assert response.context["is_split"]
    assert len(response.context["by_region"]) == 2


def test_lower_case_state_code_redirects_to_upper_case(client):
    response = client.get("/en/states/fl/")
    assert response.status_code == 301
    assert response["Location"] == "/en/states/FL/"
    assert client.get("/ja/states/ca/?x=1")["Location"] == "/ja/states/CA/?x=1"


@pytest.mark.parametrize(
    "path", ["/en/states/ZZ/", "/en/states/zz/", "/en/states/FLA/", "/en/states/1A/"]
)
def test_unknown_state_is_a_404(client, path):
    assert client.get(path, follow=True).status_code == 404


# --- every page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/en/regions/", "/en/regions/miami/", "/en/states/", "/en/states/CA/"]
)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_pages_have_a_title_description_breadcrumbs_and_no_inline_script(
    client, register, path, language
):
    text = client.get(path.replace("/en/", f"/{language}/")).text
    assert re.search(r"<title>[^<]+</title>", text)
    assert re.search(r'<meta name="description" content="[^"]{40,}">', text)
    assert 'class="breadcrumbs"' in text
    assert text.count("<h1") == 1
    for script in re.findall(r"<script[^>]*>", text):
        assert "src=" in script or 'type="application/json"' in script
    assert not re.search(r"\son[a-z]+=", text)


# --- query counts do not grow with the register -----------------------------------------------


def build_register(make_case, size):
    themes = list(Theme.objects.filter(slug__in=["energy", "culture"]))
    for index in range(size):
        day = datetime.date(2017, 4, 1) + datetime.timedelta(days=index * 40)
        make_case(
            title_en=f"Miami {index}",
            start_date=day,
            themes=themes,
            is_best_practice=index % 2 == 0,
        )
        make_case(
            title_en=f"LA {index}",
            region="los-angeles",
            state="CA",
            start_date=day,
            themes=themes,
            is_best_practice=index % 2 == 0,
        )


PAGES = {
    # Every page also reads its data date (the footer), once per generation in production.
    # by_region (counts, regions), the regions and their states, the banner.
    "/en/regions/": 6,
    # The region; the register's span of fiscal years; its states' jurisdictions; by_state (2);
    # by_fiscal_year; the charts (the region's name, the fiscal-year counts, the theme counts
    # and themes); total; recent cases; best practices and their showcase pages (the cards
    # name their themes from the cases' rows); the banner.
    "/en/regions/miami/": 14,  # fewer since the figures share one read of the tallies
    # by_state (counts, states), the states and their districts, the banner.
    "/en/states/": 6,
    # The state; its districts; by_region (2) for a split state; then as for a region.
    "/en/states/CA/": 13,
    "/en/states/FL/": 13,
}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("path", "queries"), PAGES.items())
def test_query_count_does_not_grow_with_the_register(client, make_case, size, path, queries):
    build_register(make_case, size)
    with assert_data_queries(queries):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_every_state_and_region_page_shows_every_fiscal_year_with_zeros(client, make_case):
    """FY2017 to the register's latest year on every page, even where a place has no case in
    most of those years (Guam had none in FY2024, so its page stopped at FY2023)."""
    import datetime

    from cases.models import Region, State

    make_case(region="hagatna", state="GU", start_date=datetime.date(2019, 5, 1))
    make_case(region="miami", state="FL", start_date=datetime.date(2024, 5, 1))
    expected = list(range(2017, 2025))
    paths = [f"/en/regions/{code}/" for code in Region.objects.values_list("code", flat=True)]
    paths += [f"/en/states/{code}/" for code in State.objects.values_list("code", flat=True)]
    assert len(paths) == 17 + 56
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        years = [row["key"] for row in response.context["fiscal_years"]]
        assert years == expected, path
        assert all(isinstance(row["cases"], int) for row in response.context["fiscal_years"])
        assert "FY2017" in response.text
        assert "FY2024" in response.text


# A data-table row of the fiscal-year chart: the year's label, then its count (a number).
_YEAR_ROW = re.compile(r'<th scope="row">([^<]+)</th>\s*<td class="num">([\d,]+)</td>')


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_state_and_region_page_shows_a_count_for_every_fiscal_year(
    client, make_case, language
):
    """Issue 16's check, as a reader sees it: on every region and state page the chart's
    table has a row with a number for each fiscal year from FY2017 to the latest (FY2024
    here), zeros included, and the chart draws the same years."""
    make_case(region="hagatna", state="GU", start_date=datetime.date(2019, 5, 1))
    make_case(region="miami", state="FL", start_date=datetime.date(2024, 5, 1))
    labels = [rules.fiscal_year_label(year, language) for year in range(2017, 2025)]
    paths = [
        f"/{language}/regions/{code}/" for code in Region.objects.values_list("code", flat=True)
    ]
    paths += [
        f"/{language}/states/{code}/" for code in State.objects.values_list("code", flat=True)
    ]
    for path in paths:
        text = client.get(path).text
        table = text[text.index('<table class="data-table">') :]
        table = table[: table.index("</table>")]
        rows = dict(_YEAR_ROW.findall(table))
        assert list(rows) == labels, path
        figure = re.search(
            r'<script id="chart-fiscal-year-figure" type="application/json">(.*?)</script>', text
        )
        bars = json.loads(figure.group(1))["data"][0]
        assert bars["x"] == list(range(2017, 2025)), path
        assert [int(rows[label].replace(",", "")) for label in labels] == bars["y"], path
        assert sum(bars["y"]) == (
            1 if path.endswith(("/GU/", "/FL/", "/hagatna/", "/miami/")) else 0
        )
