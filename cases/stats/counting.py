"""Where the counts come from: the tallies, or (inside `counting_raw()`) the case table;
`Counts` holds one read of them that several figures share."""

import contextlib
import threading

from django.db.models import Count, Sum

from cases.figures import freshness, reference
from cases.figures.models import (
    CaseTally,
    FormatTally,
    PartnerKindTally,
    ThemeTally,
    ThemeYearTally,
)
from cases.models import Case
from cases.stats.filters import ALL, Filters

# --- Where the counts come from -----------------------------------------------------------------
#
# The counts are read from the tallies (`cases.figures.models`): a few hundred rows, one per fiscal
# year, region and state (and theme), kept current on every change by `cases.figures.freshness`.
# Every Filters combination can be answered from them. `counting_raw()` switches this thread
# to counting the case table itself, which the tests use to check the two always agree.

_source = threading.local()


@contextlib.contextmanager
def counting_raw():
    """Count from the case table instead of the tallies, inside the block (this thread)."""
    previous = getattr(_source, "raw", False)
    _source.raw = True
    try:
        yield
    finally:
        _source.raw = previous


def count_by(filters: Filters, *fields: str) -> dict:
    """{value(s) of `fields`: number of held cases} for the filters.

    `fields` are lookups shared by cases and tallies: region__code, state__code, fiscal_year,
    or theme__slug (a case counts under each of its themes). One value gives a dict keyed by
    that value, several a dict keyed by tuples; no field gives {(): total}.
    """
    if getattr(_source, "raw", False) or not tallied(filters, *fields):
        rows = _raw_counts(filters, fields)
    elif fields in (("format",), ("partner_kind",)):
        rows = _facet_counts(filters, fields[0])
    else:
        rows = _tally_counts(filters, fields)
    if len(fields) == 1:
        return {row[0]: row[-1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def tallied(filters: Filters, *fields: str) -> bool:
    """Whether the tallies answer `count_by(filters, *fields)`: only simple filters; formats
    and partner kinds one at a time and without a theme (their tallies have none)."""
    if not filters.simple:
        return False
    if {"format", "partner_kind"} & set(fields):
        return fields in (("format",), ("partner_kind",)) and not filters.theme
    return True


def _tally_counts(filters: Filters, fields):
    freshness.flush()  # this thread's own uncounted writes first
    by_theme = filters.theme or "theme__slug" in fields
    qs = (ThemeTally if by_theme else CaseTally).objects.all()
    if filters.public:
        qs = qs.filter(public=True)
    if filters.from_fy is not None:
        qs = qs.filter(fiscal_year__gte=filters.from_fy)
    if filters.to_fy is not None:
        qs = qs.filter(fiscal_year__lte=filters.to_fy)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    if filters.state:
        qs = qs.filter(state__code=filters.state.upper())
    if filters.theme:
        # By theme with a theme filter, only the theme's own row is listed (by_theme), and
        # its count is that of the theme's cases: the same rows either way.
        qs = qs.filter(theme__slug=filters.theme)
    if not fields:
        return [((qs.aggregate(n=Sum("cases"))["n"] or 0),)]
    return qs.values_list(*fields).annotate(n=Sum("cases")).order_by()


def _facet_counts(filters: Filters, name: str):
    """(value, cases) of a format or partner kind, from its tally."""
    freshness.flush()  # this thread's own uncounted writes first
    model, column = (FormatTally, "format") if name == "format" else (PartnerKindTally, "kind")
    qs = model.objects.all()
    if filters.public:
        qs = qs.filter(public=True)
    if filters.from_fy is not None:
        qs = qs.filter(fiscal_year__gte=filters.from_fy)
    if filters.to_fy is not None:
        qs = qs.filter(fiscal_year__lte=filters.to_fy)
    for value, listing, field in (
        (filters.region, reference.regions, "region_id"),
        ((filters.state or "").upper(), reference.states, "state_id"),
    ):
        if value:
            pk = listing().ids.get(value)
            qs = qs.filter(**{field: pk}) if pk is not None else qs.none()
    return qs.values_list(column).annotate(n=Sum("cases")).order_by()


def _raw_counts(filters: Filters, fields):
    if fields == ("partner_kind",):
        # A case counts once under each kind of partner it has.
        from cases.models import CasePartner

        return (
            CasePartner.objects.filter(case__in=filters.cases().values("pk"))
            .values_list("partner__kind")
            .annotate(n=Count("case_id", distinct=True))
            .order_by()
        )
    if "theme__slug" in fields:
        through = Case.themes.through
        lookups = [name if name == "theme__slug" else f"case__{name}" for name in fields]
        return (
            through.objects.filter(case__in=filters.cases().values("pk"))
            .values_list(*lookups)
            .annotate(n=Count("case_id", distinct=True))
            .order_by()
        )
    if not fields:
        return [(filters.cases().count(),)]
    return filters.cases().values_list(*fields).annotate(n=Count("pk")).order_by()


class Counts:
    """Every count one page needs for one Filters, read with as few queries as possible.

    A dashboard shows the same filters by fiscal year, region and state, and a headline: all
    of them follow from the tally rows at their own grain (fiscal year, region, state), so one
    query reads those few hundred rows and Python sums them each way. Themes take one more
    query. Pass one Counts to several functions below to share the queries. Made with
    `shared=False` (what the functions do without one), or counting raw (`counting_raw()`),
    each figure is one query of its own, as `count_by` makes it.
    """

    def __init__(self, filters: Filters = ALL, *, shared: bool = True):
        self.filters = filters
        self.shared = shared
        self._grain: list[tuple] | None = None
        self._by: dict[tuple, dict] = {}

    @property
    def loaded(self) -> bool:
        """Whether the tally rows at their grain have been read: sums of them cost no query."""
        return self._grain is not None

    def of(self, *fields: str) -> dict:
        """The counts keyed as `count_by(filters, *fields)` keys them."""
        if fields not in self._by:
            if getattr(_source, "raw", False) or not self.shared or not self.filters.simple:
                self._by[fields] = count_by(self.filters, *fields)
            elif fields == ("theme__slug",):
                self._by[fields] = self._themes()
            else:
                self._by[fields] = self._sum(fields)
        return self._by[fields]

    def _tally(self, model):
        freshness.flush()  # this thread's own uncounted writes first
        filters = self.filters
        qs = model.objects.all()
        if filters.public:
            qs = qs.filter(public=True)
        if filters.from_fy is not None:
            qs = qs.filter(fiscal_year__gte=filters.from_fy)
        if filters.to_fy is not None:
            qs = qs.filter(fiscal_year__lte=filters.to_fy)
        # Codes become ids through the reference data: no join. An unknown code counts none.
        for value, listing, field in (
            (filters.region, reference.regions, "region_id"),
            ((filters.state or "").upper(), reference.states, "state_id"),
            (filters.theme, reference.themes, "theme_id"),
        ):
            if value:
                pk = listing().ids.get(value)
                qs = qs.filter(**{field: pk}) if pk is not None else qs.none()
        return qs

    def _rows(self) -> list[tuple]:
        """(fiscal year, region code, state code or None, cases) at the tallies' grain."""
        if self._grain is None:
            regions, states = reference.regions().keys, reference.states().keys
            # With a theme, the theme's own tally rows hold its cases at the same grain.
            qs = self._tally(ThemeTally if self.filters.theme else CaseTally)
            self._grain = [
                (year, regions.get(region), states.get(state), n)
                for year, region, state, n in qs.values_list(
                    "fiscal_year", "region_id", "state_id", "cases"
                ).order_by()
            ]
        return self._grain

    def _sum(self, fields) -> dict:
        if not fields:
            return {(): sum(row[3] for row in self._rows())}
        positions = {"fiscal_year": 0, "region__code": 1, "state__code": 2}
        try:
            picks = [positions[name] for name in fields]
        except KeyError:
            return count_by(self.filters, *fields)
        if len(picks) == 1:
            # A page asks for every single grain: sum all three in one pass over the rows.
            years: dict = {}
            regions: dict = {}
            states: dict = {}
            for year, region, state, n in self._rows():
                years[year] = years.get(year, 0) + n
                regions[region] = regions.get(region, 0) + n
                states[state] = states.get(state, 0) + n
            singles = (years, regions, states)
            for name, position in positions.items():
                self._by.setdefault((name,), singles[position])
            return singles[picks[0]]
        totals: dict = {}
        for row in self._rows():
            key = tuple(row[i] for i in picks)  # single fields returned above
            totals[key] = totals.get(key, 0) + row[3]
        return totals

    def _themes(self) -> dict:
        slugs = reference.themes().keys
        # Without a region or state, the national tally by fiscal year and theme has the same
        # sums in far fewer rows (of every counted case: public ones are in the theme tally).
        national = not (self.filters.region or self.filters.state or self.filters.public)
        tally = self._tally(ThemeYearTally if national else ThemeTally)
        rows = tally.values_list("theme_id").annotate(n=Sum("cases")).order_by()
        return {slugs.get(theme): n for theme, n in rows}
