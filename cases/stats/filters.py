"""What to count: the parsed form of a query (`Filters`), its one spelling in a query string
(`QUERY_NAMES`, the old spellings redirected), the one rule for the fiscal years a query may
name (`fiscal_year_span`, `fiscal_year_problem`, `fiscal_year_choices`) and the one reader of
a query's filters (`Filters.read`, tolerant; `Filters.from_query`, strict), which every surface
uses: the case browser, its downloads and the API's case list, the dashboard, the API's
figures, the comparison and the staff reports."""

from dataclasses import dataclass, field, replace

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.figures import reference
from cases.models import Case, CaseFormat, Partner, PartnerKind, tagged
from cases.search import is_rare, matching_cases
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


# Longer search text is cut to this length; no title, summary or name needs more.
MAX_SEARCH_LENGTH = 100
# A value quoted in a message is cut to this length, so a long one cannot fill a page.
_QUOTED_LENGTH = 40

# Every parameter the reader knows, in the order it reads (and reports) them, with the
# Filters field each one sets: the figures' five (`QUERY_NAMES`), then the case browser's.
READ_FIELDS = {
    **{name: field for field, name in QUERY_NAMES.items()},
    "format": "format",
    "partner_kind": "partner_kind",
    "partner": "partner",
    "q": "search",
}
READ_PARAMETERS = tuple(READ_FIELDS)


def _quoted(value: str) -> str:
    value = str(value)
    return value if len(value) <= _QUOTED_LENGTH else value[: _QUOTED_LENGTH - 1] + "…"


def parse_fiscal_year(text) -> int:
    """A fiscal year written as digits (`2024`) that the register can answer for, or
    InvalidFilter saying why not in the reader's language: the one parser of a year in a
    query, a form or a command."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise InvalidFilter(gettext("“%(value)s” is not a fiscal year.") % {"value": _quoted(raw)})
    year = int(raw)
    if problem := fiscal_year_problem(year):
        raise InvalidFilter(problem)
    return year


def range_problem(first: int | None, last: int | None) -> str | None:
    """Why a fiscal-year range cannot be (it ends before it starts), or None."""
    if first is None or last is None or first <= last:
        return None
    language = page_language()
    return gettext("The first fiscal year (%(first)s) is after the last (%(last)s).") % {
        "first": rules.fiscal_year_label(first, language),
        "last": rules.fiscal_year_label(last, language),
    }


def _unknown_message(name: str, value: str) -> str:
    """The one message for a code of `name` the register does not know."""
    messages = {
        "region": _("There is no region with the code “%(value)s”."),
        "state": _("There is no state with the code “%(value)s”."),
        "theme": _("There is no theme “%(value)s”."),
        "format": _("“%(value)s” is not a format."),
        "partner_kind": _("“%(value)s” is not a kind of partner."),
        "partner": _("There is no partner “%(value)s”."),
    }
    return str(messages[name]) % {"value": _quoted(value)}


def _known(name: str, values: tuple[str, ...]) -> set[str]:
    """Which of `values` the register knows as a `name`. Regions, states and themes come from
    the reference memo (no query once per generation); partners cost one query, only when
    the parameter is given."""
    if name == "region":
        known = reference.regions().ids
    elif name == "state":
        known = reference.states().ids
    elif name == "theme":
        known = reference.themes().ids
    elif name == "format":
        known = CaseFormat.values
    elif name == "partner_kind":
        known = PartnerKind.values
    else:
        clean = [value for value in values if "\x00" not in value]
        known = Partner.objects.filter(slug__in=clean).values_list("slug", flat=True)
    return set(values) & set(known)


def _codes_problem(name: str, values: tuple[str, ...]) -> str | None:
    """The message for the first value of `name` the register does not know, or None."""
    if not values:
        return None
    known = _known(name, values)
    unknown = [value for value in values if value not in known]
    return _unknown_message(name, unknown[0]) if unknown else None


def _values(query, name: str) -> list[str]:
    """Every non-blank value of `name` in a query (a QueryDict, or a mapping of one value or
    a list), stripped."""
    if hasattr(query, "getlist"):
        raw = query.getlist(name)
    else:
        raw = query.get(name)
        raw = [] if raw is None else (list(raw) if isinstance(raw, list | tuple) else [raw])
    return [str(value).strip() for value in raw if value is not None and str(value).strip()]


@dataclass(frozen=True)
class Reading:
    """A query's filters as `Filters.read` found them: `filters` holds the parameters that are
    valid; `problems` says, for each one that is not ({parameter as the URL spells it: message
    in the reader's language}), why it was dropped."""

    filters: "Filters"
    problems: dict = field(default_factory=dict)
    given: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def value(self, name: str):
        """The value a valid parameter gives (an int for `from`/`to`, a tuple of codes, the
        search text), or None when it is absent or dropped."""
        if name not in self.given or name in self.problems:
            return None
        attribute = READ_FIELDS[name]
        if attribute in ("region", "state", "theme", "partner"):
            return _many(getattr(self.filters, attribute))
        return getattr(self.filters, attribute)


@dataclass(frozen=True)
class Filters:
    """What to count: a fiscal-year range (both ends inclusive, either open) and, optionally,
    regions (codes), states (USPS codes) and themes (slugs), formats, partner kinds, partners
    (slugs), search words, and whether to count only the public cases.

    `region`, `state` and `theme` take one code (as they always have) or several (a tuple or
    list): several count the cases of any of them. One code in a tuple is stored as the plain
    code, so `Filters(region=("miami",)) == Filters(region="miami")`; several are stored as a
    sorted tuple. `regions`, `states` and `themes` always give a tuple.

    The tallies answer every filter with one value each and no more than that, of all the
    counted cases or of the public ones; anything else (several themes, formats, partner
    kinds, partners, search words) is counted from the case table: `simple` says which.
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
    # Which search terms are rare (cases.search.is_rare), asked once per term: shared by the
    # filters `replace` makes from these (a page's facets), never compared or hashed.
    rare_terms: dict = field(default_factory=dict, compare=False, repr=False)

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
    def read(cls, query, *, public: bool = False, names=READ_PARAMETERS) -> Reading:
        """The one reader of a query string's filters (a QueryDict, or a mapping with `get`):
        `from` and `to` (fiscal years, `parse_fiscal_year`), `region`, `state` (either case),
        `theme`, `format`, `partner_kind`, `partner` (several values of one give the cases of
        any of them) and `q` (search words, cut to MAX_SEARCH_LENGTH); `names` limits it to
        the parameters a surface takes. The inverse of `filters_query`.

        Tolerant: each parameter is judged on its own, and one that is not valid (a year that
        is not one or is outside the register, a code the register does not know: one
        unknown value drops the whole parameter) is left out of `filters` and reported in
        `problems`; the others still apply. A range that ends before it starts is reported
        once, under `to`, and only `to` is dropped: the range then runs from `from` to the
        latest year, on every surface."""
        problems: dict[str, str] = {}
        values: dict[str, object] = {}
        given = tuple(name for name in READ_PARAMETERS if name in names and _values(query, name))
        for name in given:
            raw = _values(query, name)
            if name in ("from", "to"):
                try:
                    values[name] = parse_fiscal_year(raw[-1])
                except InvalidFilter as problem:
                    problems[name] = str(problem)
            elif name == "q":
                values[name] = raw[-1].replace("\x00", "")[:MAX_SEARCH_LENGTH].strip()
            else:
                codes = tuple(dict.fromkeys(v.upper() if name == "state" else v for v in raw))
                if problem := _codes_problem(name, codes):
                    problems[name] = problem
                else:
                    values[name] = codes
        if problem := range_problem(values.get("from"), values.get("to")):
            problems["to"] = problem
            del values["to"]
        fields = {READ_FIELDS[name]: value for name, value in values.items()}
        return Reading(cls(public=public, **fields), problems, given)

    @classmethod
    def from_query(cls, query, names=PARAMETERS) -> "Filters":
        """The strict reading of a query string's filters (the API's figures): `read`, and
        InvalidFilter naming the first parameter that is not valid and saying why, in the
        reader's language (`from: The register starts with FY2017 (1 April 2017).`)."""
        reading = cls.read(query, names=names)
        for name, problem in reading.problems.items():
            raise InvalidFilter(f"{name}: {problem}")
        return reading.filters

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
            self.format
            or self.partner_kind
            or self.partner
            or self.search
            or len(self.regions) > 1
            or len(self.states) > 1
            or len(self.themes) > 1
        )

    def problems(self) -> dict[str, str]:
        """What is wrong with these filters, by the parameter that names each one: the same
        rules and messages as `read` (for filters built in code, a command's options...)."""
        found = {}
        for name, year in (("from", self.from_fy), ("to", self.to_fy)):
            if year is not None and (problem := fiscal_year_problem(year)):
                found[name] = problem
        if not found and (problem := range_problem(self.from_fy, self.to_fy)):
            found["to"] = problem
        for name in ("region", "state", "theme", "format", "partner_kind", "partner"):
            if problem := _codes_problem(name, _many(getattr(self, name))):
                found[name] = problem
        return found

    def validate(self) -> "Filters":
        """Return self if every code exists and the range is sound; else raise InvalidFilter
        with the first problem (`problems`)."""
        for problem in self.problems().values():
            raise InvalidFilter(problem)
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
        # Regions and states by their ids (the reference data's, no join): the database then
        # knows the values and reads a list of one region from its index, in order.
        for codes, listing, column in (
            (self.regions, reference.regions, "region_id"),
            (self.states, reference.states, "state_id"),
        ):
            if codes:
                ids = listing().ids
                found = sorted({ids[code] for code in codes if code in ids})
                if len(found) == 1:
                    qs = qs.filter(**{column: found[0]})
                else:
                    qs = qs.filter(**{f"{column}__in": found})
        if self.themes:
            # By the themes' ids, tested on each case's own row (`theme_tags`): the database
            # reads the list in its order from the index of the other filters and stops at
            # the page's end. Joined by slug, it gathered every case of the theme first (a
            # fiscal year and a theme at a million cases: 450 ms); looking each case up in
            # the (case, theme) key cost 3 µs a case passed (a deep page: 50-80 ms).
            ids = reference.themes().ids
            qs = qs.filter(tagged({ids[slug] for slug in self.themes if slug in ids}))
        if self.format:
            qs = qs.filter(format__in=self.format)
        if self.partner_kind:
            with_kind = CasePartner.objects.filter(partner__kind__in=self.partner_kind)
            qs = qs.filter(pk__in=with_kind.values("case_id"))
        if self.partner:
            with_partner = CasePartner.objects.filter(partner__slug__in=_many(self.partner))
            qs = qs.filter(pk__in=with_partner.values("case_id"))
        if self.search:
            qs = matching_cases(qs, self.search, rare=self._is_rare)
        return qs

    def _is_rare(self, word: str, using: str) -> bool:
        if (word, using) not in self.rare_terms:
            self.rare_terms[(word, using)] = is_rare(word, using)
        return self.rare_terms[(word, using)]


ALL = Filters()


def filters_query(filters: Filters) -> str:
    """The query string (without '?') that gives these filters; '' when there are none."""
    query = QueryDict(mutable=True)
    for attribute, name in QUERY_NAMES.items():
        value = getattr(filters, attribute)
        if attribute == "state" and isinstance(value, str):
            value = value.upper()
        for one in _many(value) if attribute in ("region", "state", "theme") else (value,):
            if one not in (None, ""):
                query.appendlist(name, str(one))
    return query.urlencode()
