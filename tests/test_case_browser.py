"""The public case browser (/<lang>/cases/) and a case's page (/<lang>/cases/<id>/)."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from cases.models import (
    CasePartner,
    CaseStatus,
    Partner,
    PartnerKind,
    PartnerRole,
    Publication,
    Theme,
)
from tests.test_query_counts import assert_data_queries

pytestmark = pytest.mark.django_db

LIST = "/en/cases/"


def listed_titles(response) -> list[str]:
    """The titles of the cases on the page, in order."""
    return [case.title for case in response.context["cases"]]


def partner(name_en, kind=PartnerKind.CHAMBER, name_ja=""):
    return Partner.objects.create(name_en=name_en, name_ja=name_ja, kind=kind)


def take_part(case, organisation, role=PartnerRole.CO_HOST):
    CasePartner.objects.create(case=case, partner=organisation, role=role)


@pytest.fixture
def register(make_case):
    """A small register: three public cases in different places, years and themes."""
    energy, culture = Theme.objects.get(slug="energy"), Theme.objects.get(slug="culture")
    miami = make_case(
        title_en="Transport infrastructure workshop",
        title_ja="交通インフラ・ワークショップ",
        summary_en="Metrorail cars from a Japanese company.",
        start_date=datetime.date(2024, 10, 15),
        city_en="Miami",
        themes=[energy],
    )
    take_part(miami, partner("Greater Miami Chamber of Commerce"))
    new_york = make_case(
        title_en="Women in STEM panel discussion",
        title_ja="STEM分野の女性パネル",
        start_date=datetime.date(2020, 3, 25),
        region="new-york",
        state="NY",
        city_en="New York",
        format="panel",
        themes=[culture],
    )
    take_part(
        new_york,
        partner(
            "Japanese Medical Society of America", PartnerKind.PROFESSIONAL, "米国日本人医師会"
        ),
    )
    palo_alto = make_case(
        title_en="Dual-use technology seminar",
        title_ja="デュアルユース技術セミナー",
        start_date=datetime.date(2022, 3, 5),
        region="san-francisco",
        state="CA",
        city_en="Palo Alto",
        format="seminar",
        themes=[energy, culture],
    )
    take_part(palo_alto, partner("Defense Innovation Unit", PartnerKind.FEDERAL_AGENCY))
    return {"miami": miami, "new_york": new_york, "palo_alto": palo_alto}


# --- what is listed ---------------------------------------------------------------------------


def test_only_public_held_cases_are_listed(client, make_case, register):
    hidden = [
        make_case(title_en="Non-public held case", is_public=False),
        make_case(title_en="Draft case", status=CaseStatus.DRAFT),
        make_case(title_en="Cancelled case", status=CaseStatus.CANCELLED),
        make_case(
            title_en="Planned case",
            status=CaseStatus.PLANNED,
            start_date=datetime.date(2024, 12, 1),
        ),
    ]
    response = client.get(LIST)
    assert response.status_code == 200
    assert sorted(listed_titles(response)) == sorted(
        [
            "Transport infrastructure workshop",
            "Women in STEM panel discussion",
            "Dual-use technology seminar",
        ]
    )
    for case in hidden:
        assert case.title_en not in response.text


def test_a_case_that_is_not_public_or_not_held_has_no_page(client, make_case):
    for fields in [
        {"is_public": False},
        {"status": CaseStatus.DRAFT},
        {"status": CaseStatus.CANCELLED},
        {"status": CaseStatus.PLANNED, "start_date": datetime.date(2024, 12, 1)},
    ]:
        case = make_case(title_en="Hidden", **fields)
        assert client.get(f"/en/cases/{case.pk}/").status_code == 404
        assert client.get(f"/ja/cases/{case.pk}/").status_code == 404
    assert client.get("/en/cases/999999/").status_code == 404


def test_cards_show_date_fiscal_year_place_region_format_and_themes(client, register):
    response = client.get(LIST)
    text = response.text
    assert "Transport infrastructure workshop" in text
    assert "15 October 2024" in text
    assert "FY2024" in text
    assert "Miami, Florida" in text
    assert "Miami district" in text
    assert "Workshop" in text
    assert '<span class="chip">Energy</span>' in text
    assert f'href="/en/cases/{register["miami"].pk}/"' in text


def test_result_count_is_shown(client, register):
    assert "3 cases" in client.get(LIST).text
    assert "1 case" in client.get(LIST + "?region=miami").text


# --- each filter ------------------------------------------------------------------------------


def test_fiscal_year_range_filters_both_ends_inclusive(client, register):
    # FY2019 (25 March 2020), FY2021 (5 March 2022), FY2024.
    assert listed_titles(client.get(LIST + "?from=2021&to=2024")) == [
        "Transport infrastructure workshop",
        "Dual-use technology seminar",
    ]
    assert listed_titles(client.get(LIST + "?to=2019")) == ["Women in STEM panel discussion"]
    assert listed_titles(client.get(LIST + "?from=2021&to=2021")) == [
        "Dual-use technology seminar"
    ]


def test_region_filter(client, register):
    assert listed_titles(client.get(LIST + "?region=new-york")) == [
        "Women in STEM panel discussion"
    ]


@pytest.mark.parametrize("code", ["CA", "ca"])
def test_state_filter_takes_the_usps_code_in_either_case(client, register, code):
    assert listed_titles(client.get(f"{LIST}?state={code}")) == ["Dual-use technology seminar"]


def test_theme_filter(client, register):
    assert listed_titles(client.get(LIST + "?theme=culture")) == [
        "Dual-use technology seminar",
        "Women in STEM panel discussion",
    ]


def test_format_filter(client, register):
    assert listed_titles(client.get(LIST + "?format=panel")) == ["Women in STEM panel discussion"]


def test_partner_kind_filter_lists_each_case_once(client, register):
    take_part(
        register["palo_alto"], partner("Another agency", PartnerKind.FEDERAL_AGENCY), "speaker"
    )
    assert listed_titles(client.get(LIST + "?partner_kind=federal")) == [
        "Dual-use technology seminar"
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("metrorail", "Transport infrastructure workshop"),  # English summary
        ("パネル", "Women in STEM panel discussion"),  # Japanese title
        ("palo alto", "Dual-use technology seminar"),  # city, two words
        ("greater miami chamber", "Transport infrastructure workshop"),  # partner (English)
        ("医師会", "Women in STEM panel discussion"),  # partner (Japanese)
    ],
)
def test_search_covers_titles_summaries_city_and_partner_names(client, register, query, expected):
    assert listed_titles(client.get(LIST, {"q": query})) == [expected]


def test_search_lists_a_case_once_when_several_partners_match(client, register):
    take_part(register["miami"], partner("Miami-Dade County"), PartnerRole.PARTICIPANT)
    take_part(register["miami"], partner("Miami International Airport"), PartnerRole.SPEAKER)
    assert listed_titles(client.get(LIST, {"q": "miami"})) == ["Transport infrastructure workshop"]


def test_filters_combine(client, register):
    assert listed_titles(client.get(LIST + "?theme=energy&from=2023")) == [
        "Transport infrastructure workshop"
    ]
    assert listed_titles(client.get(LIST + "?theme=energy&state=CA&format=seminar&q=dual")) == [
        "Dual-use technology seminar"
    ]
    response = client.get(LIST + "?theme=energy&region=new-york")
    assert listed_titles(response) == []
    assert "No public cases match these filters." in response.text


# --- sorting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Transport", "Dual-use", "Women"]),
        ("newest", ["Transport", "Dual-use", "Women"]),
        ("oldest", ["Women", "Dual-use", "Transport"]),
        ("title", ["Dual-use", "Transport", "Women"]),
        # Reference order: New York (20), Miami (80), San Francisco (120).
        ("region", ["Women", "Transport", "Dual-use"]),
    ],
)
def test_sorting(client, register, sort, expected):
    url = f"{LIST}?sort={sort}" if sort else LIST
    titles = listed_titles(client.get(url, follow=True))
    assert [title.split()[0] for title in titles] == expected


def test_title_sort_follows_the_page_language(client, make_case):
    make_case(title_en="Alpha", title_ja="ん最後")
    make_case(title_en="Omega", title_ja="あ最初")
    assert [c.title_en for c in client.get("/ja/cases/?sort=title").context["cases"]] == [
        "Omega",
        "Alpha",
    ]


# --- the URL carries every filter -------------------------------------------------------------


def test_pagination_keeps_every_filter(client, make_case):
    for day in range(1, 26):
        make_case(title_en=f"Case {day}", start_date=datetime.date(2024, 5, day))
    make_case(title_en="Elsewhere", region="new-york", state="NY")
    response = client.get(LIST + "?region=miami&sort=oldest")
    assert "25 cases" in response.text
    assert len(response.context["cases"]) == 20
    assert 'href="?region=miami&amp;sort=oldest&amp;page=2"' in response.text

    second = client.get(LIST + "?region=miami&sort=oldest&page=2")
    assert listed_titles(second) == [f"Case {day}" for day in range(21, 26)]
    assert 'href="?region=miami&amp;sort=oldest&amp;page=1"' in second.text


def test_active_filters_are_chips_that_remove_one_filter_each(client, register):
    response = client.get(LIST + "?region=miami&theme=energy&q=transport&page=1")
    chips = {item.param: item for item in response.context["active_filters"]}
    assert [chips[name].value for name in ("q", "region", "theme")] == [
        "“transport”",
        "Miami",
        "Energy",
    ]
    hrefs = re.findall(r'class="chip chip-remove[^"]*" href="([^"]+)"', response.text)
    assert hrefs == [
        "?region=miami&amp;theme=energy",
        "?theme=energy&amp;q=transport",
        "?region=miami&amp;q=transport",
    ]


def test_the_filter_form_shows_the_filters_in_the_url(client, register):
    response = client.get(LIST + "?region=miami&from=2020")
    checked = r'<input type="checkbox" name="region" value="miami" [^>]*checked>'
    assert re.search(checked, response.text)
    assert re.search(r'<option value="2020" selected>FY2020</option>', response.text)


def test_blank_form_fields_are_dropped_from_the_url(client, register):
    response = client.get(LIST + "?q=&from=&to=&region=miami&state=&theme=")
    assert response.status_code == 302
    assert response["Location"] == "/en/cases/?region=miami"
    assert client.get(LIST + "?q=&region=").headers["Location"] == "/en/cases/"


def test_sort_links_keep_the_filters_and_start_again_at_page_one(client, register):
    response = client.get(LIST + "?region=miami&page=1")
    assert 'href="?region=miami&amp;sort=title"' in response.text


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=abc", "“abc” is not a fiscal year."),
        ("to=1999", "The register starts with FY2017 (1 April 2017)."),
        ("region=nowhere", "There is no region with the code “nowhere”."),
        ("state=ZZ", "There is no state with the code “ZZ”."),
        ("theme=nothing", "There is no theme “nothing”."),
        ("format=party", "“party” is not a format."),
        ("partner_kind=alien", "“alien” is not a kind of partner."),
        ("sort=evil", "Cases cannot be sorted by “evil”."),
        ("from=2024&to=2020", "The first fiscal year (FY2024) is after the last (FY2020)."),
    ],
)
def test_an_unknown_filter_value_is_reported_and_ignored(client, register, query, message):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert "could not be used and are ignored" in response.text
    assert message in response.text
    assert response.context["cases"]  # the rest of the URL still applies


def test_an_ignored_filter_can_be_removed_like_any_other(client, register):
    response = client.get(LIST + "?region=nowhere&theme=energy")
    assert listed_titles(response) == [
        "Transport infrastructure workshop",
        "Dual-use technology seminar",
    ]
    assert 'href="?theme=energy"' in response.text
    assert "(ignored)" in response.text


@pytest.mark.parametrize(("page", "shown"), [("999", 2), ("x", 1), ("0", 2), ("-1", 2), ("2", 2)])
def test_a_page_out_of_range_shows_the_nearest_page(client, make_case, page, shown):
    for day in range(1, 26):
        make_case(title_en=f"Case {day}", start_date=datetime.date(2024, 5, day))
    response = client.get(f"{LIST}?page={page}")
    assert response.status_code == 200
    assert response.context["page"].number == shown
    if page != "2":
        assert f"There is no page “{page}”" in response.text


def test_overlong_search_text_is_cut_not_crashed(client, register):
    response = client.get(LIST, {"q": "x" * 500})
    assert response.status_code == 200
    assert "could not be used" not in response.text
    assert response.context["active_filters"][0].value == f"“{'x' * 100}”"


def test_the_filter_form_is_a_get_form_without_scripts(client, register):
    text = client.get(LIST + "?region=miami").text
    assert re.search(r'<form method="get" action="/en/cases/"', text)
    assert "<script>" not in text
    assert not re.search(r"\son[a-z]+=", text)


# --- languages --------------------------------------------------------------------------------


def test_the_browser_renders_in_japanese(client, register):
    response = client.get("/ja/cases/?theme=energy")
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "交通インフラ・ワークショップ" in response.text
    assert "2024年度（令和6年度）" in response.text
    assert "フロリダ州" in response.text


def test_a_missing_japanese_title_falls_back_to_english_with_a_marker(client, make_case):
    case = make_case(title_en="Only in English", title_ja="", summary_en="English summary.")
    listing = client.get("/ja/cases/").text
    assert '<span lang="en">Only in English</span><span class="lang-fallback"' in listing
    detail = client.get(f"/ja/cases/{case.pk}/").text
    assert "lang-fallback" in detail
    assert '<div lang="en"><p>English summary.</p></div>' in detail
    assert "lang-fallback" not in client.get("/en/cases/").text


def test_a_missing_english_title_falls_back_to_japanese_with_a_marker(client, make_case):
    make_case(title_en="", title_ja="日本語のみ")
    assert '<span lang="ja">日本語のみ</span><span class="lang-fallback"' in client.get(LIST).text


def test_the_language_switch_keeps_the_filters(client, register):
    text = client.get(LIST + "?region=miami&sort=title").text
    assert 'href="/ja/cases/?region=miami&amp;sort=title"' in text


# --- a case's page ----------------------------------------------------------------------------


def test_case_page_shows_its_facts_partners_and_links(client, register):
    case = register["new_york"]
    case.participants = 120
    case.summary_en = "A panel at the Nippon Club."
    case.save()
    response = client.get(f"/en/cases/{case.pk}/")
    text = response.text
    assert response.status_code == 200
    assert "<h1>Women in STEM panel discussion</h1>" in text
    assert "A panel at the Nippon Club." in text
    assert "25 March 2020" in text
    assert "FY2019" in text
    assert 'href="/en/states/NY/">New York</a>' in text
    assert 'href="/en/regions/new-york/">Consulate-General of Japan in New York</a>' in text
    assert "Panel discussion" in text
    assert "120" in text
    assert 'href="/en/cases/?theme=culture"' in text
    assert "Japanese Medical Society of America" in text
    assert "Co-host" in text
    assert 'aria-label="Breadcrumbs"' in text


def test_case_page_in_japanese(client, register):
    response = client.get(f"/ja/cases/{register['miami'].pk}/")
    assert response.status_code == 200
    assert "交通インフラ・ワークショップ" in response.text
    assert "2024年10月15日" in response.text


def test_case_page_links_its_published_showcase_page(client, register):
    showcase = pytest.importorskip("showcase.models")
    if not hasattr(showcase, "ShowcasePage"):
        pytest.skip("the showcase pages are not built yet")
    case = register["miami"]
    page = showcase.ShowcasePage.objects.create(
        case=case, slug="miami-transport", title_en="Miami's Metrorail workshop"
    )
    url = f"/en/cases/{case.pk}/"
    with translation.override("en"):
        showcase_url = reverse("showcase:detail", kwargs={"slug": "miami-transport"})
    assert showcase_url not in client.get(url).text  # a draft is never linked

    page.publication = Publication.PUBLISHED
    page.published_at = datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC)
    page.save()
    assert f'href="{showcase_url}"' in client.get(url).text
    assert f'href="{showcase_url}"' in client.get(LIST).text


# --- query counts do not grow with the register -----------------------------------------------


def build_register(make_case, size):
    energy, culture = Theme.objects.get(slug="energy"), Theme.objects.get(slug="culture")
    organisation = partner(f"Partner for {size}", PartnerKind.FEDERAL_AGENCY)
    cases = []
    for index in range(size):
        case = make_case(
            title_en=f"Case {index}",
            start_date=datetime.date(2024, 4, 1) + datetime.timedelta(days=index),
            themes=[energy, culture],
        )
        take_part(case, organisation)
        take_part(case, partner(f"Speaker {size}-{index}"), PartnerRole.SPEAKER)
        cases.append(case)
    return cases


# Count, page of cases (their themes are named from their rows: no query); the demo-banner
# check; published showcase pages for the cases shown; the count of each option of the five
# filters (regions, states and themes with their reference lists, which also give the options
# themselves: once per data generation, not per page); the public and held totals; the data
# date in the footer.
LIST_QUERIES = 15
# With region, state and theme set: the region's district (the states offered are those of the
# chosen districts). The values are checked against the reference lists the option counts
# read anyway (`stats.Filters.read`), so they cost nothing more (they were three queries).
FILTERED_LIST_QUERIES = LIST_QUERIES + 1
# The search words: on PostgreSQL, one EXPLAIN per word, the planner's estimate of how many
# cases hold it (cases.search.is_rare), asked once for the list and all its option counts.
SEARCH_QUERIES = 1 if connection.vendor == "postgresql" else 0
# Each option list the tallies cannot count is sized first (counted up to the limit, once per
# set of filters: here the four lists without region, state, theme and partner kind), so that
# a list of a hundred thousand cases is never grouped. The list itself (for formats) is sized
# by its own count, which counts that far (cases.listing.list_counts).
SIZED_FACETS = 4
# The case, its themes, its partners (with the partner); its published showcase page; the
# banner; three more cases from the region and their themes.
DETAIL_QUERIES = 8  # and the data date in the footer


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow_with_the_register(client, make_case, size):
    build_register(make_case, size)
    with assert_data_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    with assert_data_queries(FILTERED_LIST_QUERIES + SEARCH_QUERIES + SIZED_FACETS):
        response = client.get(
            LIST + "?region=miami&state=FL&theme=energy&q=case&partner_kind=federal"
        )
        assert response.status_code == 200
    assert len(response.context["cases"]) == min(size, 20)


@pytest.mark.parametrize("size", [3, 30])
def test_detail_query_count_does_not_grow_with_partners_or_themes(client, make_case, size):
    cases = build_register(make_case, size)
    case = cases[0]
    for index in range(size):
        take_part(case, partner(f"Sponsor {size}-{index}"), PartnerRole.SPONSOR)
    with assert_data_queries(DETAIL_QUERIES):
        assert client.get(f"/en/cases/{case.pk}/").status_code == 200


@pytest.mark.parametrize("param", ["q", "region", "state", "theme", "from", "sort", "page"])
def test_a_nul_character_in_any_parameter_is_not_a_server_error(client, register, param):
    response = client.get(LIST, {param: "a\x00b"})
    assert response.status_code == 200


def test_the_filter_form_is_drawn_by_one_shared_jinja2_renderer(client, register):
    """The filter form draws a few hundred choices on every page: its widgets use Django's
    Jinja2 templates through one renderer kept for the worker (compiled once), and draw the
    same controls: checked boxes, selected options, labels."""
    from django.forms.renderers import Jinja2

    first = client.get(LIST, {"region": "miami", "from": "2022"})
    second = client.get(LIST)
    form, other = first.context["form"], second.context["form"]
    assert isinstance(form.renderer, Jinja2)
    assert form.renderer is other.renderer
    html = first.content.decode()
    assert re.search(r'<input type="checkbox" name="region" value="miami"[^>]* checked', html)
    assert re.search(r'<option value="2022" selected>FY2022</option>', html)
    assert '<label for="id_q">' in html


@pytest.mark.parametrize(
    "path",
    [
        LIST,
        LIST + "?region=miami&theme=energy&theme=culture&format=seminar&partner_kind=chamber",
        LIST + "?state=CA&region=san-francisco&from=2020&to=2024",
        LIST + "?region=nowhere&theme=energy",
        LIST + "?q=seminar",
        "/ja/cases/?theme=culture&state=NY",
    ],
)
def test_the_checkboxes_written_in_python_are_django_s_own_markup(
    client, register, monkeypatch, settings, path
):
    """The browser's lists of checkboxes are written without templates (cases.filters.
    Checkboxes): every list, checked or not, counted, grouped (themes), in either language
    and with an error, is the markup Django's own Jinja2 widget templates give."""
    from django import forms

    from cases.filters import Checkboxes

    def facets(response) -> list[str]:
        found = re.findall(r'<details class="facet".*?</details>', response.text, re.S)
        assert len(found) >= 5
        return found

    settings.PORTAL_FIGURE_CACHE = False  # both pages drawn, neither read from the cache
    fast = facets(client.get(path))
    monkeypatch.setattr(Checkboxes, "render", forms.CheckboxSelectMultiple.render)
    assert fast == facets(client.get(path))
