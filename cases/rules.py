"""Domain rules as small pure functions, free of the ORM so they can be tested at the edges."""

import datetime

from grassroots.language import is_japanese

# Japanese fiscal years (年度) start on 1 April and are named by the calendar year they start in.
FISCAL_YEAR_START_MONTH = 4

# The task force was set up in April 2017; its record starts with FY2017.
FIRST_FISCAL_YEAR = 2017

# Era names for the fiscal years the portal deals with: (first Gregorian year, era, kanji).
# Reiwa 1 began on 2019-05-01, but a fiscal year is named by the era in force on 1 April
# except FY2019, which the government itself calls 令和元年度 (the era that covers most of it).
_ERAS = [
    (2019, "令和"),
    (1989, "平成"),
]


def fiscal_year_of(day: datetime.date) -> int:
    """The Japanese fiscal year a date falls in.

    1 April 2024 through 31 March 2025 is FY2024; so 31 March 2025 is FY2024 and
    1 April 2025 is FY2025. A date in January–March belongs to the fiscal year that started
    the previous calendar year.
    """
    if day.month >= FISCAL_YEAR_START_MONTH:
        return day.year
    return day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a fiscal year, both inclusive."""
    return (
        datetime.date(fiscal_year, FISCAL_YEAR_START_MONTH, 1),
        datetime.date(fiscal_year + 1, FISCAL_YEAR_START_MONTH, 1) - datetime.timedelta(days=1),
    )


def japanese_era_year(fiscal_year: int) -> str:
    """The era form of a fiscal year's name: 2024 -> '令和6年度', 2019 -> '令和元年度'."""
    for first_year, era in _ERAS:
        if fiscal_year >= first_year:
            number = fiscal_year - first_year + 1
            return f"{era}{'元' if number == 1 else number}年度"
    raise ValueError(f"No era name known for fiscal year {fiscal_year}.")


def fiscal_year_label(fiscal_year: int, language: str = "en") -> str:
    """How a fiscal year is written: 'FY2024' in English, '2024年度（令和6年度）' in Japanese."""
    if is_japanese(language):
        return f"{fiscal_year}年度（{japanese_era_year(fiscal_year)}）"
    return f"FY{fiscal_year}"


def fiscal_year_short_label(fiscal_year: int, language: str = "en") -> str:
    """A fiscal year in as few characters as a phone's chart axis has room for: 'FY24' in
    English, '24年度' in Japanese (the era form is left to the full label)."""
    short = f"{fiscal_year % 100:02d}"
    if is_japanese(language):
        return f"{short}年度"
    return f"FY{short}"


# What can be wrong with a case's county (county_problem()).
COUNTY_NEEDED = "county-needed"
COUNTY_OUTSIDE_STATE = "county-outside-state"
COUNTY_OUTSIDE_DISTRICT = "county-outside-district"


def county_problem(
    *,
    state: str | None,
    region: str | None,
    state_is_split: bool,
    county_state: str | None,
    county_region: str | None,
) -> str | None:
    """What is wrong with a case's county, or None.

    California, Connecticut and Idaho are divided between two consular districts along county
    lines, so a case in one of them names its county, and that county must lie in the district
    of the case's lead region. Elsewhere a county is optional, but one that is given must lie in
    the case's state. `state`/`county_state` are USPS codes, `region`/`county_region` region
    codes (or any matching identifiers); `county_state` is None when no county is given.
    """
    if county_state is None:
        return COUNTY_NEEDED if state and state_is_split else None
    if county_state != state:
        return COUNTY_OUTSIDE_STATE
    if state_is_split and county_region != region:
        return COUNTY_OUTSIDE_DISTRICT
    return None


def state_in_district(state_code: str | None, district_state_codes: set[str]) -> bool:
    """Whether a case's state lies in its lead region's district.

    A case with no single state (a nationwide campaign) has no state to check and passes.
    California, Connecticut and Idaho are split by county between two districts, so each of
    those states is listed under both regions and passes for either here; county_problem()
    tells the two apart by the case's county.
    """
    if not state_code:
        return True
    return state_code in district_state_codes


def theme_tags(ids) -> str:
    """A case's `theme_tags`: the ids of its themes in order between slashes ('/3/7/12/'),
    '' for none. The column repeats the (case, theme) table on the case's own row, so a list
    filtered by theme tests each case as it reads it instead of looking its themes up: at a
    million cases a deep page of one theme in date order passes 17,000 cases, and one lookup
    each cost 50-80 ms. It is written wherever the themes are (`cases.tracking`, the register's
    bulk form, the benchmark's loader) and checked against the table by tests."""
    ids = sorted({int(i) for i in ids})
    return f"/{'/'.join(map(str, ids))}/" if ids else ""


def tag_ids(tags: str) -> list[int]:
    """The theme ids in a case's `theme_tags` (the inverse of `theme_tags`)."""
    return [int(part) for part in tags.split("/") if part]
