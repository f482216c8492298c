"""The staff admin: the case list and form, its rules, its actions and its query counts."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.functional import Promise

from cases.figures import freshness
from cases.models import (
    Case,
    CaseOrigin,
    CasePartner,
    CaseStatus,
    County,
    Jurisdiction,
    Partner,
    PartnerKind,
    Region,
    State,
    Theme,
)
from exchange.models import ImportBatch

# Queries for one page, whatever the number of cases or partners: pinned so a change that adds
# a query per row (or any query) shows up here.
# The changelist (21): session, user; the filters' choices, once each (fiscal years, regions,
# states, themes, imports); the two counts; the page of cases; one facet count per filter shown
# (9: the import filter shows only once some case came from an import); the date hierarchy (2).
# The change form (10): session, user; the case with its people and import; its themes; the
# chosen themes' labels; its partner rows with their partners; the content type; the regions;
# the states by region; the counties with their states and districts.
# The list (21) and the register summary above it (official figure, pending, queue: 4), and
# the staff member's permissions and roles (3: what a superuser never needs to read).
CHANGELIST_QUERIES = 28
# The form (10) and the record's revisions above it (the record, pending, last rejection: 3),
# and the staff member's permissions and roles (3).
CHANGE_FORM_QUERIES = 16


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test here makes a superuser; the real hasher's slowness buys nothing in a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def changelist_url(language="en"):
    return f"/{language}/admin/cases/case/"


def change_url(case, language="en"):
    return f"/{language}/admin/cases/case/{case.pk}/change/"


def add_url(language="en"):
    return f"/{language}/admin/cases/case/add/"


def region(code):
    return Region.objects.get(code=code)


def state(code):
    return State.objects.get(code=code)


def case_form(partners=(), **fields):
    """What the browser sends for the case form, with its partner inline, as strings."""
    data = {
        "title_en": "Transport infrastructure workshop",
        "title_ja": "交通インフラ・ワークショップ",
        "summary_en": "",
        "summary_ja": "",
        "start_date": "2024-10-15",
        "end_date": "",
        "region": str(region("miami").pk),
        "state": str(state("FL").pk),
        "city_en": "Miami",
        "format": "workshop",
        "status": "held",
        "participants": "",
        "is_public": "on",
        "partner_roles-TOTAL_FORMS": str(len(partners)),
        "partner_roles-INITIAL_FORMS": "0",
        "partner_roles-MIN_NUM_FORMS": "0",
        "partner_roles-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (partner, role) in enumerate(partners):
        data[f"partner_roles-{index}-partner"] = str(partner.pk)
        data[f"partner_roles-{index}-role"] = role
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def titles(response) -> set[str]:
    return {case.title_en for case in response.context["cl"].result_list}


def count_queries(client, url) -> int:
    # The content-type cache lives for the process; empty it so every count starts the same.
    ContentType.objects.clear_cache()
    # The test's own writes are counted into the tallies now, not by the page it measures.
    freshness.flush()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def chamber(db):
    return Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce",
        name_ja="グレーター・マイアミ商工会議所",
        kind=PartnerKind.CHAMBER,
        state=state("FL"),
    )


@pytest.fixture
def miami_workshop(make_case, chamber):
    case = make_case(
        title_en="Transport infrastructure workshop",
        title_ja="交通インフラ・ワークショップ",
        city_en="Miami",
        city_ja="マイアミ",
        themes=[Theme.objects.get(slug="investment-jobs")],
    )
    CasePartner.objects.create(case=case, partner=chamber, role="co-host")
    return case


# --- pages ------------------------------------------------------------------------------------


class TestPagesRender:
    @pytest.mark.parametrize(
        ("language", "title", "fiscal_year"),
        [
            ("en", "Transport infrastructure workshop", ("FY2024", "FY2024")),
            ("ja", "交通インフラ・ワークショップ", ("2024年度（令和6年度）", "2024年度")),
        ],
    )
    def test_case_list_shows_each_case_in_the_language_with_its_fiscal_year_and_partners(
        self, hq_client, miami_workshop, language, title, fiscal_year
    ):
        response = hq_client.get(changelist_url(language))
        assert response.status_code == 200
        page = response.content.decode()
        assert title in page
        # The short year in the column, the era name on hover; place and partners in the row.
        label, short = fiscal_year
        assert f'<abbr title="{label}">{short}</abbr>' in page
        partners = "1 partner" if language == "en" else "パートナー1者"
        city = "Miami" if language == "en" else "マイアミ"
        assert re.search(rf'<span class="case-meta">{city}, FL · [^<]+ · {partners}</span>', page)

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_change_form_shows_the_case_its_partner_and_its_provenance(
        self, hq_client, miami_workshop, language
    ):
        response = hq_client.get(change_url(miami_workshop, language))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'value="Transport infrastructure workshop"' in page
        partner_name = (
            "Greater Miami Chamber" if language == "en" else "グレーター・マイアミ商工会議所"
        )
        assert re.search(rf'<option value="\d+" selected>{partner_name}', page)
        fiscal_year = "FY2024" if language == "en" else "2024年度（令和6年度）"
        assert re.search(
            rf'field-fiscal_year_display">.*?<div class="readonly">{fiscal_year}</div>', page, re.S
        )

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_add_form_offers_states_grouped_by_region_and_no_provenance(self, hq_client, language):
        response = hq_client.get(add_url(language))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count("<optgroup") == Region.objects.count()
        assert "field-fiscal_year_display" not in page
        assert "cases/admin/case_form.js" in page

    def test_site_header_and_titles_are_translatable(self, hq_client):
        assert all(
            isinstance(text, Promise)
            for text in (admin.site.site_header, admin.site.site_title, admin.site.index_title)
        )
        page = hq_client.get("/en/admin/").content.decode()
        assert "Grassroots Portal staff" in page
        assert "Case register" in page

    @pytest.mark.parametrize(
        "model",
        ["region", "state", "jurisdiction", "office", "theme", "partner", "publishedfigure"],
    )
    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_reference_data_lists_render(self, hq_client, miami_workshop, model, language):
        response = hq_client.get(f"/{language}/admin/cases/{model}/")
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) > 0


class TestReferenceData:
    def test_region_list_counts_the_states_in_each_district(self, hq_client):
        response = hq_client.get("/en/admin/cases/region/")
        counts = {region.code: region.state_count for region in response.context["cl"].result_list}
        assert counts["los-angeles"] == 2  # Arizona and southern California
        assert len(counts) == 17

    def test_region_page_lists_its_states_and_says_which_part_of_a_split_state(self, hq_client):
        page = hq_client.get(
            f"/en/admin/cases/region/{region('los-angeles').pk}/change/"
        ).content.decode()
        assert "<li>Arizona (AZ)</li>" in page
        assert "<li>California (CA) — Los Angeles covers the 9 southern counties" in page

    def test_state_page_shows_the_districts_that_hold_it(self, hq_client):
        response = hq_client.get(f"/ja/admin/cases/state/{state('CT').pk}/change/")
        assert response.status_code == 200
        formset = response.context["inline_admin_formsets"][0].formset
        assert {form.instance.region.code for form in formset.forms if form.instance.pk} == {
            "new-york",
            "boston",
        }

    def test_partner_list_counts_a_case_once_whatever_the_roles(
        self, hq_client, miami_workshop, chamber
    ):
        CasePartner.objects.create(case=miami_workshop, partner=chamber, role="speaker")
        response = hq_client.get("/en/admin/cases/partner/")
        assert [partner.case_count for partner in response.context["cl"].result_list] == [1]


class TestStateSelect:
    def test_split_states_are_offered_under_both_districts(self, hq_client):
        page = hq_client.get(add_url()).content.decode()
        groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
        california = f'value="{state("CA").pk}"'
        assert california in groups["Los Angeles"]
        assert california in groups["San Francisco"]
        assert california not in groups["Miami"]
        assert "California (part)" in groups["Los Angeles"]

    def test_each_option_names_its_region_for_the_script(self, hq_client):
        page = hq_client.get(add_url()).content.decode()
        select = re.search(r'<select name="state".*?</select>', page, re.S).group(0)
        florida = re.search(rf'<option value="{state("FL").pk}"[^>]*>', select).group(0)
        assert f'data-region="{region("miami").pk}"' in florida

    def test_existing_split_state_is_selected_once(self, hq_client, make_case):
        case = make_case(region="san-francisco", state="CA")
        page = hq_client.get(change_url(case)).content.decode()
        assert len(re.findall(rf'<option value="{state("CA").pk}"[^>]*selected', page)) == 1


# --- searching and filtering ------------------------------------------------------------------


class TestSearch:
    @pytest.mark.parametrize("term", ["Miami Chamber", "マイアミ商工会議所"])
    def test_search_by_partner_name_finds_the_case_once(
        self, hq_client, miami_workshop, make_case, chamber, term
    ):
        # A second role for the same partner must not list the case twice.
        CasePartner.objects.create(case=miami_workshop, partner=chamber, role="sponsor")
        make_case(title_en="Unrelated seminar")
        response = hq_client.get(changelist_url(), {"q": term})
        assert [case.pk for case in response.context["cl"].result_list] == [miami_workshop.pk]

    @pytest.mark.parametrize("term", ["infrastructure", "交通インフラ", "miami"])
    def test_search_by_title_in_either_language_or_city(
        self, hq_client, miami_workshop, make_case, term
    ):
        make_case(title_en="Unrelated seminar", title_ja="無関係", city_en="Boston")
        response = hq_client.get(changelist_url(), {"q": term})
        assert titles(response) == {"Transport infrastructure workshop"}

    def test_partner_autocomplete_finds_partners_by_japanese_name(self, hq_client, chamber):
        response = hq_client.get(
            "/en/admin/autocomplete/",
            {
                "app_label": "cases",
                "model_name": "casepartner",
                "field_name": "partner",
                "term": "商工会議所",
            },
        )
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == [str(chamber.pk)]


@pytest.fixture
def filtered_register(make_case, hq_editor):
    """Two cases that differ on every filter of the case list."""
    batch = ImportBatch.objects.create(
        file_name="cases.xlsx", file_sha256="0" * 64, file_format="xlsx", imported_by=hq_editor
    )
    make_case(
        title_en="Miami workshop",
        region="miami",
        state="FL",
        start_date=datetime.date(2024, 10, 1),
        themes=[Theme.objects.get(slug="energy")],
    )
    make_case(
        title_en="Los Angeles seminar",
        region="los-angeles",
        state="CA",
        start_date=datetime.date(2024, 3, 31),
        status=CaseStatus.PLANNED,
        is_public=False,
        is_best_practice=True,
        origin=CaseOrigin.IMPORT,
        import_batch=batch,
        themes=[Theme.objects.get(slug="stem-women")],
    )
    return batch


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (lambda: {"fiscal_year": "2023"}, "Los Angeles seminar"),
            (lambda: {"fiscal_year": "2024"}, "Miami workshop"),
            (lambda: {"region__id__exact": region("miami").pk}, "Miami workshop"),
            (lambda: {"state__id__exact": state("CA").pk}, "Los Angeles seminar"),
            (
                lambda: {"themes__id__exact": Theme.objects.get(slug="energy").pk},
                "Miami workshop",
            ),
            (lambda: {"status__exact": "planned"}, "Los Angeles seminar"),
            (lambda: {"is_public__exact": "1"}, "Miami workshop"),
            (lambda: {"is_best_practice__exact": "1"}, "Los Angeles seminar"),
            (lambda: {"origin__exact": "import"}, "Los Angeles seminar"),
            (
                lambda: {"import_batch__id__exact": ImportBatch.objects.get().pk},
                "Los Angeles seminar",
            ),
        ],
        ids=[
            "fy2023",
            "fy2024",
            "region",
            "state",
            "theme",
            "status",
            "public",
            "best-practice",
            "origin",
            "import",
        ],
    )
    def test_each_filter_narrows_the_list(self, hq_client, filtered_register, query, expected):
        response = hq_client.get(changelist_url(), query())
        assert response.status_code == 200
        assert titles(response) == {expected}

    def test_fiscal_year_choices_are_labelled_and_counted(self, hq_client, filtered_register):
        page = hq_client.get(changelist_url()).content.decode()
        assert "FY2024 (1)" in page
        assert "FY2023 (1)" in page

    def test_state_filter_offers_only_states_with_cases(self, hq_client, filtered_register):
        page = hq_client.get(changelist_url()).content.decode()
        assert "California (1)" in page
        assert "Texas" not in page

    def test_nonsense_fiscal_year_is_ignored(self, hq_client, filtered_register):
        response = hq_client.get(changelist_url(), {"fiscal_year": "soon"})
        assert response.status_code == 200
        assert len(titles(response)) == 2


# --- the form's rules -------------------------------------------------------------------------


class TestCaseForm:
    def test_state_outside_the_regions_district_is_refused_on_the_state_field(
        self, hq_client, chamber
    ):
        data = case_form(
            partners=[(chamber, "co-host")],
            region=str(region("los-angeles").pk),
            state=str(state("FL").pk),
        )
        response = hq_client.post(add_url(), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["state"]
        assert "Florida is not in the district of Los Angeles" in errors["state"][0]
        assert "Florida is not in the district of Los Angeles" in response.content.decode()
        assert not Case.objects.exists()
        assert not CasePartner.objects.exists()

    def test_state_outside_the_district_is_refused_when_changing_a_case(
        self, hq_client, miami_workshop
    ):
        data = case_form(region=str(region("new-york").pk))
        response = hq_client.post(change_url(miami_workshop), data)
        assert response.status_code == 200
        assert "state" in response.context["adminform"].form.errors
        miami_workshop.refresh_from_db()
        assert miami_workshop.region.code == "miami"

    @pytest.mark.parametrize("region_code", ["los-angeles", "san-francisco"])
    def test_california_is_accepted_under_either_district_that_holds_part_of_it(
        self, hq_client, chamber, region_code
    ):
        # A California case names its county, one of the region's (issue 11).
        fips = {"los-angeles": "06037", "san-francisco": "06085"}[region_code]
        data = case_form(
            partners=[(chamber, "speaker")],
            region=str(region(region_code).pk),
            state=str(state("CA").pk),
            county=str(County.objects.get(fips=fips).pk),
            city_en="Palo Alto",
        )
        response = hq_client.post(add_url(), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        case = Case.objects.get()
        assert (case.region.code, case.state.code, case.fiscal_year) == (region_code, "CA", 2024)
        assert [(role.partner, role.role) for role in case.partner_roles.all()] == [
            (chamber, "speaker")
        ]

    def test_a_nationwide_case_needs_no_state(self, hq_client):
        response = hq_client.post(add_url(), case_form(state=""))
        assert response.status_code == 302
        assert Case.objects.get().state is None

    def test_the_same_partner_in_the_same_role_twice_is_refused(self, hq_client, chamber):
        data = case_form(partners=[(chamber, "co-host"), (chamber, "co-host")])
        response = hq_client.post(add_url(), data)
        assert response.status_code == 200
        assert not Case.objects.exists()

    def test_adding_records_who_created_and_updated_the_case(self, hq_client, hq_editor):
        hq_client.post(add_url(), case_form())
        case = Case.objects.get()
        assert case.created_by == hq_editor
        assert case.updated_by == hq_editor

    def test_changing_records_who_updated_and_keeps_who_created(
        self, client, hq_editor, miami_workshop, make_staff
    ):
        miami_workshop.created_by = hq_editor
        miami_workshop.save()
        editor = make_staff("second-hq-editor", "hq")
        client.force_login(editor)
        data = case_form(title_en="Transport workshop, revised")
        response = client.post(change_url(miami_workshop), data)
        assert response.status_code == 302
        miami_workshop.refresh_from_db()
        assert miami_workshop.title_en == "Transport workshop, revised"
        assert miami_workshop.created_by == hq_editor
        assert miami_workshop.updated_by == editor


# --- actions ----------------------------------------------------------------------------------


class TestPublicationActions:
    def test_publish_publishes_the_selected_cases_and_says_how_many(
        self, hq_client, hq_editor, make_case
    ):
        hidden = [make_case(title_en=f"Hidden {n}", is_public=False) for n in range(2)]
        already = make_case(title_en="Already public")
        other = make_case(title_en="Not selected", is_public=False)
        response = hq_client.post(
            changelist_url(),
            {
                "action": "publish",
                "_selected_action": [case.pk for case in [*hidden, already]],
            },
            follow=True,
        )
        assert "2 cases were published." in response.content.decode()
        assert "1 case was left as it was" in response.content.decode()
        assert set(Case.objects.filter(is_public=True)) == {*hidden, already}
        other.refresh_from_db()
        assert not other.is_public
        for case in hidden:
            case.refresh_from_db()
            assert case.updated_by == hq_editor
            assert case.published_by == hq_editor
        entries = LogEntry.objects.filter(action_flag=CHANGE)
        assert sorted(int(entry.object_id) for entry in entries) == sorted(c.pk for c in hidden)

    def test_publish_works_on_a_searched_list(self, hq_client, miami_workshop, chamber):
        # A search across partners makes the list's query DISTINCT; the action must still run.
        CasePartner.objects.create(case=miami_workshop, partner=chamber, role="sponsor")
        Case.objects.update(is_public=False, publication="draft")
        response = hq_client.post(
            f"{changelist_url()}?q=Chamber",
            {"action": "publish", "_selected_action": [miami_workshop.pk]},
            follow=True,
        )
        assert "1 case was published." in response.content.decode()
        miami_workshop.refresh_from_db()
        assert miami_workshop.is_public

    def test_unpublish_withdraws_a_case(self, hq_client, miami_workshop):
        response = hq_client.post(
            "/ja/admin/cases/case/",
            {"action": "unpublish", "_selected_action": [miami_workshop.pk]},
            follow=True,
        )
        assert response.status_code == 200
        miami_workshop.refresh_from_db()
        assert not miami_workshop.is_public
        messages = [str(message) for message in response.context["messages"]]
        assert len(messages) == 1


# --- query counts -----------------------------------------------------------------------------


def add_cases(make_case, count, partner, start=0):
    """count held cases spread over years, regions and states, each with a partner and theme."""
    places = list(Jurisdiction.objects.select_related("region", "state"))
    theme = Theme.objects.get(slug="energy")
    for index in range(start, start + count):
        place = places[index % len(places)]
        case = make_case(
            title_en=f"Case {index}",
            region=place.region,
            state=place.state,
            start_date=datetime.date(2017 + index % 8, 4 + index % 9, 1),
            themes=[theme],
        )
        CasePartner.objects.create(case=case, partner=partner, role="co-host")


class TestQueryCounts:
    def test_case_list_runs_the_same_queries_for_3_cases_as_for_30(
        self, hq_client, make_case, chamber
    ):
        add_cases(make_case, 3, chamber)
        few = count_queries(hq_client, changelist_url())
        add_cases(make_case, 27, chamber, start=3)
        many = count_queries(hq_client, changelist_url())
        assert few == many == CHANGELIST_QUERIES

    def test_searching_and_filtering_do_not_add_a_query_per_case(
        self, hq_client, make_case, chamber
    ):
        add_cases(make_case, 3, chamber)
        url = f"{changelist_url('ja')}?q=Miami&fiscal_year=2019"
        few = count_queries(hq_client, url)
        add_cases(make_case, 27, chamber, start=3)
        assert count_queries(hq_client, url) == few

    def test_change_form_runs_the_same_queries_for_1_partner_as_for_5(
        self, hq_client, miami_workshop
    ):
        one = count_queries(hq_client, change_url(miami_workshop, "ja"))
        for index in range(4):
            partner = Partner.objects.create(name_en=f"Partner {index}", kind=PartnerKind.OTHER)
            CasePartner.objects.create(case=miami_workshop, partner=partner, role="speaker")
        assert miami_workshop.partner_roles.count() == 5
        five = count_queries(hq_client, change_url(miami_workshop, "ja"))
        assert one == five == CHANGE_FORM_QUERIES


def test_the_admin_pages_carry_the_portal_favicon(client, db):
    """Without it, browsers ask for /favicon.ico and log a 404 on every admin page."""
    response = client.get("/en/admin/login/")
    assert 'rel="icon"' in response.text
    assert "favicon" in response.text


def test_the_case_form_hides_the_time_zone_note_on_its_plain_dates(hq_client):
    """Django adds 'Enter times in the Asia/Tokyo timezone' under date inputs when the browser
    is elsewhere; case dates are the event's local date, so the case form hides that note."""
    page = hq_client.get("/en/admin/cases/case/add/").text
    assert "cases/admin/case_form.css" in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("cases/admin/case_form.css")).read_text(encoding="utf-8")
    assert ".field-start_date .timezonewarning" in css
