"""Places in both languages: Japanese order, no English city on a Japanese page."""

import re

import pytest
from django.utils import translation

from cases import places
from cases.models import Jurisdiction, Region, State


@pytest.fixture
def florida(db):
    return State.objects.get(code="FL")


class Place:
    """Anything with city_en/city_ja and a state, like a case."""

    def __init__(self, city_en, city_ja, state):
        self.city_en, self.city_ja, self.state = city_en, city_ja, state
        self.state_id = state.pk if state else None


def test_english_goes_from_city_to_state(florida):
    assert places.case_place(Place("Miami", "マイアミ", florida), "en") == "Miami, Florida"


def test_japanese_goes_from_state_to_city(florida):
    assert places.case_place(Place("Miami", "マイアミ", florida), "ja") == "フロリダ州マイアミ"


@pytest.mark.django_db
def test_a_territory_takes_a_middle_dot_and_dc_stands_alone():
    guam, dc = State.objects.get(code="GU"), State.objects.get(code="DC")
    assert places.case_place(Place("Hagåtña", "ハガッニャ", guam), "ja") == "グアム・ハガッニャ"
    assert places.case_place(Place("Hagåtña", "ハガッニャ", guam), "en") == "Hagåtña, Guam"
    dc_case = Place("Washington, D.C.", "ワシントンD.C.", dc)
    assert places.case_place(dc_case, "ja") == "ワシントンD.C."
    assert places.case_place(dc_case, "en") == "Washington, D.C."


def test_a_japanese_page_never_shows_the_english_city(florida):
    english_only = Place("Tampa", "", florida)
    assert places.case_place(english_only, "ja") == "フロリダ州"
    assert places.case_place(english_only, "en") == "Tampa, Florida"
    assert places.missing_japanese_city(english_only)
    assert not places.missing_japanese_city(Place("Tampa", "タンパ", florida))
    assert not places.missing_japanese_city(Place("", "", florida))


@pytest.mark.django_db
def test_nationwide_cases_say_so_in_the_page_language():
    with translation.override("ja"):
        assert places.case_place(Place("", "", None)) == "全米規模（特定の州なし）"
    with translation.override("en"):
        assert places.case_place(Place("", "", None)) == "Nationwide (no single state)"


def test_place_parts_mark_the_state_for_a_link(florida):
    parts = places.place_parts("マイアミ", florida, "ja")
    assert parts == [
        ("フロリダ州", True),
        ("マイアミ", False),
    ]
    assert places.place_parts("Miami", florida, "en") == [
        ("Miami", False),
        (", ", False),
        ("Florida", True),
    ]


@pytest.mark.django_db
def test_district_lead_names_a_few_states_and_counts_more():
    miami = Region.objects.get(code="miami")
    florida = State.objects.get(code="FL")
    with translation.override("ja"):
        lead = places.district_lead(miami, [florida])
        assert lead == "マイアミを拠点に、フロリダ州を管轄。"
    with translation.override("en"):
        assert (
            places.district_lead(miami, [florida])
            == "Based in Miami; its district covers Florida."
        )
    la = Region.objects.get(code="los-angeles")
    states = [j.state for j in Jurisdiction.objects.filter(region=la).select_related("state")]
    with translation.override("en"):
        assert places.district_lead(la, states) in (
            "Based in Los Angeles; its district covers Arizona and California.",
            "Based in Los Angeles; its district covers California and Arizona.",
        )


@pytest.mark.django_db
@pytest.mark.parametrize("code", range(17))
def test_every_region_page_counts_its_own_states_and_territories(client, code):
    """The lead sentence counts the district's states and territories (not the row of cases
    with no single state), for all 17 districts, in both languages."""
    region = Region.objects.order_by("sort_order", "code")[code]
    held = list(
        Jurisdiction.objects.filter(region=region)
        .select_related("state")
        .order_by("state__name_en")
    )
    for language in ("en", "ja"):
        page = client.get(f"/{language}/regions/{region.code}/").text
        lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
        names = [j.state.name_ja if language == "ja" else j.state.name_en for j in held]
        if len(held) <= places.NAMED_STATES:
            for name in names:
                assert name in lead, (region.code, language, lead)
        elif language == "en":
            assert f"covers {len(held)} states and territories" in lead, lead
        else:
            assert f"{len(held)}の州・地域を管轄" in lead, lead
        city = region.city_ja if language == "ja" else region.city_en
        assert city in lead
        if language == "ja":
            assert not re.search(r"[A-Za-z]{3,}", lead), lead
