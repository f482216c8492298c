"""The fiscal-year and jurisdiction rules, at their edges."""

import datetime

import pytest

from cases import rules


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (datetime.date(2017, 4, 1), 2017),
        (datetime.date(2018, 3, 31), 2017),
        (datetime.date(2024, 3, 31), 2023),
        (datetime.date(2024, 4, 1), 2024),
        (datetime.date(2024, 10, 15), 2024),
        (datetime.date(2024, 12, 31), 2024),
        (datetime.date(2025, 1, 1), 2024),
        (datetime.date(2025, 3, 25), 2024),
        (datetime.date(2025, 3, 31), 2024),
        (datetime.date(2025, 4, 1), 2025),
        (datetime.date(2020, 2, 29), 2019),
    ],
)
def test_fiscal_year_runs_from_april_to_march(day, fiscal_year):
    assert rules.fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds_are_first_of_april_to_thirty_first_of_march():
    assert rules.fiscal_year_bounds(2024) == (
        datetime.date(2024, 4, 1),
        datetime.date(2025, 3, 31),
    )


def test_every_day_of_a_fiscal_year_maps_back_to_it():
    first, last = rules.fiscal_year_bounds(2019)
    day = first
    while day <= last:
        assert rules.fiscal_year_of(day) == 2019
        day += datetime.timedelta(days=1)
    assert rules.fiscal_year_of(first - datetime.timedelta(days=1)) == 2018
    assert rules.fiscal_year_of(last + datetime.timedelta(days=1)) == 2020


@pytest.mark.parametrize(
    ("fiscal_year", "era"),
    [
        (2017, "平成29年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2024, "令和6年度"),
    ],
)
def test_era_names_follow_the_government_usage(fiscal_year, era):
    assert rules.japanese_era_year(fiscal_year) == era


def test_fiscal_year_labels_in_both_languages():
    assert rules.fiscal_year_label(2024, "en") == "FY2024"
    assert rules.fiscal_year_label(2024, "ja") == "2024年度（令和6年度）"


@pytest.mark.parametrize(
    ("state", "district", "allowed"),
    [
        ("FL", {"FL"}, True),
        ("GA", {"FL"}, False),
        (None, {"FL"}, True),
        ("", {"FL"}, True),
    ],
)
def test_state_must_lie_in_the_district(state, district, allowed):
    assert rules.state_in_district(state, district) is allowed
