"""The figures of the register: one layer every page, chart, command and export reads.

Each figure is one aggregation query in the database (on the small tallies), zero-filled over
the reference data, returned as a pandas DataFrame with the columns documented on each function
(an empty frame with the same columns when there is nothing to count). Pages that only need
the rows use the `*_rows` functions (the same columns as lists of dicts, no pandas) and share
one `Counts` between figures, so a dashboard reads the tallies twice, not once per chart.

Counting rules, the same everywhere:
- only counted cases count (`Case.objects.counted()`: held cases; drafts, planned and
  cancelled cases never do);
- non-public held cases count, though the public site does not list them;
- a case counts once, under the region whose mission led it, and in the fiscal year its start
  date falls in; a case with no single state counts under its region but under no state;
- by theme, a case counts under each of its themes, so theme rows may add up to more than the
  total.

Every frame of counts has `key`, `label_en`, `label_ja` and `cases`; fiscal-year frames add
`cumulative`. `key` is a region code, a fiscal year (int), a USPS code or a theme slug.
"""

import contextlib
import threading
from dataclasses import dataclass, replace

import pandas as pd
from django.db.models import Count, Sum
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.figures import freshness, reference
from cases.figures.models import CaseTally, ThemeTally, ThemeYearTally
from cases.models import Case, PublishedFigure, Region, Revision, State, Theme
from cases.search import matching_cases
from grassroots.language import page_language

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


def fiscal_year_span() -> tuple[int, int]:
    """The fiscal years a filter, a report or a download may name: FY2017 (the register's first)
    to the current one. Read each time, so the span grows on 1 April without a restart."""
    last = rules.fiscal_year_of(timezone.localdate())
    return rules.FIRST_FISCAL_YEAR, max(last, rules.FIRST_FISCAL_YEAR)


def fiscal_year_problem(year: int) -> str | None:
    """The one rule for a fiscal year named in a query: why the register cannot answer for
    `year`, or None when it can."""
    first, last = fiscal_year_span()
    if year < first:
        return gettext("The register starts with FY2017 (1 April 2017).")
    if year > last:
        return gettext("FY%(year)s has not begun; the latest fiscal year is FY%(last)s.") % {
            "year": year,
            "last": last,
        }
    return None


def fiscal_year_choices(language: str | None = None) -> list[tuple[int, str]]:
    """Every fiscal year a filter may name, labelled in `language` (the page's by default). No
    query: the choices do not depend on the data."""
    first, last = fiscal_year_span()
    language = language or page_language()
    return [(year, rules.fiscal_year_label(year, language)) for year in range(first, last + 1)]


class InvalidFilter(ValueError):
    """A filter names something the register does not know, or a range that cannot be."""


def _many(value) -> tuple[str, ...]:
    """A filter value as a tuple of codes: None → (), "miami" → ("miami",)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


# The one spelling of each filter in a query string (pages, links, the API, downloads and
# reports), by the Filters field it sets, in the order links are written. `from` is a Python
# keyword, so the fields are from_fy and to_fy; the URLs say from and to.
QUERY_NAMES = {
    "from_fy": "from",
    "to_fy": "to",
    "region": "region",
    "state": "state",
    "theme": "theme",
}
PARAMETERS = tuple(QUERY_NAMES.values())

# Spellings a query once used, and the one each became (issue 15): a GET naming one is
# redirected, permanently, to the same query in the current spelling (`current_spelling`).
OLD_SPELLINGS = {"from_fy": "from", "to_fy": "to"}


def current_spelling(pairs: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """A query string's (name, value) pairs with every old spelling replaced by the current
    one in its place, everything else as it was and where it was; None when it names no old
    spelling. When both spellings of a parameter are there, the current one wins and the old
    is dropped."""
    names = {name for name, _value in pairs}
    if not names & OLD_SPELLINGS.keys():
        return None
    return [
        (OLD_SPELLINGS.get(name, name), value)
        for name, value in pairs
        if OLD_SPELLINGS.get(name) not in names
    ]


def _query_year(query, name: str) -> int | None:
    raw = (query.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 6):
        raise InvalidFilter(
            _("%(name)s must be a fiscal year such as 2024, not “%(value)s”.")
            % {"name": name, "value": raw}
        )
    year = int(raw)
    if problem := fiscal_year_problem(year):
        raise InvalidFilter(f"{name}: {problem}")
    return year


def _query_codes(query, name: str) -> tuple[str, ...]:
    return tuple(value.strip() for value in query.getlist(name) if value and value.strip())


@dataclass(frozen=True)
class Filters:
    """What to count: a fiscal-year range (both ends inclusive, either open) and, optionally,
    regions (codes), states (USPS codes) and themes (slugs), formats, partner kinds, partners
    (slugs), search words, and whether to count only the public cases.

    `region`, `state` and `theme` take one code (as they always have) or several (a tuple or
    list): several count the cases of any of them. One code in a tuple is stored as the plain
    code, so `Filters(region=("miami",)) == Filters(region="miami")`; several are stored as a
    sorted tuple. `regions`, `states` and `themes` always give a tuple.

    The tallies answer every filter with one value each and no more than that; anything else
    (several themes, formats, partner kinds, search words, public only) is counted from the
    case table: `simple` says which.
    """

    from_fy: int | None = None
    to_fy: int | None = None
    region: str | tuple[str, ...] | None = None
    state: str | tuple[str, ...] | None = None
    theme: str | tuple[str, ...] | None = None
    format: tuple[str, ...] = ()
    partner_kind: tuple[str, ...] = ()
    partner: str | tuple[str, ...] | None = None
    search: str = ""
    public: bool = False

    def __post_init__(self):
        for name in ("region", "state", "theme", "partner"):
            values = _many(getattr(self, name))
            if name == "state":
                values = tuple(value.upper() for value in values)
            values = tuple(sorted(set(values)))
            object.__setattr__(self, name, values[0] if len(values) == 1 else (values or None))
        for name in ("format", "partner_kind"):
            object.__setattr__(self, name, tuple(sorted(set(_many(getattr(self, name))))))
        object.__setattr__(self, "search", (self.search or "").strip())

    @classmethod
    def from_query(cls, query) -> "Filters":
        """The one reading of a query string's filters (a QueryDict, or anything with `get` and
        `getlist`): `from` and `to` (fiscal years), `region`, `state` and `theme` (codes;
        several give the cases of any of them), validated. The inverse of `filters_query`.

        Raises InvalidFilter whose message names the parameter and says, in the reader's
        language, what is wrong: a year that is not a number or is outside the register
        (`fiscal_year_problem`), a range that ends before it starts, a code the register does
        not know."""
        names = QUERY_NAMES
        return cls(
            from_fy=_query_year(query, names["from_fy"]),
            to_fy=_query_year(query, names["to_fy"]),
            region=_query_codes(query, names["region"]),
            state=_query_codes(query, names["state"]),
            theme=_query_codes(query, names["theme"]),
        ).validate()

    @property
    def regions(self) -> tuple[str, ...]:
        return _many(self.region)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(code.upper() for code in _many(self.state))

    @property
    def themes(self) -> tuple[str, ...]:
        return _many(self.theme)

    @property
    def simple(self) -> bool:
        """Whether the tallies can answer: one value at most per filter, and nothing else."""
        return not (
            self.public
            or self.format
            or self.partner_kind
            or self.partner
            or self.search
            or len(self.regions) > 1
            or len(self.states) > 1
            or len(self.themes) > 1
        )

    def validate(self) -> "Filters":
        """Return self if every code exists and the range is sound; else raise InvalidFilter."""
        from cases.models import CaseFormat, PartnerKind

        if self.from_fy is not None and self.to_fy is not None and self.from_fy > self.to_fy:
            raise InvalidFilter(
                _("The first fiscal year (%(first)s) is after the last (%(last)s).")
                % {"first": self.from_fy, "last": self.to_fy}
            )
        for year in (self.from_fy, self.to_fy):
            if year is not None and (problem := fiscal_year_problem(year)):
                raise InvalidFilter(problem)
        checks = [
            (self.regions, Region.objects.values_list("code", flat=True), _("region")),
            (self.states, State.objects.values_list("code", flat=True), _("state")),
            (self.themes, Theme.objects.values_list("slug", flat=True), _("theme")),
            (self.format, CaseFormat.values, _("format")),
            (self.partner_kind, PartnerKind.values, _("partner kind")),
        ]
        for values, known, what in checks:
            if not values:
                continue
            unknown = sorted(set(values) - set(known))
            if unknown:
                raise InvalidFilter(
                    _("There is no %(what)s with the code “%(code)s”.")
                    % {"what": what, "code": unknown[0]}
                )
        return self

    def without(self, name: str) -> "Filters":
        """These filters with one of them cleared: a facet's counts are those of the others.
        `fiscal_year` clears both ends of the range."""
        if name == "fiscal_year":
            return replace(self, from_fy=None, to_fy=None)
        empty = () if name in ("format", "partner_kind") else None
        return replace(self, **{name: empty})

    def cases(self):
        """The queryset of cases these filters count (each case once)."""
        return self.narrow(Case.objects.public() if self.public else Case.objects.counted())

    def narrow(self, qs):
        """`qs` (cases) narrowed by every filter but `public`: the case browser's list is this
        of the public cases, so it lists what these filters count."""
        from cases.models import CasePartner

        qs = qs.in_fiscal_years(self.from_fy, self.to_fy)
        if len(self.regions) == 1:
            qs = qs.for_region(self.regions[0])
        elif self.regions:
            qs = qs.filter(region__code__in=self.regions)
        if self.states:
            qs = qs.filter(state__code__in=self.states)
        if len(self.themes) == 1:
            qs = qs.filter(themes__slug=self.themes[0])
        elif self.themes:
            tagged = Case.themes.through.objects.filter(theme__slug__in=self.themes)
            qs = qs.filter(pk__in=tagged.values("case_id"))
        if self.format:
            qs = qs.filter(format__in=self.format)
        if self.partner_kind:
            with_kind = CasePartner.objects.filter(partner__kind__in=self.partner_kind)
            qs = qs.filter(pk__in=with_kind.values("case_id"))
        if self.partner:
            with_partner = CasePartner.objects.filter(partner__slug__in=_many(self.partner))
            qs = qs.filter(pk__in=with_partner.values("case_id"))
        if self.search:
            qs = matching_cases(qs, self.search)
        return qs


ALL = Filters()


def filters_query(filters: Filters) -> str:
    """The query string (without '?') that gives these filters; '' when there are none."""
    query = QueryDict(mutable=True)
    for field, name in QUERY_NAMES.items():
        value = getattr(filters, field)
        if field == "state" and isinstance(value, str):
            value = value.upper()
        for one in _many(value) if field in ("region", "state", "theme") else (value,):
            if one not in (None, ""):
                query.appendlist(name, str(one))
    return query.urlencode()


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


def _counts(filters: Filters, *fields: str) -> dict:
    """{value(s) of `fields`: number of held cases} for the filters.

    `fields` are lookups shared by cases and tallies: region__code, state__code, fiscal_year,
    or theme__slug (a case counts under each of its themes). One value gives a dict keyed by
    that value, several a dict keyed by tuples; no field gives {(): total}.
    """
    # The tallies hold no format or partner kind, and answer only simple filters.
    untallied = {"format", "partner_kind"} & set(fields)
    if getattr(_source, "raw", False) or not filters.simple or untallied:
        rows = _raw_counts(filters, fields)
    else:
        rows = _tally_counts(filters, fields)
    if len(fields) == 1:
        return {row[0]: row[-1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def _tally_counts(filters: Filters, fields):
    freshness.flush()  # this thread's own uncounted writes first
    by_theme = filters.theme or "theme__slug" in fields
    qs = (ThemeTally if by_theme else CaseTally).objects.all()
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


def _frame(rows, columns) -> pd.DataFrame:
    # Object columns keep None as None (pandas' string dtype would turn it into NaN).
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    if "cases" in frame:
        frame["cases"] = frame["cases"].astype("int64")
    return frame


class Counts:
    """Every count one page needs for one Filters, read with as few queries as possible.

    A dashboard shows the same filters by fiscal year, region and state, and a headline: all
    of them follow from the tally rows at their own grain (fiscal year, region, state), so one
    query reads those few hundred rows and Python sums them each way. Themes take one more
    query. Pass one Counts to several functions below to share the queries. Made with
    `shared=False` (what the functions do without one), or counting raw (`counting_raw()`),
    each figure is one query of its own, as `_counts` makes it.
    """

    def __init__(self, filters: Filters = ALL, *, shared: bool = True):
        self.filters = filters
        self.shared = shared
        self._grain: list[tuple] | None = None
        self._by: dict[tuple, dict] = {}

    def of(self, *fields: str) -> dict:
        """The counts keyed as `_counts(filters, *fields)` keys them."""
        if fields not in self._by:
            if getattr(_source, "raw", False) or not self.shared or not self.filters.simple:
                self._by[fields] = _counts(self.filters, *fields)
            elif fields == ("theme__slug",):
                self._by[fields] = self._themes()
            else:
                self._by[fields] = self._sum(fields)
        return self._by[fields]

    def _tally(self, model):
        freshness.flush()  # this thread's own uncounted writes first
        filters = self.filters
        qs = model.objects.all()
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
            return _counts(self.filters, *fields)
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
        # sums in far fewer rows.
        national = not (self.filters.region or self.filters.state)
        tally = self._tally(ThemeYearTally if national else ThemeTally)
        rows = tally.values_list("theme_id").annotate(n=Sum("cases")).order_by()
        return {slugs.get(theme): n for theme, n in rows}


def _counts_for(filters: Filters, counts: "Counts | None") -> "Counts":
    if counts is not None and counts.filters == filters:
        return counts
    return Counts(filters, shared=False)


def total(filters: Filters = ALL, counts: Counts | None = None) -> int:
    """The number of held cases that match."""
    if counts is None:
        return _counts(filters)[()]
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

    found = _counts(filters, "format")
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

    found = _counts(filters, "partner_kind")
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


def facets(filters: Filters, names=FACETS) -> dict[str, dict]:
    """{filter name: {value: cases}}: how many cases each value of each filter would give with
    the other filters as they are (the filter's own values cleared), as a faceted list shows
    next to its options. Each is the row function's answer for `filters.without(name)`, so it
    equals `manage.py case_stats --by <name>` for the same filters; states are those of the
    chosen districts (all of them without a region filter). Fiscal years are counted with
    the range cleared.
    """
    rows = {
        "fiscal_year": fiscal_year_rows,
        "region": region_rows,
        "state": state_rows,
        "theme": theme_rows,
        "format": format_rows,
        "partner_kind": partner_kind_rows,
    }
    return {
        name: {row["key"]: row["cases"] for row in rows[name](filters.without(name))}
        for name in names
    }


def by_region_fiscal_year(filters: Filters = ALL) -> pd.DataFrame:
    """Cases per region and fiscal year, with each region's running total.

    Every region in scope × every fiscal year in range (zero where none), regions in reference
    order, years ascending. Columns: region (code), region_label_en, region_label_ja,
    fiscal_year, cases, cumulative (running total within the region).
    """
    counts = _counts(filters, "region__code", "fiscal_year")
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
    counts = _counts(ALL, "fiscal_year")
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
