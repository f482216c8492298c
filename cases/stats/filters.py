"""What to count: the parsed form of a query (`Filters`), its one spelling in a query string
(`QUERY_NAMES`, the old spellings redirected) and the one rule for the fiscal years a query may
name (`fiscal_year_span`, `fiscal_year_problem`, `fiscal_year_choices`)."""

from dataclasses import dataclass, replace

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models import Case, Region, State, Theme
from cases.search import matching_cases
from grassroots.language import page_language


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
