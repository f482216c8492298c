"""The stats module, against small hand-made data whose answers are known."""

import datetime

import pandas as pd
import pytest

from cases import stats
from cases.figures import freshness
from cases.models import CaseStatus, PublishedFigure, Theme
from cases.stats import Filters


@pytest.fixture
def register(make_case):
    """Seven held cases, plus three that must never count.

    miami:         FY2023 FL, FY2024 FL (2025-03-31), FY2024 FL (private)
    new-york:      FY2024 NY, FY2024 CT (Fairfield)
    boston:        FY2022 CT (rest of Connecticut)
    washington-dc: FY2024 with no single state
    not counted:   a draft, a planned and a cancelled case in Miami
    """
    energy = Theme.objects.get(slug="energy")
    stem = Theme.objects.get(slug="stem-women")
    make_case(region="miami", state="FL", start_date=datetime.date(2023, 6, 1), themes=[energy])
    make_case(
        region="miami", state="FL", start_date=datetime.date(2025, 3, 31), themes=[energy, stem]
    )
    make_case(region="miami", state="FL", start_date=datetime.date(2024, 4, 1), is_public=False)
    make_case(region="new-york", state="NY", start_date=datetime.date(2024, 12, 1), themes=[stem])
    make_case(region="new-york", state="CT", start_date=datetime.date(2025, 1, 10))
    make_case(region="boston", state="CT", start_date=datetime.date(2022, 9, 9))
    make_case(region="washington-dc", state=None, start_date=datetime.date(2024, 7, 4))
    for status in (CaseStatus.DRAFT, CaseStatus.PLANNED, CaseStatus.CANCELLED):
        make_case(region="miami", state="FL", status=status, themes=[energy])


def rows(frame, key="key"):
    return dict(zip(frame[key], frame["cases"], strict=True))


@pytest.mark.django_db
class TestTotals:
    def test_total_counts_held_cases_only_including_non_public(self, register):
        assert stats.total() == 7

    def test_total_for_a_fiscal_year_range(self, register):
        assert stats.total(Filters(from_fy=2024, to_fy=2024)) == 5
        assert stats.total(Filters(to_fy=2023)) == 2

    def test_total_for_region_state_and_theme(self, register):
        assert stats.total(Filters(region="miami")) == 3
        assert stats.total(Filters(state="CT")) == 2
        assert stats.total(Filters(state="ct")) == 2
        assert stats.total(Filters(theme="energy")) == 2


@pytest.mark.django_db
class TestByRegion:
    def test_every_region_is_listed_with_zero_where_none(self, register):
        frame = stats.by_region()
        assert list(frame.columns) == stats.COUNT_COLUMNS
        assert len(frame) == 17
        counts = rows(frame)
        assert counts["miami"] == 3
        assert counts["new-york"] == 2
        assert counts["boston"] == 1
        assert counts["washington-dc"] == 1
        assert counts["anchorage"] == 0
        assert frame["cases"].sum() == stats.total()

    def test_filtered_to_one_region(self, register):
        frame = stats.by_region(Filters(region="new-york", from_fy=2024))
        assert rows(frame) == {"new-york": 2}
        assert frame.iloc[0]["label_ja"] == "ニューヨーク"


@pytest.mark.django_db
class TestByFiscalYear:
    def test_years_with_running_total(self, register):
        frame = stats.by_fiscal_year()
        assert list(frame.columns) == stats.FISCAL_YEAR_COLUMNS
        assert list(frame["key"]) == [2022, 2023, 2024]
        assert list(frame["cases"]) == [1, 1, 5]
        assert list(frame["cumulative"]) == [1, 2, 7]
        assert list(frame["label_en"]) == ["FY2022", "FY2023", "FY2024"]
        assert frame.iloc[-1]["label_ja"] == "2024年度（令和6年度）"

    def test_a_given_range_lists_empty_years_as_zero(self, register):
        frame = stats.by_fiscal_year(Filters(from_fy=2017, to_fy=2024))
        assert list(frame["key"]) == list(range(2017, 2025))
        assert frame["cases"].sum() == 7
        assert frame.iloc[-1]["cumulative"] == 7
        assert rows(frame)[2019] == 0

    def test_boundary_dates_fall_in_the_right_year(self, register):
        counts = rows(stats.by_fiscal_year(Filters(region="miami")))
        # 2024-04-01 and 2025-03-31 are both FY2024; 2023-06-01 is FY2023.
        assert counts == {2023: 1, 2024: 2}


@pytest.mark.django_db
class TestByState:
    def test_states_with_a_row_for_cases_with_no_single_state(self, register):
        frame = stats.by_state()
        assert len(frame) == 57
        counts = rows(frame)
        assert counts["FL"] == 3
        assert counts["CT"] == 2
        assert counts["NY"] == 1
        assert counts["TX"] == 0
        assert counts[None] == 1
        assert frame["cases"].sum() == 7

    def test_split_state_is_counted_under_each_lead_region(self, register):
        assert rows(stats.by_state(Filters(region="new-york")))["CT"] == 1
        assert rows(stats.by_state(Filters(region="boston")))["CT"] == 1

    def test_region_filter_lists_the_district_states_only(self, register):
        frame = stats.by_state(Filters(region="washington-dc"))
        assert set(frame["key"]) == {"DC", "MD", "VA", None}


@pytest.mark.django_db
class TestByTheme:
    def test_a_case_counts_under_each_of_its_themes(self, register):
        frame = stats.by_theme()
        assert list(frame.columns) == stats.THEME_COLUMNS
        counts = rows(frame)
        assert counts["energy"] == 2
        assert counts["stem-women"] == 2
        assert counts["semiconductors"] == 0
        assert len(frame) == Theme.objects.count()

    def test_filtered_by_theme(self, register):
        assert rows(stats.by_theme(Filters(theme="stem-women"))) == {"stem-women": 2}

    def test_filtered_by_region(self, register):
        counts = rows(stats.by_theme(Filters(region="miami")))
        assert counts["energy"] == 2
        assert counts["stem-women"] == 1


@pytest.mark.django_db
class TestByRegionFiscalYear:
    def test_grid_of_regions_and_years_with_running_totals(self, register):
        frame = stats.by_region_fiscal_year()
        assert list(frame.columns) == stats.REGION_FISCAL_YEAR_COLUMNS
        assert len(frame) == 17 * 3
        miami = frame[frame["region"] == "miami"]
        assert list(miami["fiscal_year"]) == [2022, 2023, 2024]
        assert list(miami["cases"]) == [0, 1, 2]
        assert list(miami["cumulative"]) == [0, 1, 3]
        assert frame["cases"].sum() == 7

    def test_agrees_with_the_one_dimensional_breakdowns(self, register):
        grid = stats.by_region_fiscal_year()
        by_region = grid.groupby("region")["cases"].sum()
        assert by_region.to_dict() == rows(stats.by_region())
        by_year = grid.groupby("fiscal_year")["cases"].sum()
        assert by_year.to_dict() == rows(stats.by_fiscal_year())


@pytest.mark.django_db
class TestEmptyRegister:
    def test_frames_keep_their_columns_when_there_is_nothing(self):
        assert stats.total() == 0
        assert stats.by_fiscal_year().empty
        assert list(stats.by_fiscal_year().columns) == stats.FISCAL_YEAR_COLUMNS
        assert list(stats.by_region_fiscal_year().columns) == stats.REGION_FISCAL_YEAR_COLUMNS
        assert stats.by_region()["cases"].sum() == 0
        assert None not in set(stats.by_state()["key"])
        assert stats.headline() == stats.Headline(0, None, None, 0)


@pytest.mark.django_db
class TestReconciliation:
    def test_against_the_published_figures(self, register):
        frame = stats.reconcile().set_index(["from_fy", "to_fy"])
        assert frame.loc[(2017, 2024), "published"] == 1292
        assert frame.loc[(2017, 2024), "computed"] == 7
        assert frame.loc[(2017, 2024), "difference"] == 7 - 1292
        assert frame.loc[(2024, 2024), "published"] == 104
        assert frame.loc[(2024, 2024), "computed"] == 5

    def test_no_difference_when_the_register_matches(self, register):
        PublishedFigure.objects.all().delete()
        PublishedFigure.objects.create(
            from_fy=2024, to_fy=2024, cases=5, source_en="t", source_ja="t"
        )
        assert stats.reconcile()["difference"].tolist() == [0]


@pytest.mark.django_db
class TestFilters:
    @pytest.mark.parametrize(
        "filters",
        [
            Filters(region="atlantis"),
            Filters(state="ZZ"),
            Filters(theme="no-such-theme"),
            Filters(from_fy=2024, to_fy=2020),
            Filters(from_fy=99999),
            Filters(from_fy=1950),
            Filters(to_fy=2016),
        ],
    )
    def test_unknown_codes_and_impossible_ranges_are_refused(self, filters):
        with pytest.raises(stats.InvalidFilter):
            filters.validate()

    def test_known_codes_pass(self):
        assert Filters(region="miami", state="FL", theme="energy", from_fy=2017).validate()


@pytest.mark.django_db
def test_headline_gives_the_total_and_the_latest_year(register):
    headline = stats.headline()
    assert headline == stats.Headline(total=7, first_fy=2022, latest_fy=2024, latest_cases=5)


@pytest.mark.django_db
def test_each_breakdown_uses_a_fixed_number_of_queries(register, django_assert_max_num_queries):
    freshness.flush()  # the register's own writes are counted into the tallies by the writer
    for breakdown in (
        stats.by_region,
        stats.by_fiscal_year,
        stats.by_state,
        stats.by_theme,
        stats.by_region_fiscal_year,
    ):
        with django_assert_max_num_queries(2):
            frame = breakdown()
        assert isinstance(frame, pd.DataFrame)
