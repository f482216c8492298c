"""Facets that count: several values per filter, each option's count under the other
filters, states narrowed by the chosen districts, the URL a permalink, downloads following,
and every count equal to `manage.py case_stats --public` for the same filters."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from cases import stats
from cases.models import CasePartner, Partner, PartnerRole, Region, Theme
from tests.test_downloads import csv_rows

LIST = "/en/cases/"


def test_one_value_in_a_tuple_is_the_single_value_old_callers_pass():
    assert stats.Filters(region=("miami",)) == stats.Filters(region="miami")
    assert stats.Filters(theme=["startups", "energy"]).theme == ("energy", "startups")
    assert stats.Filters(state=["fl", "tx"]).states == ("FL", "TX")
    assert stats.Filters(region="miami").regions == ("miami",)
    assert stats.Filters(region="miami").simple
    assert not stats.Filters(region=("miami", "houston")).simple
    assert stats.Filters(public=True).simple
    assert not stats.Filters(public=True, search="water").simple


@pytest.fixture
def register(make_case):
    """Cases in Miami, Houston and New York with energy, start-up and culture themes; one
    Miami case has both energy and start-ups (it must count once)."""
    energy, startups, culture = (
        Theme.objects.get(slug=slug) for slug in ("energy", "startups", "culture")
    )
    day = datetime.date(2023, 5, 1)
    made = {}
    for name, region, state, themes, fmt in [
        ("miami-energy", "miami", "FL", [energy], "workshop"),
        ("miami-both", "miami", "FL", [energy, startups], "seminar"),
        ("miami-culture", "miami", "FL", [culture], "seminar"),
        ("houston-startups", "houston", "TX", [startups], "panel"),
        ("houston-oklahoma", "houston", "OK", [energy], "visit"),
        ("new-york-energy", "new-york", "NY", [energy], "workshop"),
    ]:
        made[name] = make_case(
            title_en=name, region=region, state=state, themes=themes, format=fmt, start_date=day
        )
        day += datetime.timedelta(days=20)
    made["hidden"] = make_case(
        title_en="hidden", region="miami", themes=[energy], is_public=False, start_date=day
    )
    chamber = Partner.objects.create(name_en="A chamber", kind="chamber")
    CasePartner.objects.create(case=made["miami-both"], partner=chamber, role=PartnerRole.CO_HOST)
    return made


def listed(response) -> list[str]:
    return sorted(case.title_en for case in response.context["page"].object_list)


def case_stats(*args) -> dict:
    out = io.StringIO()
    call_command("case_stats", "--public", "--format", "json", *args, stdout=out)
    data = json.loads(out.getvalue())
    return {row["key"]: row["cases"] for row in data["rows"]} | {"__total__": data["total"]}


QUERY = "?theme=energy&theme=startups&region=miami&region=houston"


@pytest.mark.django_db
class TestSeveralValues:
    def test_two_themes_and_two_districts_give_the_union_once_each(self, client, register):
        response = client.get(LIST + QUERY)
        assert listed(response) == [
            "houston-oklahoma",
            "houston-startups",
            "miami-both",
            "miami-energy",
        ]
        assert "4 cases" in response.text

    def test_the_count_is_case_stats_for_the_same_filters(self, client, register):
        response = client.get(LIST + QUERY)
        total = case_stats(
            "--theme", "energy", "--theme", "startups", "--region", "miami", "--region", "houston"
        )["__total__"]
        assert response.context["page"].paginator.count == total == 4

    def test_option_counts_equal_case_stats_under_the_other_filters(self, client, register):
        form = client.get(LIST + QUERY).context["form"]
        regions = ("--region", "miami", "--region", "houston")
        themes = ("--theme", "energy", "--theme", "startups")
        expected_themes = case_stats("--by", "theme", *regions)
        expected_regions = case_stats("--by", "region", *themes)
        expected_states = case_stats("--by", "state", *regions, *themes)
        expected_formats = case_stats("--by", "format", *regions, *themes)
        assert form.fields["theme"].counts["energy"] == expected_themes["energy"] == 3
        assert form.fields["theme"].counts["startups"] == expected_themes["startups"] == 2
        assert form.fields["region"].counts["new-york"] == expected_regions["new-york"] == 1
        assert form.fields["region"].counts["miami"] == expected_regions["miami"] == 2
        assert form.fields["state"].counts["OK"] == expected_states["OK"] == 1
        assert form.fields["format"].counts["seminar"] == expected_formats["seminar"] == 1

    def test_labels_show_the_counts(self, client, register):
        html = client.get(LIST + QUERY).text
        assert "Energy (3)" in html
        assert "New York (1)" in html

    def test_states_are_those_of_the_chosen_districts(self, client, register):
        form = client.get(LIST + "?region=miami&region=houston").context["form"]
        offered = {code for code, _label in form.fields["state"].choices}
        assert {"FL", "TX", "OK"} <= offered
        assert not {"NY", "CA"} & offered
        everything = client.get(LIST).context["form"].fields["state"].choices
        assert len(list(everything)) == len(everything) == 56

    def test_the_options_follow_a_renamed_region_and_the_page_language(self, client, register):
        # The options come from the reference rows, remembered per data generation: a
        # change to a region moves the generation, and the page shows the new name.
        assert "Miami (" in client.get(LIST).text
        region = Region.objects.get(code="miami")
        region.name_en, region.name_ja = "Miami and Puerto Rico", "マイアミ・プエルトリコ"
        region.save()
        assert "Miami and Puerto Rico (" in client.get(LIST).text
        assert "マイアミ・プエルトリコ (" in client.get("/ja/cases/").text

    def test_a_chosen_state_outside_the_districts_stays_offered(self, client, register):
        form = client.get(LIST + "?region=miami&state=NY").context["form"]
        assert "NY" in {code for code, _label in form.fields["state"].choices}

    def test_chips_remove_one_value_and_keep_the_others(self, client, register):
        response = client.get(LIST + "?theme=energy&theme=startups")
        chips = response.context["active_filters"]
        assert [chip.value for chip in chips] == ["Energy", "Start-ups"]
        assert chips[0].removal == {"theme": ["startups"], "page": None}
        assert 'href="?theme=startups"' in response.text

    def test_a_state_in_lower_case_is_removed_by_its_chip(self, client, register):
        chips = client.get(LIST + "?state=fl&state=TX").context["active_filters"]
        assert chips[0].removal == {"state": ["TX"], "page": None}

    def test_an_unknown_value_is_reported_and_the_rest_apply(self, client, register):
        response = client.get(LIST + "?theme=energy&theme=nonsense&region=houston")
        assert response.status_code == 200
        assert "There is no theme" in response.text
        # The theme filter is ignored as a whole; the region still applies.
        assert listed(response) == ["houston-oklahoma", "houston-startups"]

    def test_the_download_follows_the_filters(self, client, register):
        response = client.get("/en/cases/export.csv" + QUERY)
        rows = csv_rows(response)
        assert len(rows) == 4

    def test_blank_values_are_dropped_and_repeated_ones_kept(self, client, register):
        response = client.get(LIST + "?theme=energy&theme=&theme=startups")
        assert response.status_code == 302
        assert response["Location"] == LIST + "?theme=energy&theme=startups"

    def test_tallies_and_case_table_agree_for_simple_filters(self, register):
        for filters in (stats.Filters(region="miami"), stats.Filters(theme="energy")):
            with stats.counting_raw():
                raw = stats.region_rows(filters)
            assert stats.region_rows(filters) == raw


@pytest.mark.django_db
class TestOptionCountsThatWouldCostTooMuch:
    """Counts the tallies cannot give are counted from the case table only for lists of at
    most a limit of cases; a larger list shows those options bare, and says why."""

    def test_within_the_limit_every_facet_is_counted_as_without_one(self, register):
        filters = stats.Filters(public=True, search="miami", region=("miami", "houston"))
        assert stats.facets(filters, limit=3) == stats.facets(filters)

    def test_beyond_the_limit_only_what_the_tallies_answer_is_counted(self, register):
        filters = stats.Filters(public=True, region=("miami", "houston"))  # 5 public cases
        found = stats.facets(filters, limit=4)
        unlimited = stats.facets(filters)
        # Without its own filter the region facet is a simple list: from the tallies.
        assert found["region"] == unlimited["region"]
        for name in ("fiscal_year", "state", "theme", "format", "partner_kind"):
            assert found[name] is None, name

    def test_a_theme_keeps_its_tallied_facets_and_drops_format_and_kind(self, register):
        filters = stats.Filters(public=True, theme="energy")  # 4 public cases
        found = stats.facets(filters, limit=3)
        assert found["region"] == stats.facets(filters)["region"]
        assert found["format"] is None
        assert found["partner_kind"] is None

    def test_a_search_counts_its_options_only_within_the_cases_it_lists(
        self, client, register, settings
    ):
        """A search with more matches than it lists (its depth) is too broad to count option
        by option: one count, up to its depth, tells the page both."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        settings.PORTAL_FIGURE_CACHE = False
        settings.PORTAL_SEARCH_DEPTH = 3
        with CaptureQueriesContext(connection) as queries:
            broad = client.get(LIST, {"q": "miami"}).content.decode()  # 3 public cases
        assert "The numbers are shown when the list has at most 3 cases." not in broad
        assert "Seminar (2)" in broad
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        assert len([sql for sql in counts if "cases_case" in sql]) == 1
        settings.PORTAL_SEARCH_DEPTH = 2
        broad = client.get(LIST, {"q": "miami"}).content.decode()
        assert "The numbers are shown when the list has at most 2 cases." in broad
        assert "Seminar (" not in broad
        # A list that is not a search keeps the wider limit.
        assert "Seminar (2)" in client.get(LIST, {"region": "miami"}).content.decode()

    def test_the_browser_shows_bare_options_and_says_why(self, client, register, monkeypatch):
        monkeypatch.setattr("cases.views.FACET_COUNT_LIMIT", 4)
        html = client.get(LIST, {"region": ["miami", "houston"]}).content.decode()
        assert "The numbers are shown when the list has at most 4 cases." in html
        assert "Workshop (" not in html
        assert "Miami (3)" in html  # the region facet comes from the tallies
        # The states offered are still the chosen districts' (from the reference data).
        assert 'value="OK"' in html
        assert 'value="NY"' not in html
        japanese = client.get("/ja/cases/", {"region": ["miami", "houston"]}).content.decode()
        assert "件数は、一覧が4件以下のときに表示します。" in japanese
        counted = client.get(LIST, {"region": "miami"}).content.decode()
        assert "The numbers are shown" not in counted
        assert "Workshop (1)" in counted
