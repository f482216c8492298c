"""The figures: each a list of rows (`*_rows`) and a pandas frame (`by_*`) with the columns
documented in `cases.stats`, zero-filled over the reference data; the facets, the reconciliation
with the published figures and the headline."""

from dataclasses import dataclass

import pandas as pd

from cases import rules
from cases.figures import reference
from cases.listing import counted_up_to
from cases.models import Case, PublishedFigure, Region, Revision
from cases.stats.counting import Counts, count_by, tallied
from cases.stats.filters import ALL, Filters

COUNT_COLUMNS = ["key", "label_en", "label_ja", "cases"]
FISCAL_YEAR_COLUMNS = [*COUNT_COLUMNS, "cumulative"]
THEME_COLUMNS = [*COUNT_COLUMNS, "group"]
REGION_FISCAL_YEAR_COLUMNS = [
    "region",
    "region_label_en",
    "region_label_ja",
    "fiscal_year",
    "cases",
    "cumulative",
]
RECONCILIATION_COLUMNS = [
    "from_fy",
    "to_fy",
    "label_en",
    "label_ja",
    "published",
    "computed",
    "difference",
    "source_en",
    "source_ja",
]

NO_STATE_LABEL_EN = "No single state (nationwide)"
NO_STATE_LABEL_JA = "特定の州なし（全米）"


def _frame(rows, columns) -> pd.DataFrame:
    # Object columns keep None as None (pandas' string dtype would turn it into NaN).
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    if "cases" in frame:
        frame["cases"] = frame["cases"].astype("int64")
    return frame


def _counts_for(filters: Filters, counts: Counts | None) -> Counts:
    """The Counts a figure reads: the one given if it is for these filters, else its own."""
    if counts is not None and counts.filters == filters:
        return counts
    return Counts(filters, shared=False)


def total(filters: Filters = ALL, counts: Counts | None = None) -> int:
    """The number of held cases that match."""
    if counts is None:
        return count_by(filters)[()]
    return _counts_for(filters, counts).of()[()]


def region_rows(filters: Filters = ALL, counts: Counts | None = None) -> list[dict]:
    """by_region() as a list of dicts (the same columns), without building a frame."""
    found = _counts_for(filters, counts).of("region__code")
    return [
        {"key": r.key, "label_en": r.name_en, "label_ja": r.name_ja, "cases": found.get(r.key, 0)}
        for r in reference.regions().items
        if not filters.region or r.key in filters.regions
    ]


def by_region(filters: Filters = ALL, counts: Counts | None = None) -> pd.DataFrame:
    """Cases per region, every region listed (zero where none), in the reference order.

    Columns: key (region code), label_en, label_ja, cases.
    """
    return _frame(region_rows(filters, counts), COUNT_COLUMNS)


def _fiscal_year_range(filters: Filters, years_present) -> range:
    """The years to list: the filter's range, with open ends closed by the data's extent."""
    first = filters.from_fy if filters.from_fy is not None else min(years_present, default=None)
    last = filters.to_fy if filters.to_fy is not None else max(years_present, default=None)
    if first is None or last is None:
        return range(0)
    return range(first, last + 1)


def fiscal_year_rows(filters: Filters = ALL, counts: Counts | None = None) -> list[dict]:
    """by_fiscal_year() as a list of dicts (the same columns), without building a frame."""
    found = _counts_for(filters, counts).of("fiscal_year")
    rows, running = [], 0
    for year in _fiscal_year_range(filters, found.keys()):
        cases = found.get(year, 0)
        running += cases
        rows.append(
            {
                "key": year,
                "label_en": rules.fiscal_year_label(year, "en"),
                "label_ja": rules.fiscal_year_label(year, "ja"),
                "cases": cases,
                "cumulative": running,
            }
        )
    return rows


def by_fiscal_year(filters: Filters = ALL, counts: Counts | None = None) -> pd.DataFrame:
    """Cases per fiscal year with a running total, every year in the range listed.

    Columns: key (fiscal year, int), label_en ('FY2024'), label_ja ('2024年度（令和6年度）'),
    cases, cumulative (running total from the first year listed).
    """
    frame = _frame(fiscal_year_rows(filters, counts), FISCAL_YEAR_COLUMNS)
    return frame.astype({"key": "int64", "cumulative": "int64"})


def state_rows(filters: Filters = ALL, counts: Counts | None = None) -> list[dict]:
    """by_state() as a list of dicts (the same columns), without building a frame."""
    found = _counts_for(filters, counts).of("state__code")
    # In scope: the states of the chosen districts (all of them without a region filter),
    # narrowed to the chosen states when there are any.
    district = (
        frozenset().union(*(reference.district(code) for code in filters.regions))
        if filters.region
        else None
    )
    codes = set(filters.states)
    rows = [
        {"key": s.key, "label_en": s.name_en, "label_ja": s.name_ja, "cases": found.get(s.key, 0)}
        for s in reference.states().items
        if (district is None or s.key in district) and (not codes or s.key in codes)
    ]
    if found.get(None):
        rows.append(
            {
                "key": None,
                "label_en": NO_STATE_LABEL_EN,
                "label_ja": NO_STATE_LABEL_JA,
                "cases": found[None],
            }
        )
    return rows


def by_state(filters: Filters = ALL, counts: Counts | None = None) -> pd.DataFrame:
    """Cases per state: every state in scope (zero where none), alphabetical by English name,
    then one row with key None for cases with no single state, when there are any.

    In scope: all 56 states, DC and territories, or the region's district when filtered by
    region, or the one state when filtered by state.
    Columns: key (USPS code, or None), label_en, label_ja, cases.
    """
    return _frame(state_rows(filters, counts), COUNT_COLUMNS)


def theme_rows(filters: Filters = ALL, counts: Counts | None = None) -> list[dict]:
    """by_theme() as a list of dicts (the same columns), without building a frame."""
    found = _counts_for(filters, counts).of("theme__slug")
    return [
        {
            "key": t.key,
            "label_en": t.name_en,
            "label_ja": t.name_ja,
            "cases": found.get(t.key, 0),
            "group": t.group,
        }
        for t in reference.themes().items
        if not filters.theme or t.key in filters.themes
    ]


def by_theme(filters: Filters = ALL, counts: Counts | None = None) -> pd.DataFrame:
    """Cases per theme, every theme listed (zero where none), by group then the themes' order.

    A case counts under each of its themes. Columns: key (theme slug), label_en, label_ja,
    cases, group (line-of-work, topic or priority-area).
    """
    return _frame(theme_rows(filters, counts), THEME_COLUMNS)


def format_rows(filters: Filters = ALL) -> list[dict]:
    """Cases per format (workshop, seminar...), every format listed (zero where none), in the
    formats' order; only the chosen formats when filtered by format.

    Columns as by_region: key (format value), label_en, label_ja, cases.
    """
    from cases.models import CaseFormat

    found = count_by(filters, "format")
    return [
        {
            "key": value,
            "label_en": _label(label, "en"),
            "label_ja": _label(label, "ja"),
            "cases": found.get(value, 0),
        }
        for value, label in CaseFormat.choices
        if not filters.format or value in filters.format
    ]


def partner_kind_rows(filters: Filters = ALL) -> list[dict]:
    """Cases per kind of partner: a case counts once under each kind of partner it has, so
    the rows may add up to more (or less) than the total. Every kind listed, in the kinds'
    order; only the chosen kinds when filtered by partner kind.

    Columns as by_region: key (partner kind value), label_en, label_ja, cases.
    """
    from cases.models import PartnerKind

    found = count_by(filters, "partner_kind")
    return [
        {
            "key": value,
            "label_en": _label(label, "en"),
            "label_ja": _label(label, "ja"),
            "cases": found.get(value, 0),
        }
        for value, label in PartnerKind.choices
        if not filters.partner_kind or value in filters.partner_kind
    ]


def by_format(filters: Filters = ALL) -> pd.DataFrame:
    """format_rows() as a frame."""
    return _frame(format_rows(filters), COUNT_COLUMNS)


def by_partner_kind(filters: Filters = ALL) -> pd.DataFrame:
    """partner_kind_rows() as a frame."""
    return _frame(partner_kind_rows(filters), COUNT_COLUMNS)


def _label(label, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(label)


FACETS = ("fiscal_year", "region", "state", "theme", "format", "partner_kind")


def _size_at_most(filters: Filters, limit: int, known=None) -> bool:
    """Whether the filters give at most `limit` cases: from the tallies when they can tell (a
    few rows), from `known` (a `cases.listing.ListCount` of these filters' cases) when it
    tells, otherwise counted up to limit + 1."""
    if tallied(filters):
        return total(filters) <= limit
    if known is not None and (known.exact or known.number >= limit):
        return known.exact and known.number <= limit
    return counted_up_to(filters.cases(), limit).exact


# The count_by field each facet counts by.
FACET_FIELDS = {
    "fiscal_year": "fiscal_year",
    "region": "region__code",
    "state": "state__code",
    "theme": "theme__slug",
    "format": "format",
    "partner_kind": "partner_kind",
}


def facets(
    filters: Filters, names=FACETS, *, limit: int | None = None, counted=None
) -> dict[str, dict | None]:
    """{filter name: {value: cases}}: how many cases each value of each filter would give with
    the other filters as they are (the filter's own values cleared), as a faceted list shows
    next to its options. Each is the row function's answer for `filters.without(name)`, so it
    equals `manage.py case_stats --by <name>` for the same filters; states are those of the
    chosen districts (all of them without a region filter). Fiscal years are counted with
    the range cleared.

    With `limit`, a facet the tallies cannot answer is counted from the case table only when
    its cases are at most `limit` (counted that far, once for each set of filters), and is
    None otherwise: grouping a search's hundred thousand matches by region, state, theme,
    format and partner kind takes seconds at a million cases. `counted`, when the caller has
    counted the cases of `filters` (a `cases.listing.ListCount`), saves counting them again.
    """
    rows = {
        "fiscal_year": fiscal_year_rows,
        "region": region_rows,
        "state": state_rows,
        "theme": theme_rows,
        "format": format_rows,
        "partner_kind": partner_kind_rows,
    }
    small: dict[Filters, bool] = {}
    found = {}
    for name in names:
        narrowed = filters.without(name)
        if limit is not None and not tallied(narrowed, FACET_FIELDS[name]):
            if narrowed not in small:
                known = counted if narrowed == filters else None
                small[narrowed] = _size_at_most(narrowed, limit, known)
            if not small[narrowed]:
                found[name] = None
                continue
        found[name] = {row["key"]: row["cases"] for row in rows[name](narrowed)}
    return found


def by_region_fiscal_year(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per region and fiscal year, with each region's running total.

    Every region in scope × every fiscal year in range (zero where none), regions in reference
    order, years ascending. Columns: region (code), region_label_en, region_label_ja,
    fiscal_year, cases, cumulative (running total within the region).
    """
    counts = count_by(filters, "region__code", "fiscal_year")
    years = _fiscal_year_range(filters, {year for _code, year in counts})
    regions = Region.objects.order_by("sort_order", "code")
    if filters.region:
        regions = regions.filter(code__in=filters.regions)
    rows = (
        (r.code, r.name_en, r.name_ja, year, counts.get((r.code, year), 0))
        for r in regions.only("code", "name_en", "name_ja")
        for year in years
    )
    frame = pd.DataFrame.from_records(list(rows), columns=REGION_FISCAL_YEAR_COLUMNS[:-1])
    frame = frame.astype({"fiscal_year": "int64", "cases": "int64"})
    frame["cumulative"] = frame.groupby("region", sort=False)["cases"].cumsum().astype("int64")
    return frame[REGION_FISCAL_YEAR_COLUMNS]


def reconcile() -> pd.DataFrame:
    """The register's totals beside every published figure, and the difference.

    Columns: from_fy, to_fy, label_en, label_ja, published, computed, difference (computed
    minus published), source_en, source_ja. One row per published figure.
    """
    counts = count_by(ALL, "fiscal_year")
    rows = []
    for figure in PublishedFigure.objects.all():
        computed = sum(n for year, n in counts.items() if figure.from_fy <= year <= figure.to_fy)
        rows.append(
            (
                figure.from_fy,
                figure.to_fy,
                _range_label(figure.from_fy, figure.to_fy, "en"),
                _range_label(figure.from_fy, figure.to_fy, "ja"),
                figure.cases,
                computed,
                computed - figure.cases,
                figure.source_en,
                figure.source_ja,
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=RECONCILIATION_COLUMNS)
    return frame.astype({"published": "int64", "computed": "int64", "difference": "int64"})


def pending_difference() -> int:
    """How the official total would move if HQ approved everything waiting for review: the
    held cases submitted for review, plus what the pending revisions would add or remove
    (`cases.models.Revision.figure_effect`). Staff pages show it beside the figure."""
    from_submitted = Case.objects.pending_review().count()
    return from_submitted + Revision.pending_figure_effect()


def _range_label(first: int, last: int, language: str) -> str:
    if first == last:
        return rules.fiscal_year_label(first, language)
    separator = "–" if language == "en" else "～"
    return (
        f"{rules.fiscal_year_label(first, language)}{separator}"
        f"{rules.fiscal_year_label(last, language)}"
    )


@dataclass(frozen=True)
class Headline:
    """The figures a front page leads with."""

    total: int
    first_fy: int | None
    latest_fy: int | None
    latest_cases: int


def headline(filters: Filters = ALL, counts: Counts | None = None) -> Headline:
    """All held cases, the fiscal years they span, and the count in the latest of them."""
    rows = fiscal_year_rows(filters, counts)
    if not rows:
        return Headline(total=0, first_fy=None, latest_fy=None, latest_cases=0)
    held = [row for row in rows if row["cases"] > 0]
    first, latest = (held[0], held[-1]) if held else (rows[0], rows[-1])
    return Headline(
        total=sum(row["cases"] for row in rows),
        first_fy=first["key"],
        latest_fy=latest["key"],
        latest_cases=latest["cases"],
    )
