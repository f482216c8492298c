"""The figures of the register: one layer every page, chart, command and export reads.

Three steps, always in this order: one aggregation query in the database, a pandas DataFrame
with the columns documented on each function (an empty frame with the same columns when there
is nothing to count), then pure pandas transforms (zero-filling, running totals).

Counting rules, the same everywhere:
- only held cases count (drafts, planned and cancelled cases never do);
- non-public held cases count, though the public site does not list them;
- a case counts once, under the region whose mission led it, and in the fiscal year its start
  date falls in; a case with no single state counts under its region but under no state;
- by theme, a case counts under each of its themes, so theme rows may add up to more than the
  total.

Every frame of counts has `key`, `label_en`, `label_ja` and `cases`; fiscal-year frames add
`cumulative`. `key` is a region code, a fiscal year (int), a USPS code or a theme slug.
"""

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models import Case, PublishedFigure, Region, State, Theme

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


class InvalidFilter(ValueError):
    """A filter names something the register does not know, or a range that cannot be."""


@dataclass(frozen=True)
class Filters:
    """What to count: a fiscal-year range (both ends inclusive, either open) and, optionally,
    one region (code), one state (USPS code) and one theme (slug)."""

    from_fy: int | None = None
    to_fy: int | None = None
    region: str | None = None
    state: str | None = None
    theme: str | None = None

    def validate(self) -> "Filters":
        """Return self if every code exists and the range is sound; else raise InvalidFilter."""
        if self.from_fy is not None and self.to_fy is not None and self.from_fy > self.to_fy:
            raise InvalidFilter(
                _("The first fiscal year (%(first)s) is after the last (%(last)s).")
                % {"first": self.from_fy, "last": self.to_fy}
            )
        for year in (self.from_fy, self.to_fy):
            if year is not None and year < rules.FIRST_FISCAL_YEAR:
                raise InvalidFilter(_("The register starts with FY2017 (1 April 2017)."))
            if year is not None and year > 2200:
                raise InvalidFilter(_("%(year)s is not a fiscal year.") % {"year": year})
        checks = [
            (self.region, Region.objects.filter(code=self.region), _("region")),
            (self.state, State.objects.filter(code=(self.state or "").upper()), _("state")),
            (self.theme, Theme.objects.filter(slug=self.theme), _("theme")),
        ]
        for value, queryset, what in checks:
            if value and not queryset.exists():
                raise InvalidFilter(
                    _("There is no %(what)s with the code “%(code)s”.")
                    % {"what": what, "code": value}
                )
        return self

    def cases(self):
        """The queryset of cases these filters count."""
        qs = Case.objects.held().in_fiscal_years(self.from_fy, self.to_fy)
        if self.region:
            qs = qs.for_region(self.region)
        if self.state:
            qs = qs.filter(state__code=self.state.upper())
        if self.theme:
            qs = qs.filter(themes__slug=self.theme)
        return qs


ALL = Filters()


def _frame(rows, columns) -> pd.DataFrame:
    # Object columns keep None as None (pandas' string dtype would turn it into NaN).
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    if "cases" in frame:
        frame["cases"] = frame["cases"].astype("int64")
    return frame


def total(filters: Filters = ALL) -> int:
    """The number of held cases that match."""
    return filters.cases().count()


def by_region(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per region, every region listed (zero where none), in the reference order.

    Columns: key (region code), label_en, label_ja, cases.
    """
    counts = dict(filters.cases().values_list("region__code").annotate(n=Count("pk")).order_by())
    regions = Region.objects.order_by("sort_order", "code")
    if filters.region:
        regions = regions.filter(code=filters.region)
    rows = (
        (r.code, r.name_en, r.name_ja, counts.get(r.code, 0))
        for r in regions.only("code", "name_en", "name_ja")
    )
    return _frame(rows, COUNT_COLUMNS)


def _fiscal_year_range(filters: Filters, years_present) -> range:
    """The years to list: the filter's range, with open ends closed by the data's extent."""
    first = filters.from_fy if filters.from_fy is not None else min(years_present, default=None)
    last = filters.to_fy if filters.to_fy is not None else max(years_present, default=None)
    if first is None or last is None:
        return range(0)
    return range(first, last + 1)


def by_fiscal_year(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per fiscal year with a running total, every year in the range listed.

    Columns: key (fiscal year, int), label_en ('FY2024'), label_ja ('2024年度（令和6年度）'),
    cases, cumulative (running total from the first year listed).
    """
    counts = dict(filters.cases().values_list("fiscal_year").annotate(n=Count("pk")).order_by())
    years = _fiscal_year_range(filters, counts.keys())
    rows = (
        (
            year,
            rules.fiscal_year_label(year, "en"),
            rules.fiscal_year_label(year, "ja"),
            counts.get(year, 0),
        )
        for year in years
    )
    frame = _frame(rows, COUNT_COLUMNS)
    frame["key"] = frame["key"].astype("int64")
    frame["cumulative"] = frame["cases"].cumsum().astype("int64")
    return frame[FISCAL_YEAR_COLUMNS]


def by_state(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per state: every state in scope (zero where none), alphabetical by English name,
    then one row with key None for cases with no single state, when there are any.

    In scope: all 56 states, DC and territories, or the region's district when filtered by
    region, or the one state when filtered by state.
    Columns: key (USPS code, or None), label_en, label_ja, cases.
    """
    counts = dict(filters.cases().values_list("state__code").annotate(n=Count("pk")).order_by())
    states = State.objects.order_by("name_en")
    if filters.region:
        states = states.filter(jurisdictions__region__code=filters.region)
    if filters.state:
        states = states.filter(code=filters.state.upper())
    rows = [(s.code, s.name_en, s.name_ja, counts.get(s.code, 0)) for s in states]
    if counts.get(None):
        rows.append((None, NO_STATE_LABEL_EN, NO_STATE_LABEL_JA, counts[None]))
    return _frame(rows, COUNT_COLUMNS)


def by_theme(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per theme, every theme listed (zero where none), by group then the themes' order.

    A case counts under each of its themes. Columns: key (theme slug), label_en, label_ja,
    cases, group (line-of-work, topic or priority-area).
    """
    through = Case.themes.through
    counts = dict(
        through.objects.filter(case__in=filters.cases().values("pk"))
        .values_list("theme__slug")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
    )
    themes = Theme.objects.order_by("group", "sort_order", "slug")
    if filters.theme:
        themes = themes.filter(slug=filters.theme)
    rows = (
        (t.slug, t.name_en, t.name_ja, counts.get(t.slug, 0), t.group)
        for t in themes.only("slug", "name_en", "name_ja", "group")
    )
    return _frame(rows, THEME_COLUMNS)


def by_region_fiscal_year(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per region and fiscal year, with each region's running total.

    Every region in scope × every fiscal year in range (zero where none), regions in reference
    order, years ascending. Columns: region (code), region_label_en, region_label_ja,
    fiscal_year, cases, cumulative (running total within the region).
    """
    counts = {
        (code, year): n
        for code, year, n in filters.cases()
        .values_list("region__code", "fiscal_year")
        .annotate(n=Count("pk"))
        .order_by()
    }
    years = _fiscal_year_range(filters, {year for _code, year in counts})
    regions = Region.objects.order_by("sort_order", "code")
    if filters.region:
        regions = regions.filter(code=filters.region)
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
    counts = dict(
        Case.objects.held().values_list("fiscal_year").annotate(n=Count("pk")).order_by()
    )
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


def headline(filters: Filters = ALL) -> Headline:
    """All held cases, the fiscal years they span, and the count in the latest of them."""
    frame = by_fiscal_year(filters)
    if frame.empty:
        return Headline(total=0, first_fy=None, latest_fy=None, latest_cases=0)
    held = frame[frame["cases"] > 0]
    latest = held.iloc[-1] if not held.empty else frame.iloc[-1]
    return Headline(
        total=int(frame["cases"].sum()),
        first_fy=int(held.iloc[0]["key"]) if not held.empty else int(frame.iloc[0]["key"]),
        latest_fy=int(latest["key"]),
        latest_cases=int(latest["cases"]),
    )
