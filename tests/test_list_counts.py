"""The case browser and the API count their lists from the tallies when the filters allow
(one value at most per filter, no search), and count any other list only up to its depth
(cases.listing.list_count): the tally-backed count must equal the list itself after every
kind of change, and a longer list says "more than"."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import stats
from cases.figures import freshness
from cases.listing import ListCount, list_count, list_counts
from cases.models import Case, CasePartner, Partner, PartnerRole, Publication, Theme
from cases.stats import counting
from cases.stats.counting import counting_raw

FILTERS = [
    stats.Filters(public=True),
    stats.Filters(public=True, region="miami"),
    stats.Filters(public=True, state="FL"),
    stats.Filters(public=True, state="TX", region="houston"),
    stats.Filters(public=True, from_fy=2023, to_fy=2023),
    stats.Filters(public=True, from_fy=2024),
    stats.Filters(public=True, theme="energy"),
    stats.Filters(public=True, theme="energy", region="miami", from_fy=2023),
]


@pytest.fixture
def register(make_case):
    energy, culture = Theme.objects.get(slug="energy"), Theme.objects.get(slug="culture")
    made = {}
    for name, region, state, themes, day, public in [
        ("a", "miami", "FL", [energy], datetime.date(2023, 5, 1), True),
        ("b", "miami", "FL", [energy, culture], datetime.date(2024, 6, 1), True),
        ("c", "houston", "TX", [culture], datetime.date(2023, 7, 1), True),
        ("d", "houston", "TX", [energy], datetime.date(2024, 8, 1), False),
        ("e", "new-york", "NY", [], datetime.date(2025, 5, 1), True),
    ]:
        made[name] = make_case(
            title_en=name,
            region=region,
            state=state,
            themes=themes,
            start_date=day,
            is_public=public,
        )
    return made


def assert_tallies_agree():
    for filters in FILTERS:
        assert filters.simple
        listed = filters.cases()
        counted = list_count(listed, filters)
        assert counted.exact
        assert counted.number == listed.count(), filters
        # The browser's format and partner-kind counts come from their tallies too.
        for facet in ("format", "partner_kind"):
            with counting_raw():
                raw = counting.count_by(filters, facet)
            assert counting.count_by(filters, facet) == raw, (filters, facet)


@pytest.mark.django_db
def test_the_tally_count_is_the_list_after_every_change(register, client):
    assert_tallies_agree()
    a, b, d = register["a"], register["b"], register["d"]
    d.is_public = True  # made public
    d.save()
    assert_tallies_agree()
    a.is_public = False  # hidden again
    a.save()
    assert_tallies_agree()
    b.publication = Publication.DRAFT  # withdrawn from review: no longer counted
    b.save()
    assert_tallies_agree()
    b.themes.remove(Theme.objects.get(slug="energy"))
    assert_tallies_agree()
    register["c"].start_date = datetime.date(2024, 9, 1)  # moved to another fiscal year
    register["c"].save()
    assert_tallies_agree()
    chamber = Partner.objects.create(name_en="A chamber", kind="chamber")
    CasePartner.objects.create(case=register["c"], partner=chamber, role=PartnerRole.CO_HOST)
    CasePartner.objects.create(case=a, partner=chamber, role=PartnerRole.SPONSOR)
    assert_tallies_agree()
    chamber.kind = "university"  # a partner of another kind
    chamber.save()
    assert_tallies_agree()
    CasePartner.objects.filter(case=a).delete()
    assert_tallies_agree()
    register["c"].format = "visit"
    register["c"].save()
    assert_tallies_agree()
    register["e"].delete()
    assert_tallies_agree()
    Case.objects.filter(pk=d.pk).update(is_public=False)  # a bulk write
    freshness.cases_changed()
    assert_tallies_agree()


@pytest.mark.django_db
def test_the_browser_and_the_api_show_the_tally_count(
    register, client, django_assert_max_num_queries
):
    page = client.get("/en/cases/?region=miami")
    assert page.context["page"].paginator.count == 2
    assert "2 cases" in page.content.decode()
    body = json.loads(client.get("/api/v1/cases/?region=houston").content)
    assert (body["count"], body["count_exact"], len(body["results"])) == (1, True, 1)
    body = json.loads(client.get("/api/v1/cases/?theme=energy&theme=culture").content)
    assert (body["count"], body["count_exact"]) == (3, True)  # counted from the case table


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "More than 3 cases"), ("ja", "3件超")])
def test_a_list_longer_than_its_depth_says_more_than(make_case, client, settings, language, words):
    settings.PORTAL_SEARCH_DEPTH = 3  # q: a text search's depth (cases.listing)
    for number in range(5):
        make_case(title_en=f"Water case {number}")
    make_case(title_en="Other")
    page = client.get(f"/{language}/cases/?q=water")
    paginator = page.context["page"].paginator
    assert (paginator.count, paginator.count_exact) == (3, False)
    assert words in page.content.decode()
    body = json.loads(client.get("/api/v1/cases/?q=water&page_size=2").content)
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, False, 2)
    assert body["next"]
    # Within the depth the bounded count is exact.
    settings.PORTAL_SEARCH_DEPTH = 10
    body = json.loads(client.get("/api/v1/cases/?q=water").content)
    assert (body["count"], body["count_exact"]) == (5, True)


@pytest.mark.django_db
def test_the_region_order_is_read_a_region_at_a_time_in_the_same_order(
    make_case, client, settings
):
    settings.PORTAL_LIST_DEPTH = 100
    day = datetime.date(2023, 5, 1)
    for number in range(30):
        region, state = [("miami", "FL"), ("houston", "TX"), ("new-york", "NY")][number % 3]
        make_case(
            title_en=f"case {number:02d}",
            region=region,
            state=state,
            start_date=day + datetime.timedelta(days=number * 5),
            is_public=number % 7 != 0,
        )
    expected = [
        case.title_en
        for case in Case.objects.public().order_by("region__sort_order", "-start_date", "-pk")
    ]
    shown = []
    for page in (1, 2):
        response = client.get(f"/en/cases/?sort=region&page={page}")
        assert response.context["page"].paginator.count == len(expected)
        shown += [case.title_en for case in response.context["page"].object_list]
    assert shown == expected
    narrowed = client.get("/en/cases/?sort=region&from=2023&to=2023")
    in_2023 = Case.objects.public().filter(fiscal_year=2023)
    assert [c.title_en for c in narrowed.context["page"].object_list] == [
        c.title_en for c in in_2023.order_by("region__sort_order", "-start_date", "-pk")[:20]
    ]


@pytest.mark.django_db
def test_a_deep_page_read_by_its_ids_holds_the_same_cases(make_case, client, monkeypatch):
    from cases import listing

    day = datetime.date(2023, 5, 1)
    for number in range(50):
        make_case(
            title_en=f"case {number:02d}", start_date=day + datetime.timedelta(days=number % 9)
        )
    monkeypatch.setattr(listing, "DEEP", 20)
    expected = [c.title_en for c in Case.objects.public().order_by("-start_date", "-pk")]
    for sort, order in (("", ("-start_date", "-pk")), ("&sort=oldest", ("start_date", "pk"))):
        expected = [c.title_en for c in Case.objects.public().order_by(*order)]
        page = client.get(f"/en/cases/?page=2{sort}").context["page"]
        assert [c.title_en for c in page.object_list] == expected[20:40]
        assert [c.title_en for c in page.object_list[:1]] == expected[20:21]


@pytest.mark.django_db
def test_the_api_lists_in_region_order_as_the_browser(make_case, client):
    for number, (region, state) in enumerate([("miami", "FL"), ("houston", "TX")] * 3):
        make_case(title_en=f"case {number}", region=region, state=state)
    body = json.loads(client.get("/api/v1/cases/?sort=region&page_size=4").content)
    browser = client.get("/en/cases/?sort=region").context["page"].object_list
    assert [row["title_en"] for row in body["results"]] == [c.title_en for c in browser][:4]


@pytest.mark.django_db
def test_several_regions_in_region_order_are_read_region_by_region(make_case, client):
    """Two regions sorted by region: counted from the tallies region by region and read a
    region at a time, as one region is (cases.listing.ByRegion), in reference order."""
    from cases.listing import ByRegion, by_region
    from cases.models import Case, Region

    states = {"houston": "TX", "miami": "FL", "seattle": "WA"}
    for number, region in enumerate(["houston", "miami", "miami", "seattle", "houston"]):
        make_case(title_en=f"Case {number}", region=region, state=states[region])
    filters = stats.Filters(public=True, region=("miami", "houston"))
    ordered = by_region(Case.objects.public(), filters)
    assert isinstance(ordered, ByRegion)
    assert ordered.count() == 4
    page = client.get("/en/cases/?region=miami&region=houston&sort=region")
    listed = [case.region.code for case in page.context["cases"]]
    assert sorted(listed) == ["houston", "houston", "miami", "miami"]
    order = list(Region.objects.order_by("sort_order").values_list("code", flat=True))
    assert listed == sorted(listed, key=order.index)
    assert by_region(Case.objects.public(), stats.Filters(public=True, search="case")) is None


@pytest.mark.django_db
def test_the_api_reads_a_deep_page_by_its_ids_in_the_list_s_order(make_case, client, monkeypatch):
    from cases import listing

    day = datetime.date(2023, 5, 1)
    for number in range(30):
        make_case(title_en=f"case {number:02d}", start_date=day + datetime.timedelta(number % 7))
    monkeypatch.setattr(listing, "DEEP", 10)
    for sort, order in (("newest", ("-start_date", "-pk")), ("oldest", ("start_date", "pk"))):
        expected = [c.title_en for c in Case.objects.public().order_by(*order)]
        body = json.loads(client.get(f"/api/v1/cases/?sort={sort}&page=2&page_size=10").content)
        assert [row["title_en"] for row in body["results"]] == expected[10:20]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("matches", "listed", "reached"),
    [
        (2, ListCount(2), ListCount(2)),
        (4, ListCount(3, exact=False), ListCount(4)),
        (6, ListCount(3, exact=False), ListCount(5, exact=False)),
    ],
)
def test_one_walk_counts_a_search_for_its_list_and_its_option_counts(
    make_case, settings, matches, listed, reached
):
    """A search counted up to its depth (3 here) for the list and up to 5 for the option
    counts, in one query; the option counts then need no count of the list of their own."""
    settings.PORTAL_SEARCH_DEPTH = 3
    for n in range(matches):
        make_case(title_en=f"Lantern festival {n}")
    make_case(title_en="Something else")
    filters = stats.Filters(public=True, search="lantern")
    with CaptureQueriesContext(connection) as captured:
        found = list_counts(filters.cases(), filters, reach=5)
    assert found == (listed, reached)
    assert len([q for q in captured.captured_queries if "COUNT(" in q["sql"]]) == 1
    assert list_count(filters.cases(), filters) == listed

    with CaptureQueriesContext(connection) as captured:
        given = stats.facets(filters, ["format"], limit=5, counted=found[1])
    assert not [q for q in captured.captured_queries if "COUNT(*) FROM (SELECT" in q["sql"]]
    assert given == stats.facets(filters, ["format"], limit=5)
