"""The domain model: reference data, the jurisdiction rule and the database constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cases.models import Case, CaseStatus, Jurisdiction, Office, Region, State, Theme, ThemeGroup


@pytest.mark.django_db
class TestReferenceData:
    def test_seventeen_regions_and_eighteen_offices(self):
        assert Region.objects.count() == 17
        assert Office.objects.count() == 18

    def test_saipan_office_works_inside_hagatna_district(self):
        saipan = Office.objects.get(code="saipan")
        assert saipan.region.code == "hagatna"
        assert not Region.objects.filter(code="saipan").exists()

    def test_all_states_dc_and_five_territories(self):
        assert State.objects.filter(kind="state").count() == 50
        assert State.objects.filter(kind="district").count() == 1
        assert State.objects.filter(kind="territory").count() == 5

    def test_every_state_belongs_to_at_least_one_district(self):
        assert not State.objects.filter(jurisdictions__isnull=True).exists()

    @pytest.mark.parametrize(
        ("state", "regions"),
        [
            ("CA", {"los-angeles", "san-francisco"}),
            ("CT", {"new-york", "boston"}),
            ("ID", {"seattle", "portland"}),
        ],
    )
    def test_three_states_are_split_between_two_districts(self, state, regions):
        assert set(State.objects.get(code=state).regions.values_list("code", flat=True)) == regions
        assert all(j.is_split for j in Jurisdiction.objects.filter(state__code=state))

    def test_only_the_three_split_states_have_two_districts(self):
        split = {s.code for s in State.objects.all() if s.regions.count() > 1}
        assert split == {"CA", "CT", "ID"}

    def test_embassy_district_is_dc_maryland_and_virginia(self):
        codes = set(Region.objects.get(code="washington-dc").states.values_list("code", flat=True))
        assert codes == {"DC", "MD", "VA"}

    def test_themes_cover_the_three_groups(self):
        groups = set(Theme.objects.values_list("group", flat=True))
        assert groups == set(ThemeGroup.values)
        assert Theme.objects.filter(group=ThemeGroup.LINE_OF_WORK).count() == 4

    def test_names_follow_the_active_language(self):
        miami = Region.objects.get(code="miami")
        with translation.override("ja"):
            assert miami.name == "マイアミ"
        with translation.override("en"):
            assert miami.name == "Miami"


@pytest.mark.django_db
class TestCaseRules:
    def test_fiscal_year_is_derived_from_the_start_date(self, make_case):
        assert make_case(start_date=datetime.date(2025, 3, 31)).fiscal_year == 2024
        assert (
            make_case(start_date=datetime.date(2025, 4, 1), status="planned").fiscal_year == 2025
        )

    def test_fiscal_year_follows_a_changed_start_date(self, make_case):
        case = make_case(start_date=datetime.date(2024, 4, 1))
        case.start_date = datetime.date(2024, 3, 31)
        case.save()
        case.refresh_from_db()
        assert case.fiscal_year == 2023

    def test_state_outside_the_region_district_is_refused(self, make_case):
        with pytest.raises(ValidationError) as error:
            make_case(region="miami", state="GA")
        assert "state" in error.value.message_dict

    @pytest.mark.parametrize(
        ("region", "state"),
        [
            ("los-angeles", "CA"),
            ("san-francisco", "CA"),
            ("new-york", "CT"),
            ("boston", "CT"),
            ("seattle", "ID"),
            ("portland", "ID"),
        ],
    )
    def test_split_states_are_accepted_under_either_district(self, make_case, region, state):
        assert make_case(region=region, state=state).pk

    @pytest.mark.parametrize(
        ("region", "state"), [("miami", "CA"), ("chicago", "CT"), ("anchorage", "ID")]
    )
    def test_split_states_are_refused_elsewhere(self, make_case, region, state):
        with pytest.raises(ValidationError):
            make_case(region=region, state=state)

    def test_a_case_with_no_single_state_is_accepted(self, make_case):
        assert make_case(region="washington-dc", state=None).state is None

    def test_end_date_before_start_is_refused(self, make_case):
        with pytest.raises(ValidationError) as error:
            make_case(start_date=datetime.date(2024, 10, 2), end_date=datetime.date(2024, 10, 1))
        assert "end_date" in error.value.message_dict

    def test_held_case_cannot_start_in_the_future(self, make_case):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            make_case(start_date=tomorrow, status=CaseStatus.HELD)
        assert "status" in error.value.message_dict
        assert make_case(start_date=tomorrow, status=CaseStatus.PLANNED).pk

    def test_case_before_fy2017_is_refused(self, make_case):
        with pytest.raises(ValidationError):
            make_case(start_date=datetime.date(2017, 3, 31))

    def test_a_title_in_one_language_is_enough_but_one_is_needed(self, make_case):
        assert make_case(title_en="", title_ja="日本語のみ").pk
        with pytest.raises(ValidationError):
            make_case(title_en="", title_ja="")

    def test_title_falls_back_to_the_other_language(self, make_case):
        case = make_case(title_en="English only", title_ja="")
        with translation.override("ja"):
            assert case.title == "English only"


@pytest.mark.django_db
class TestDatabaseConstraints:
    """The database refuses what full_clean would, even when code skips validation."""

    def _refused(self, **changes):
        case = Case.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(**changes)

    def test_end_before_start(self, make_case):
        make_case(start_date=datetime.date(2024, 10, 2))
        self._refused(end_date=datetime.date(2024, 10, 1))

    def test_fiscal_year_that_does_not_match_the_start_date(self, make_case):
        make_case(start_date=datetime.date(2025, 3, 31))
        self._refused(fiscal_year=2025)

    def test_fiscal_year_before_2017(self, make_case):
        make_case(start_date=datetime.date(2017, 4, 1))
        self._refused(start_date=datetime.date(2016, 10, 1), fiscal_year=2016)

    def test_case_without_any_title(self, make_case):
        make_case()
        self._refused(title_en="", title_ja="")

    def test_external_reference_is_unique_when_given(self, make_case):
        make_case(external_ref="sheet-1")
        make_case(title_en="blank refs may repeat", external_ref="")
        make_case(title_en="and again", external_ref="")
        with pytest.raises(ValidationError, match="already has this external reference"):
            make_case(external_ref="sheet-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.create(
                title_en="bypassing validation",
                start_date=datetime.date(2024, 10, 1),
                region=Region.objects.get(code="miami"),
                format="seminar",
                external_ref="sheet-1",
            )
