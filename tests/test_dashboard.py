"""The dashboard, its CSV downloads and embeddable charts: every figure from the stats module."""

import csv
import datetime
import io
import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from cases import stats
from cases.figures.charts import CHART_SLUGS, Chart, UnknownChart, build_chart, csv_safe
from cases.models import Jurisdiction, Region, Theme, ThemeGroup
from cases.stats import Filters
from tests.test_query_counts import assert_data_queries

SECRET_TITLE = "Confidential reception for visiting governors"


@pytest.fixture
def register(make_case):
    """Seven held cases (one non-public, one with no single state) and one draft.

    miami:         FY2023 FL (energy), FY2024 FL (energy, stem), FY2024 FL (non-public)
    new-york:      FY2024 NY (stem), FY2024 CT
    boston:        FY2022 CT
    washington-dc: FY2024 with no single state
    """
    energy = Theme.objects.get(slug="energy")
    stem = Theme.objects.get(slug="stem-women")
    investment = Theme.objects.get(slug="investment-jobs")
    make_case(region="miami", state="FL", start_date=datetime.date(2023, 6, 1), themes=[energy])
    make_case(
        region="miami",
        state="FL",
        start_date=datetime.date(2025, 3, 31),
        themes=[energy, stem, investment],
    )
    make_case(
        region="miami",
        state="FL",
        start_date=datetime.date(2024, 4, 1),
        is_public=False,
        title_en=SECRET_TITLE,
        title_ja="非公開の歓迎会",
    )
    make_case(region="new-york", state="NY", start_date=datetime.date(2024, 12, 1), themes=[stem])
    make_case(region="new-york", state="CT", start_date=datetime.date(2025, 1, 10))
    make_case(region="boston", state="CT", start_date=datetime.date(2022, 9, 9))
    make_case(region="washington-dc", state=None, start_date=datetime.date(2024, 7, 4))
    make_case(region="miami", state="FL", status="draft", title_en="Draft never counted")


def figures(response) -> dict[str, dict]:
    """Every chart figure the page carries as JSON, by chart slug."""
    found = re.findall(
        r'<script id="chart-([a-z-]+)-figure" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return {slug: json.loads(text) for slug, text in found}


def trace(figure: dict, uid: str) -> dict:
    return next(t for t in figure["data"] if t.get("uid") == uid)


SHAPE = re.compile(
    r'<a class="us-map-shape(?P<outside> is-outside)?" href="(?P<url>[^"]+)"[^>]*'
    r'data-key="(?P<key>[^"]+)" data-region="(?P<region>[^"]*)" data-count="(?P<count>\d+)"'
)


def map_shapes(response, view: str = "states") -> dict[str, dict]:
    """The server-drawn map's shapes in one view, by key ("FL", "CA:los-angeles", or a region
    code in the district view): count, link, region, whether in scope."""
    html = response.content.decode()
    svg = re.search(rf'<svg class="us-map-svg"[^>]*data-view="{view}">(.*?)</svg>', html, re.S)
    return {
        m["key"]: {
            "url": m["url"],
            "count": int(m["count"]),
            "region": m["region"],
            "inside": not m["outside"],
        }
        for m in SHAPE.finditer(svg.group(1))
    }


def tiles(response) -> dict[str, int]:
    """The map's count for each USPS code in scope (a split state's parts added up)."""
    values: dict[str, int] = {}
    for key, shape in map_shapes(response).items():
        if shape["inside"]:
            code = key.split(":")[0]
            values[code] = values.get(code, 0) + shape["count"]
    return values


def counts(frame) -> dict:
    return dict(zip(frame["key"], frame["cases"], strict=True))


def expected_state_url(code: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse("cases:state-detail", kwargs={"code": code})


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "fy_label"), [("en", "FY2024"), ("ja", "2024年度（令和6年度）")]
)
def test_dashboard_renders_in_both_languages(client, register, language, fy_label):
    response = client.get(f"/{language}/dashboard/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert fy_label in response.text
    assert set(figures(response)) == set(CHART_SLUGS) - {"state-map"}  # the map is SVG
    assert map_shapes(response)
    # Labels come from the page's language: region names on the region chart's axis.
    ticks = figures(response)["region"]["layout"]["yaxis"]["ticktext"]
    assert ("マイアミ" if language == "ja" else "Miami") in ticks


@pytest.mark.django_db
def test_headline_figures_are_the_stats_modules(client, register):
    response = client.get("/en/dashboard/")
    headline = stats.headline()
    assert response.context["headline"] == headline
    assert (headline.total, headline.latest_fy, headline.latest_cases) == (7, 2024, 5)
    assert '<p class="figure-number">7</p>' in response.text
    assert '<p class="figure-number">5</p>' in response.text
    assert "cases held from FY2022 to FY2024" in response.text


@pytest.mark.django_db
def test_page_says_what_is_counted(client, register):
    text = client.get("/en/dashboard/").text
    assert "Non-public cases are counted but not listed" in text
    assert "counts under its region but on no state" in text
    assert "April to March" in text


@pytest.mark.django_db
def test_empty_register_still_renders(client):
    response = client.get("/en/dashboard/")
    assert response.status_code == 200
    assert "No cases have been recorded yet." in response.text
    assert trace(figures(response)["fiscal-year"], "cases")["y"] == []


# --- The charts equal the stats -----------------------------------------------------------------

FILTER_CASES = [
    ("", Filters()),
    ("?from=2024&to=2024", Filters(from_fy=2024, to_fy=2024)),
    ("?region=miami", Filters(region="miami")),
    ("?theme=stem-women&from=2023", Filters(theme="stem-women", from_fy=2023)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "filters"), FILTER_CASES)
def test_fiscal_year_chart_is_the_stats_frame(client, register, query, filters):
    figure = figures(client.get(f"/en/dashboard/{query}"))["fiscal-year"]
    frame = stats.by_fiscal_year(filters)
    assert trace(figure, "cases")["x"] == frame["key"].tolist()
    assert trace(figure, "cases")["y"] == frame["cases"].tolist()
    assert trace(figure, "cumulative")["y"] == frame["cumulative"].tolist()
    assert figure["layout"]["xaxis"]["ticktext"] == frame["label_en"].tolist()


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "filters"), FILTER_CASES)
def test_region_chart_is_the_stats_frame(client, register, query, filters):
    bars = trace(figures(client.get(f"/en/dashboard/{query}"))["region"], "cases")
    assert dict(zip(bars["y"], bars["x"], strict=True)) == counts(stats.by_region(filters))
    assert bars["orientation"] == "h"


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "filters"), FILTER_CASES)
def test_theme_chart_is_the_stats_frame_one_trace_per_group(client, register, query, filters):
    figure = figures(client.get(f"/en/dashboard/{query}"))["theme"]
    shown = {}
    for bars in figure["data"]:
        assert bars["uid"] in ThemeGroup.values
        shown.update(zip(bars["y"], bars["x"], strict=True))
    assert shown == counts(stats.by_theme(filters))


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "filters"), FILTER_CASES)
def test_map_tiles_hold_the_stats_per_state(client, register, query, filters):
    response = client.get(f"/en/dashboard/{query}")
    frame = stats.by_state(filters)
    in_scope = {code: n for code, n in counts(frame).items() if code}
    assert tiles(response) == in_scope


@pytest.mark.django_db
def test_map_shows_every_state_dc_and_territory_once(client, register):
    response = client.get("/en/dashboard/")
    codes = set(tiles(response))
    assert len(codes) == 56
    assert {"DC", "PR", "VI", "GU", "MP", "AS"} <= codes
    assert tiles(response)["FL"] == 3  # the non-public case counts
    assert tiles(response)["CT"] == 2  # split state: one case from each district
    shapes = map_shapes(response)
    assert shapes["CT:new-york"]["count"] == 1
    assert shapes["CT:boston"]["count"] == 1
    assert "CT" not in shapes  # drawn as its two districts' parts


@pytest.mark.django_db
def test_map_greys_out_states_outside_the_selected_district(client, register):
    response = client.get("/en/dashboard/?region=new-york")
    district = set(
        Jurisdiction.objects.filter(region__code="new-york").values_list("state__code", flat=True)
    )
    assert set(tiles(response)) == district
    shapes = map_shapes(response)
    assert not shapes["FL"]["inside"]
    assert shapes["NY"]["inside"]
    assert shapes["CT:new-york"]["inside"]
    assert not shapes["CT:boston"]["inside"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_map_tile_links_to_its_state_page(client, register, language):
    response = client.get(f"/{language}/dashboard/")
    for key, shape in map_shapes(response).items():
        assert shape["url"] == expected_state_url(key.split(":")[0], language)
    for code, shape in map_shapes(response, "districts").items():
        assert shape["url"] == f"/{language}/regions/{code}/"


@pytest.mark.django_db
def test_no_single_state_cases_are_counted_on_no_tile_and_said_so(client, register):
    response = client.get("/en/dashboard/")
    assert sum(tiles(response).values()) == 6  # seven held, one nationwide
    assert "1 case with no single state is not on the map." in response.text


@pytest.mark.django_db
def test_filters_change_every_chart(client, register):
    everything = figures(client.get("/en/dashboard/"))
    filtered = figures(client.get("/en/dashboard/?from=2024&to=2024&region=miami"))
    for slug in CHART_SLUGS:
        if slug != "state-map":  # the map is drawn by the portal: see map_shapes()
            assert everything[slug]["data"] != filtered[slug]["data"], slug
    assert tiles(client.get("/en/dashboard/")) != tiles(
        client.get("/en/dashboard/?from=2024&to=2024&region=miami")
    )
    assert trace(filtered["fiscal-year"], "cases")["y"] == [2]
    assert trace(filtered["region"], "cases")["y"] == ["miami"]


@pytest.mark.django_db
def test_filtered_page_shows_the_matching_total_and_removable_filters(client, register):
    response = client.get("/en/dashboard/?from=2024&region=miami")
    assert response.context["filtered_total"] == stats.total(Filters(from_fy=2024, region="miami"))
    assert response.context["filtered_total"] == 2
    assert 'href="?region=miami"' in response.text  # remove "from", keep the region
    assert 'href="?from=2024"' in response.text


# --- Bad filters --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("?from=abc", "“abc” is not a fiscal year. The figures start from the earliest year.", {}),
        ("?to=1999", "The register starts with FY2017 (1 April 2017). The figures run to the", {}),
        ("?region=nowhere", "There is no region with the code “nowhere”. The figures cover", {}),
        ("?theme=%3Cscript%3E", "There is no theme “&lt;script&gt;”. The figures cover every", {}),
        # A range that ends before it starts loses its end (on every surface): FY2024 onwards.
        (
            "?from=2024&to=2020",
            "The first fiscal year (FY2024) is after the last (FY2020). The figures run to the",
            {"from_fy": 2024},
        ),
        ("?state=zz", "There is no state with the code “ZZ”. The figures cover every state.", {}),
    ],
)
def test_bad_filters_give_a_message_and_figures_without_them(
    client, register, query, message, kept
):
    response = client.get(f"/en/dashboard/{query}")
    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert response.context["filters"] == Filters(**kept)
    shown = trace(figures(response)["fiscal-year"], "cases")["y"]
    assert shown == stats.by_fiscal_year(Filters(**kept))["cases"].tolist()


@pytest.mark.django_db
def test_a_bad_filter_leaves_the_good_ones_in_force(client, register):
    response = client.get("/en/dashboard/?region=miami&from=abc")
    assert response.status_code == 200
    assert response.context["filters"] == Filters(region="miami")
    bars = trace(figures(response)["region"], "cases")
    assert bars["x"] == [3]


@pytest.mark.django_db
def test_bad_filters_message_is_translated(client, register):
    with translation.override("ja"):
        problem = translation.gettext("There is no region with the code “%(value)s”.")
        consequence = translation.gettext("The figures cover every region.")
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", problem + consequence)
    response = client.get("/ja/dashboard/?region=nowhere")
    assert response.status_code == 200
    assert f"{problem % {'value': 'nowhere'}}{consequence}" in response.text  # no space after 。


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    """The chart's table: the rows after the provenance lines and the blank line under them."""
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith(("Data as of", "DEMONSTRATION DATA"))
    return rows[rows.index([]) + 1 :]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "filters"), FILTER_CASES)
def test_fiscal_year_csv_is_the_stats_frame(client, register, query, filters):
    response = client.get(f"/en/dashboard/data/fiscal-year.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == ["Fiscal year", "Cases", "Running total"]
    frame = stats.by_fiscal_year(filters)
    assert rows == [
        [label, str(n), str(total)]
        for label, n, total in zip(
            frame["label_en"], frame["cases"], frame["cumulative"], strict=True
        )
    ]


@pytest.mark.django_db
def test_region_theme_and_state_csvs_are_the_stats_frames(client, register):
    _, *rows = read_csv(client.get("/ja/dashboard/data/region.csv?from=2024"))
    frame = stats.by_region(Filters(from_fy=2024))
    assert rows == [
        [label, str(n)] for label, n in zip(frame["label_ja"], frame["cases"], strict=True)
    ]

    _, *rows = read_csv(client.get("/en/dashboard/data/theme.csv"))
    assert {row[1]: int(row[2]) for row in rows} == dict(
        zip(stats.by_theme()["label_en"], stats.by_theme()["cases"], strict=True)
    )

    _, *rows = read_csv(client.get("/en/dashboard/data/state-map.csv"))
    frame = stats.by_state()
    assert {row[1]: int(row[2]) for row in rows} == {
        code or "": n for code, n in counts(frame).items()
    }
    assert ["No single state (nationwide)", "", "1"] in rows


@pytest.mark.django_db
def test_csv_link_on_the_page_carries_the_same_filters(client, register):
    response = client.get("/en/dashboard/?from=2024&to=2024&region=miami")
    assert 'href="/en/dashboard/data/region.csv?from=2024&amp;to=2024&amp;region=miami"' in (
        response.text
    )


@pytest.mark.django_db
def test_csv_neutralises_cells_a_spreadsheet_would_run(client, register):
    Region.objects.filter(code="miami").update(name_en='=HYPERLINK("http://x")')
    _, *rows = read_csv(client.get("/en/dashboard/data/region.csv"))
    assert ['\'=HYPERLINK("http://x")', "3"] in rows


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Miami", "Miami"),
        (-3, -3),
        (12, 12),
        ("", ""),
    ],
)
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


@pytest.mark.django_db
def test_unknown_chart_is_a_404(client):
    assert client.get("/en/dashboard/data/nothing.csv").status_code == 404
    assert client.get("/en/dashboard/embed/nothing/").status_code == 404


@pytest.mark.django_db
def test_csv_with_a_bad_filter_says_so(client):
    response = client.get("/en/dashboard/data/region.csv?region=nowhere")
    assert response.status_code == 400
    assert "There is no region with the code “nowhere”" in response.content.decode()


# --- Embeds -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", CHART_SLUGS)
def test_embed_pages_have_no_site_frame_and_may_be_framed(client, register, slug):
    response = client.get(f"/en/dashboard/embed/{slug}/?from=2023&region=miami")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert 'class="site-nav"' not in response.text
    assert 'class="site-header"' not in response.text
    assert set(figures(response)) == ({slug} if slug != "state-map" else set())
    if slug == "state-map":
        assert map_shapes(response)  # drawn by the portal as SVG
    assert 'href="/en/dashboard/?from=2023&amp;region=miami#chart-' in response.text
    assert response.context["chart"].note in response.text


@pytest.mark.django_db
def test_only_embed_pages_may_be_framed(client, register):
    assert client.get("/en/dashboard/")["X-Frame-Options"] == "DENY"
    assert client.get("/en/dashboard/data/region.csv")["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_embed_page_figures_equal_the_stats(client, register):
    response = client.get("/ja/dashboard/embed/fiscal-year/?from=2023")
    figure = figures(response)["fiscal-year"]
    frame = stats.by_fiscal_year(Filters(from_fy=2023))
    assert trace(figure, "cases")["y"] == frame["cases"].tolist()
    assert '<html lang="ja">' in response.text


@pytest.mark.django_db
def test_dashboard_offers_an_iframe_snippet_to_copy(client, register):
    response = client.get("/en/dashboard/?region=miami")
    assert re.search(
        r'<textarea class="embed-snippet"[^>]*readonly[^>]*>&lt;iframe '
        r"src=&quot;http://testserver/en/dashboard/embed/region/\?region=miami&quot;",
        response.text,
    )


# --- Privacy and self-hosting -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_non_public_cases_count_but_their_titles_never_appear(client, register, language):
    pages = [client.get(f"/{language}/dashboard/")]
    pages += [client.get(f"/{language}/dashboard/embed/{slug}/") for slug in CHART_SLUGS]
    pages += [client.get(f"/{language}/dashboard/data/{slug}.csv") for slug in CHART_SLUGS]
    for response in pages:
        body = response.content.decode("utf-8-sig")
        assert SECRET_TITLE not in body
        assert "非公開の歓迎会" not in body
        assert "Draft never counted" not in body
    assert tiles(pages[0])["FL"] == 3


@pytest.mark.django_db
def test_scripts_and_styles_come_only_from_our_static_files(client, register):
    text = client.get("/en/dashboard/").text
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", text)
    sources += re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", text)
    assert "/static/vendor/plotly/plotly.min.js" in sources
    assert "/static/js/charts.js" in sources
    assert sources
    assert all(source.startswith("/static/") for source in sources), sources
    assert not re.search(r"\bsrc=\"(https?:)?//", text)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/dashboard/", "/en/dashboard/embed/state-map/"])
def test_pages_have_no_inline_script_or_event_handler(client, register, url):
    text = client.get(url).text
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", text)


# --- Query counts -------------------------------------------------------------------------------


def many_cases(make_case, count: int):
    energy = Theme.objects.get(slug="energy")
    places = [("miami", "FL"), ("new-york", "NY"), ("boston", "MA"), ("washington-dc", None)]
    for index in range(count):
        region, state = places[index % len(places)]
        make_case(
            region=region,
            state=state,
            start_date=datetime.date(2018 + index % 7, 5, 1),
            is_public=index % 5 != 0,
            themes=[energy] if index % 2 else [],
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # One read of each tally, the reference data, the banner; the map's jurisdictions and
        # counties (2, remembered per generation like the reference data); the data date.
        ("/en/dashboard/", 9),
        ("/ja/dashboard/?from=2019&to=2023&region=miami&theme=energy", 11),
        ("/en/dashboard/embed/state-map/?region=miami", 9),
        # The chart, its total, and the file's provenance (data date, demonstration data).
        ("/en/dashboard/data/theme.csv?from=2020", 6),
    ],
)
def test_query_count_does_not_grow_with_the_cases(client, make_case, count, url, queries):
    many_cases(make_case, count)
    with assert_data_queries(queries):  # the uncached page
        assert client.get(url).status_code == 200


# --- The contract other pages use ---------------------------------------------------------------


@pytest.mark.django_db
def test_build_chart_gives_the_shared_contract_in_the_active_language(register):
    with translation.override("ja"):
        chart = build_chart("region", Filters(region="miami", from_fy=2024))
    assert isinstance(chart, Chart)
    assert chart.slug == "region"
    assert chart.rows == [["マイアミ", 2]]  # FY2024 and the non-public one
    assert chart.csv_url == "/ja/dashboard/data/region.csv?from=2024&region=miami"
    assert chart.embed_url == "/ja/dashboard/embed/region/?from=2024&region=miami"
    assert "マイアミ" in chart.scope
    json.dumps(chart.figure)  # plain JSON, no numpy arrays


@pytest.mark.django_db
def test_build_chart_refuses_an_unknown_slug():
    with pytest.raises(UnknownChart):
        build_chart("pie", Filters())


@pytest.mark.django_db
def test_chart_include_renders_table_csv_and_embed_links(register):
    request = RequestFactory().get("/en/regions/miami/")
    with translation.override("en"):
        chart = build_chart("state-map", Filters(region="miami"))
        html = render_to_string(
            "dashboard/includes/chart.html", {"chart": chart, "heading_level": 3}, request=request
        )
    assert '<h3 class="chart-title" id="chart-state-map-title">Cases by state</h3>' in html
    assert '<div class="us-map" id="us-map">' in html
    assert "chart-state-map-figure" not in html  # drawn by the portal, not by plotly
    assert "<details" in html
    assert "<caption>Cases by state (Miami)</caption>" in html
    assert '<th scope="col">State</th>' in html
    assert f'<th scope="row"><a href="{expected_state_url("FL")}">Florida</a></th>' in html
    assert 'href="/en/dashboard/data/state-map.csv?region=miami"' in html
    assert 'href="/en/dashboard/embed/state-map/?region=miami">Embed this chart</a>' in html


def test_embed_pages_carry_the_portal_favicon(client, register):
    """A framed chart opened on its own would otherwise make the browser 404 on /favicon.ico."""
    page = client.get("/en/dashboard/embed/state-map/").content.decode()
    assert 'rel="icon"' in page


@pytest.mark.django_db
def test_japanese_filter_messages_run_sentences_together_without_a_space(client):
    """A refused filter's message is two sentences (what is wrong, what the figures do);
    Japanese sentences follow one another with no space after 。, English ones with one."""
    page = client.get("/ja/dashboard/?region=nowhere&from=2030").content.decode()
    errors = page[page.index('<div class="filter-errors"') :]
    errors = errors[: errors.index("</div>")]
    assert "管轄地域はありません。すべての管轄地域を集計しています。" in errors
    assert "。 " not in errors
    page = client.get("/en/dashboard/?region=nowhere").content.decode()
    assert "“nowhere”. The figures cover every region." in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_page_without_filters_draws_remembered_widgets_and_builds_no_field(
    language, monkeypatch
):
    from cases.figures import reference
    from dashboard.forms import ChartFilterForm

    built = []
    build = ChartFilterForm._build_fields
    monkeypatch.setattr(
        ChartFilterForm, "_build_fields", lambda form: built.append(form) or build(form)
    )
    with translation.override(language), reference.request_scope("a-generation"):
        first = ChartFilterForm().rendered_fields()
        assert len(built) == 1
        again = ChartFilterForm()
        assert again.rendered_fields() == first
        assert again.filters() == Filters()
        assert again.active() == []
        assert len(built) == 1  # nothing of the second form was built
        fresh = ChartFilterForm()
        drawn = [(str(f.label), f.id_for_label, str(f)) for f in fresh.visible_fields()]
    assert [(f.label, f.id_for_label, f.html) for f in first] == drawn
    assert [f.id_for_label for f in first] == ["id_from", "id_to", "id_region", "id_theme"]
    assert "<optgroup" in first[3].html
