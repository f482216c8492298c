"""Counties where districts split: California, Connecticut and Idaho are shared by two districts
along county lines; a case there names its county, which must lie in its region's district,
through every writer (the model's validation, the admin, the import)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases import rules
from cases.models import Case, CaseFormat, CaseStatus, County, Jurisdiction, Region, State
from exchange.importing import plan_import
from tests.test_admin import case_form
from tests.test_import import case_row, csv_file

WRONG = [
    # (region it is filed under, state, county FIPS, the district it really lies in)
    ("san-francisco", "CA", "06037", "Los Angeles"),  # Los Angeles County
    ("boston", "CT", "09001", "New York"),  # Fairfield County
    ("portland", "ID", "16055", "Seattle"),  # Kootenai County
]
RIGHT = [
    ("los-angeles", "CA", "06037"),
    ("new-york", "CT", "09001"),
    ("seattle", "ID", "16055"),
]


def county(fips):
    return County.objects.select_related("state", "region").get(fips=fips)


def new_case(region, state, fips=None, **fields) -> Case:
    values = {
        "title_en": "County test",
        "start_date": datetime.date(2024, 10, 1),
        "format": CaseFormat.SEMINAR,
        "status": CaseStatus.HELD,
    }
    values.update(fields)
    return Case(
        region=Region.objects.get(code=region),
        state=State.objects.get(code=state),
        county=county(fips) if fips else None,
        **values,
    )


# --- the pure rule ----------------------------------------------------------------------------


def test_county_problem_rule():
    check = rules.county_problem
    split = {"state": "CA", "region": "la", "state_is_split": True}
    assert check(**split, county_state=None, county_region=None) == rules.COUNTY_NEEDED
    assert check(**split, county_state="CA", county_region="la") is None
    assert check(**split, county_state="CA", county_region="sf") == rules.COUNTY_OUTSIDE_DISTRICT
    assert check(**split, county_state="ID", county_region="la") == rules.COUNTY_OUTSIDE_STATE
    whole = {"state": "FL", "region": "miami", "state_is_split": False}
    assert check(**whole, county_state=None, county_region=None) is None
    assert check(**whole, county_state="CA", county_region="la") == rules.COUNTY_OUTSIDE_STATE
    assert (
        check(state=None, region="x", state_is_split=False, county_state=None, county_region=None)
        is None
    )


# --- reference data ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counties_of_the_three_split_states_and_their_districts():
    by = {}
    for county_row in County.objects.select_related("state", "region"):
        key = (county_row.state.code, county_row.region.code)
        by.setdefault(key, set()).add(county_row.name_en.removesuffix(" County"))
    assert County.objects.count() == 58 + 8 + 44
    assert by[("CA", "los-angeles")] == {
        "Los Angeles", "Orange", "San Diego", "Imperial", "Riverside", "San Bernardino",
        "Ventura", "Santa Barbara", "San Luis Obispo",
    }  # fmt: skip
    assert len(by[("CA", "san-francisco")]) == 58 - 9
    assert by[("CT", "new-york")] == {"Fairfield"}
    assert len(by[("CT", "boston")]) == 7
    assert by[("ID", "seattle")] == {
        "Boundary", "Bonner", "Kootenai", "Shoshone", "Benewah", "Latah", "Clearwater",
        "Nez Perce", "Lewis",
    }  # fmt: skip
    assert len(by[("ID", "portland")]) == 44 - 9
    assert not County.objects.filter(name_ja="").exists()
    # Every county lies in a district that holds its state.
    for row in County.objects.all():
        assert Jurisdiction.objects.filter(state=row.state, region=row.region).exists()


# --- every writer: the model's validation -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "state", "fips", "right"), WRONG)
def test_a_county_in_the_other_district_is_refused_naming_the_right_one(
    region, state, fips, right
):
    case = new_case(region, state, fips)
    with pytest.raises(ValidationError) as refused:
        case.full_clean()
    message = refused.value.message_dict["county"][0]
    assert f"lies in the district of {right}" in message
    with translation.override("ja"):
        with pytest.raises(ValidationError) as refused:
            case.full_clean()
        assert "管轄" in refused.value.message_dict["county"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "state", "fips"), RIGHT)
def test_the_same_county_under_the_right_district_is_accepted(region, state, fips):
    new_case(region, state, fips).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "state"), [("los-angeles", "CA"), ("boston", "CT")])
def test_a_case_in_a_split_state_needs_its_county(region, state):
    with pytest.raises(ValidationError) as refused:
        new_case(region, state).full_clean()
    assert "choose the county" in refused.value.message_dict["county"][0]


@pytest.mark.django_db
def test_a_county_of_another_state_is_refused_and_whole_states_need_none():
    new_case("miami", "FL").full_clean()
    with pytest.raises(ValidationError) as refused:
        new_case("miami", "FL", "06037").full_clean()
    assert "is not in Florida" in refused.value.message_dict["county"][0]


@pytest.mark.django_db
def test_an_hq_change_to_a_countys_district_takes_effect_at_once(hq_client):
    kootenai = county("16055")
    hq_client.post(
        reverse("admin:cases_county_change", args=[kootenai.pk]),
        {
            "fips": "16055",
            "state": str(kootenai.state_id),
            "name_en": kootenai.name_en,
            "name_ja": kootenai.name_ja,
            "region": str(Region.objects.get(code="portland").pk),
            "research_note": "Moved for the test.",
            "_save": "Save",
        },
    )
    assert county("16055").region.code == "portland"
    new_case("portland", "ID", "16055").full_clean()
    with pytest.raises(ValidationError):
        new_case("seattle", "ID", "16055").full_clean()


@pytest.mark.django_db
def test_a_county_may_not_be_given_a_district_that_does_not_hold_its_state():
    kootenai = county("16055")
    kootenai.region = Region.objects.get(code="miami")
    with pytest.raises(ValidationError) as refused:
        kootenai.full_clean()
    assert "region" in refused.value.message_dict


# --- the admin --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "state", "fips", "right"), WRONG)
def test_the_admin_refuses_the_wrong_district_and_accepts_the_right_one(
    hq_client, region, state, fips, right
):
    add = reverse("admin:cases_case_add")
    data = case_form(
        region=str(Region.objects.get(code=region).pk),
        state=str(State.objects.get(code=state).pk),
        county=str(county(fips).pk),
        city_en="",
    )
    response = hq_client.post(add, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"lies in the district of {right}" in str(errors["county"])
    assert not Case.objects.filter(title_en=data["title_en"]).exists()
    good = dict(RIGHT_BY_FIPS[fips])
    data["region"] = str(Region.objects.get(code=good["region"]).pk)
    assert hq_client.post(add, data).status_code == 302
    assert Case.objects.get(title_en=data["title_en"]).county.fips == fips


RIGHT_BY_FIPS = {fips: {"region": region} for region, _state, fips in RIGHT}


# --- the import -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "state", "fips", "right"), WRONG)
def test_the_import_refuses_the_wrong_district_and_accepts_the_right_one(
    region, state, fips, right
):
    name = county(fips).name_en
    row = case_row(region=region, state=state, county=name, city_en="", city_ja="", partners="")
    plan = plan_import(csv_file([row]), "cases.csv")
    assert plan.rejected == 1
    (error,) = [e for e in plan.errors if e.header.startswith("county")]
    assert f"lies in the district of {right}" in error.message
    good = RIGHT_BY_FIPS[fips]["region"]
    for spelling in (name, name.removesuffix(" County"), fips, county(fips).name_ja):
        row = case_row(
            region=good, state=state, county=spelling, city_en="", city_ja="", partners=""
        )
        plan = plan_import(csv_file([row]), "cases.csv")
        assert plan.rejected == 0, (spelling, plan.errors)


@pytest.mark.django_db
def test_the_import_needs_the_county_in_a_split_state():
    plan = plan_import(csv_file([case_row(region="los-angeles", state="CA")]), "cases.csv")
    assert plan.rejected == 1
    assert any("choose the county" in e.message for e in plan.errors)


# --- research notes are staff-only -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_research_notes_stay_off_the_public_pages(client, language):
    page = client.get(f"/{language}/states/ID/").text
    assert "unverified" not in page
    assert "未確認" not in page
    assert "2019 list" not in page
    assert Jurisdiction.objects.filter(state__code="ID").exclude(research_note="").exists()
    region_page = client.get(f"/{language}/regions/seattle/").text
    assert "2019 list" not in region_page
