"""Two fiscal years, or two districts, side by side: the figures, the differences and a
paragraph saying what changed.

Each side is a `stats.Filters` and every number on either side is the stats layer's own
(`stats.total`, `theme_rows`, `state_rows`, `format_rows`), so a side of a comparison always
equals the dashboard and `manage.py case_stats` for the same filters. Differences are the
second side minus the first.

The query string (read by `ComparisonForm`, for the page, its downloads and the staff view):

- `by=fiscal-year&a=2023&b=2024`, optionally `region=miami`: two fiscal years, in every
  district or in one;
- `by=region&a=miami&b=new-york`, optionally `from=2020&to=2024`: two districts, over every
  fiscal year or over a range.

No query at all compares the latest fiscal year with held cases with the year before it. A
query that names an unknown value, a year out of the register's range, the same side twice or
only one side is refused with a message in the page's language; nothing is guessed.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cases import rules, stats
from cases.figures import provenance, reference
from cases.filters import ReadChoiceField, ReadField
from cases.models import ThemeGroup
from grassroots.language import LANGUAGES, is_japanese, join_sentences, page_language, pick

BY_FISCAL_YEAR, BY_REGION = "fiscal-year", "region"
DIMENSIONS = ("theme", "state", "format")
# How many of the largest rises (and falls) the summary names for each table.
NAMED_CHANGES = 2
MINUS = "\u2212"


class BadComparison(ValueError):
    """A comparison query that cannot be answered; `messages` say why, in the page language."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


# --- The query ----------------------------------------------------------------------------------


def year_choices() -> list[tuple[int, str]]:
    """The fiscal years a side may be (`stats.fiscal_year_choices`, the one rule for the years
    a query may name), labelled in the page language."""
    return stats.fiscal_year_choices()


def region_choices() -> list[tuple[str, str]]:
    """The districts in reference order, named in the page language (no query per request)."""
    language = page_language()
    return [(region.key, region.label(language)) for region in reference.regions().items]


class FiscalYearField(forms.CharField):
    """A side's fiscal year, read by `stats.parse_fiscal_year` (the one parser of a year)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return stats.parse_fiscal_year(value)
        except stats.InvalidFilter as problem:
            raise ValidationError(str(problem), code="invalid") from None


class ComparisonForm(forms.Form):
    """Reads a comparison query; `request()` gives the validated `ComparisonRequest`.

    `a` and `b` are fiscal years or districts, as `by` says. What holds for both sides
    (`region`, `from`, `to`) is read by the one reader of filters, `stats.Filters.read`;
    a comparison takes one district (the last one given).
    """

    FILTERS = ("from", "to", "region")

    by = forms.ChoiceField(
        choices=[
            (BY_FISCAL_YEAR, gettext_lazy("Two fiscal years")),
            (BY_REGION, gettext_lazy("Two districts")),
        ],
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not something the portal compares: choose two fiscal years "
                "or two districts."
            )
        },
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        by = (data or {}).get("by") or BY_FISCAL_YEAR
        if by == BY_REGION:
            missing = _("Choose two districts to compare.")
            for name in ("a", "b"):
                self.fields[name] = forms.ChoiceField(
                    choices=region_choices(),
                    error_messages={
                        "invalid_choice": gettext_lazy("There is no district “%(value)s”."),
                        "required": missing,
                    },
                )
        else:
            missing = _("Choose two fiscal years to compare.")
            for name in ("a", "b"):
                self.fields[name] = FiscalYearField(error_messages={"required": missing})
        # Drawn only; the form's clean reads them (`stats.Filters.read`).
        self.fields["region"] = ReadChoiceField(
            choices=[("", _("All districts")), *region_choices()], required=False
        )
        self.fields["from"] = ReadField(required=False)
        self.fields["to"] = ReadField(required=False)

    def _side_label(self, value) -> str:
        if self.cleaned_data.get("by") == BY_REGION:
            return dict(region_choices()).get(value, value)
        return rules.fiscal_year_label(value, page_language())

    def clean(self):
        data = super().clean()
        reading = stats.Filters.read(self.data, names=self.FILTERS)
        for name in self.FILTERS:
            data.pop(name, None)
            if name in reading.problems:
                self.add_error(name, reading.problems[name])
            elif (value := reading.value(name)) not in (None, ()):
                data[name] = value[-1] if isinstance(value, tuple) else value
        by = data.get("by") or BY_FISCAL_YEAR
        data["by"] = by
        first, second = data.get("a"), data.get("b")
        if first and second and first == second:
            label = self._side_label(first)
            message = (
                _("Both sides are %(side)s: choose two different districts.")
                if by == BY_REGION
                else _("Both sides are %(side)s: choose two different fiscal years.")
            )
            raise ValidationError(message, params={"side": label})
        return data

    def messages(self) -> list[str]:
        """Every problem, once each, as sentences for the page or a plain-text answer."""
        found = []
        for errors in self.errors.values():
            for message in errors:
                if message not in found:
                    found.append(message)
        return found

    def request(self) -> "ComparisonRequest":
        """The comparison asked for, or BadComparison with the messages."""
        if not self.is_valid():
            raise BadComparison(self.messages())
        data = self.cleaned_data
        if data["by"] == BY_REGION:
            return ComparisonRequest(
                BY_REGION, data["a"], data["b"], from_fy=data.get("from"), to_fy=data.get("to")
            )
        return ComparisonRequest(
            BY_FISCAL_YEAR, data["a"], data["b"], region=data.get("region") or None
        )


@dataclass(frozen=True)
class ComparisonRequest:
    """What to compare: `by` fiscal year or region, the two sides (`a` first, `b` second) and
    what holds for both (a district for years; a fiscal-year range for districts)."""

    by: str
    a: int | str
    b: int | str
    region: str | None = None
    from_fy: int | None = None
    to_fy: int | None = None

    def side_filters(self, side) -> stats.Filters:
        if self.by == BY_REGION:
            return stats.Filters(from_fy=self.from_fy, to_fy=self.to_fy, region=side)
        return stats.Filters(from_fy=side, to_fy=side, region=self.region)

    def query(self) -> dict[str, str]:
        """The query-string parameters that ask for this comparison, in a fixed order."""
        values = {"by": self.by, "a": self.a, "b": self.b}
        if self.by == BY_REGION:
            values.update({"from": self.from_fy, "to": self.to_fy})
        else:
            values["region"] = self.region
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def default_request() -> ComparisonRequest:
    """The comparison a page without a query shows: the latest fiscal year with held cases and
    the year before it (the register's first two years when there is nothing yet)."""
    latest = stats.headline().latest_fy
    if latest is None or stats.Filters(from_fy=latest - 1).problems():
        first, _last = stats.fiscal_year_span()
        latest = first + 1
    return ComparisonRequest(BY_FISCAL_YEAR, latest - 1, latest)


def read_query(query) -> ComparisonRequest:
    """The comparison a query string asks for: the default for an empty one, else the form's
    answer (BadComparison for anything it refuses)."""
    if not any(value for _key, values in query.lists() for value in values):
        return default_request()
    return ComparisonForm(query).request()


# --- The figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side: its key (a fiscal year or a region code), its names and its filters."""

    key: int | str
    name_en: str
    name_ja: str
    filters: stats.Filters

    def label(self, language: str | None = None) -> str:
        return pick(self.name_en, self.name_ja, language).text


@dataclass(frozen=True)
class Row:
    """One line of a table: the counts of both sides and their difference (second − first)."""

    key: str | None
    label_en: str
    label_ja: str
    first: int
    second: int
    group: str = ""

    @property
    def difference(self) -> int:
        return self.second - self.first

    def label(self, language: str | None = None) -> str:
        return pick(self.label_en, self.label_ja, language).text


@dataclass
class Comparison:
    """Two sides with their totals and one table per dimension (theme, state, format)."""

    request: ComparisonRequest
    first: Side
    second: Side
    first_total: int
    second_total: int
    tables: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def difference(self) -> int:
        return self.second_total - self.first_total

    @property
    def by_region(self) -> bool:
        return self.request.by == BY_REGION

    def title(self, language: str | None = None) -> str:
        with translation.override(page_language(language)):
            return _("%(first)s and %(second)s compared") % {
                "first": self.first.label(language),
                "second": self.second.label(language),
            }

    def scope(self, language: str | None = None) -> str:
        """What holds for both sides, in words: the district, or the fiscal years."""
        language = page_language(language)
        with translation.override(language):
            if self.by_region:
                start, end = self.request.from_fy, self.request.to_fy
                if start is None and end is None:
                    return _("Every fiscal year")
                return _range_words(start, end, language)
            if self.request.region:
                item = reference.regions().get(self.request.region)
                name = item.label(language) if item else self.request.region
                return _("The %(region)s district") % {"region": name}
            return _("All districts")

    def summary(self, language: str | None = None) -> str:
        """The paragraph saying what changed, from the figures, in the language."""
        return summarise(self, page_language(language))

    def data_date(self) -> datetime.datetime | None:
        """The later of the two sides' data dates (`provenance.data_date`)."""
        dates = [
            provenance.data_date(side.filters.from_fy, side.filters.to_fy, side.filters.region)
            for side in (self.first, self.second)
        ]
        return max((date for date in dates if date is not None), default=None)

    def provenance(self, link: str) -> provenance.Provenance:
        """What a download of this comparison says about itself. The count is the cases of
        both sides together: no case is on both (a case has one fiscal year and one region)."""
        return provenance.Provenance(
            data_date=self.data_date(),
            filters=self.request.query(),
            count=self.first_total + self.second_total,
            link=link,
            demo=provenance.holds_demo_data(),
        )


def _short_year(year: int, language: str) -> str:
    """'FY2024' / '2024年度': short enough for a title and a column heading."""
    return f"{year}年度" if is_japanese(language) else f"FY{year}"


def _range_words(start, end, language) -> str:
    if start is not None and end is not None:
        if start == end:
            return rules.fiscal_year_label(start, language)
        separator = "～" if is_japanese(language) else "–"
        return f"{_short_year(start, language)}{separator}{_short_year(end, language)}"
    if start is not None:
        return _("From %(year)s") % {"year": _short_year(start, language)}
    return _("Up to %(year)s") % {"year": _short_year(end, language)}


def _side(request: ComparisonRequest, key) -> Side:
    filters = request.side_filters(key)
    if request.by == BY_REGION:
        item = reference.regions().get(key)
        return Side(key, item.name_en, item.name_ja, filters)
    return Side(key, _short_year(key, "en"), _short_year(key, "ja"), filters)


def _merge(first: list[dict], second: list[dict]) -> list[Row]:
    """Rows of both sides by key, in the first side's order and then the second's new keys."""
    by_key: dict = {}
    for position, rows in enumerate((first, second)):
        for row in rows:
            counts = by_key.setdefault(row["key"], [row, 0, 0])
            counts[position + 1] = int(row["cases"])
    return [
        Row(key, row["label_en"], row["label_ja"], a, b, row.get("group", ""))
        for key, (row, a, b) in by_key.items()
    ]


def _theme_order(rows: list[Row]) -> list[Row]:
    """Themes in their groups' own order (line of work, topic, priority area), as the
    dashboard's theme chart shows them."""
    order = {value: index for index, value in enumerate(ThemeGroup.values)}
    return sorted(rows, key=lambda row: order.get(row.group, len(order)))


def compare(request: ComparisonRequest) -> Comparison:
    """The comparison, every number from the stats layer (a `stats.Counts` per side)."""
    first, second = _side(request, request.a), _side(request, request.b)
    sides = []
    for side in (first, second):
        counts = stats.Counts(side.filters)
        sides.append(
            {
                "total": stats.total(side.filters, counts),
                "theme": stats.theme_rows(side.filters, counts),
                "state": stats.state_rows(side.filters, counts),
                "format": stats.format_rows(side.filters),
            }
        )
    a, b = sides
    states = [
        # A state with no case on either side says nothing; a district's own states stay.
        row
        for row in _merge(a["state"], b["state"])
        if row.first or row.second
    ]
    return Comparison(
        request=request,
        first=first,
        second=second,
        first_total=a["total"],
        second_total=b["total"],
        tables={
            "theme": _theme_order(_merge(a["theme"], b["theme"])),
            "state": states,
            "format": _merge(a["format"], b["format"]),
        },
    )


# --- Words --------------------------------------------------------------------------------------


def table_title(dimension: str) -> str:
    return {
        "theme": _("By theme"),
        "state": _("By state"),
        "format": _("By format"),
    }[dimension]


def signed(number: int) -> str:
    """+4, −6 (a true minus sign), 0."""
    if number > 0:
        return f"+{number:,}"
    if number < 0:
        return f"{MINUS}{-number:,}"
    return "0"


def _dimension_word(dimension: str) -> str:
    return {
        "theme": pgettext("comparison summary", "theme"),
        "state": pgettext("comparison summary", "state"),
        "format": pgettext("comparison summary", "format"),
    }[dimension]


def _items(rows: list[Row], language: str) -> str:
    named = [
        _("%(label)s (%(difference)s)")
        % {"label": row.label(language), "difference": signed(row.difference)}
        for row in rows
    ]
    if len(named) == 1:
        return named[0]
    return _("%(first)s and %(second)s") % {"first": named[0], "second": named[1]}


def _largest(rows: list[Row], rising: bool) -> list[Row]:
    """The rows that changed most in one direction, largest first (ties in table order)."""
    moved = [row for row in rows if (row.difference > 0 if rising else row.difference < 0)]
    moved.sort(key=lambda row: -abs(row.difference))
    return moved[:NAMED_CHANGES]


def _total_sentence(comparison: Comparison, language: str) -> str:
    a, b = comparison.first_total, comparison.second_total
    names = {
        "first": comparison.first.label(language),
        "second": comparison.second.label(language),
        "count": f"{b:,}",
        "first_count": f"{a:,}",
        "difference": f"{abs(b - a):,}",
    }
    if a == 0 and b == 0:
        return _("Neither %(first)s nor %(second)s had any held cases.") % names
    if a == b:
        return (
            ngettext(
                "%(second)s had %(count)s case, as many as %(first)s.",
                "%(second)s had %(count)s cases, as many as %(first)s.",
                b,
            )
            % names
        )
    if comparison.by_region:
        return _district_difference(a, b, names)
    return _year_difference(a, b, names)


def _district_difference(a: int, b: int, names: dict) -> str:
    """Two districts' different totals: how many more or fewer (no rise or fall: a district
    does not grow into another)."""
    template = (
        ngettext(
            "%(second)s had %(count)s case, %(difference)s more than %(first)s (%(first_count)s).",
            "%(second)s had %(count)s cases, %(difference)s more than %(first)s "
            "(%(first_count)s).",
            b,
        )
        if b > a
        else ngettext(
            "%(second)s had %(count)s case, %(difference)s fewer than %(first)s "
            "(%(first_count)s).",
            "%(second)s had %(count)s cases, %(difference)s fewer than %(first)s "
            "(%(first_count)s).",
            b,
        )
    )
    return template % names


def _year_difference(a: int, b: int, names: dict) -> str:
    """Two fiscal years' different totals, with the rise or fall as a percentage."""
    if a == 0:
        return (
            ngettext(
                "%(second)s had %(count)s case; %(first)s had none.",
                "%(second)s had %(count)s cases; %(first)s had none.",
                b,
            )
            % names
        )
    names["percent"] = f"{abs(b - a) * 100 / a:.0f}%"
    template = (
        ngettext(
            "%(second)s had %(count)s case, %(difference)s more than %(first)s "
            "(%(first_count)s): a rise of %(percent)s.",
            "%(second)s had %(count)s cases, %(difference)s more than %(first)s "
            "(%(first_count)s): a rise of %(percent)s.",
            b,
        )
        if b > a
        else ngettext(
            "%(second)s had %(count)s case, %(difference)s fewer than %(first)s "
            "(%(first_count)s): a fall of %(percent)s.",
            "%(second)s had %(count)s cases, %(difference)s fewer than %(first)s "
            "(%(first_count)s): a fall of %(percent)s.",
            b,
        )
    )
    return template % names


def _table_sentence(comparison: Comparison, dimension: str, language: str) -> str:
    rows = comparison.tables[dimension]
    ups, downs = _largest(rows, True), _largest(rows, False)
    names = {
        "dimension": _dimension_word(dimension),
        "first": comparison.first.label(language),
        "second": comparison.second.label(language),
    }
    if comparison.by_region:
        up = ngettext(
            "%(second)s’s largest lead over %(first)s was in %(items)s",
            "%(second)s’s largest leads over %(first)s were in %(items)s",
            len(ups),
        )
        down_after = ngettext(
            "its largest shortfall was in %(items)s",
            "its largest shortfalls were in %(items)s",
            len(downs),
        )
        down_alone = ngettext(
            "%(second)s’s largest shortfall against %(first)s was in %(items)s",
            "%(second)s’s largest shortfalls against %(first)s were in %(items)s",
            len(downs),
        )
        only_up = _("By %(dimension)s, %(up)s, and it was behind in none.")
        only_down = _("By %(dimension)s, %(down)s, and it was ahead in none.")
        neither = _("By %(dimension)s, both had the same counts.")
    else:
        up = ngettext(
            "the largest rise was in %(items)s", "the largest rises were in %(items)s", len(ups)
        )
        down_after = down_alone = ngettext(
            "the largest fall was in %(items)s", "the largest falls were in %(items)s", len(downs)
        )
        only_up = _("By %(dimension)s, %(up)s, and none fell.")
        only_down = _("By %(dimension)s, none rose, and %(down)s.")
        neither = _("By %(dimension)s, nothing changed.")
    if ups:
        names["up"] = up % {**names, "items": _items(ups, language)}
    if ups and downs:
        names["down"] = down_after % {**names, "items": _items(downs, language)}
        return _("By %(dimension)s, %(up)s, and %(down)s.") % names
    if ups:
        return only_up % names
    if downs:
        names["down"] = down_alone % {**names, "items": _items(downs, language)}
        return only_down % names
    return neither % names


def summarise(comparison: Comparison, language: str) -> str:
    """One paragraph: the totals, then the largest rises and falls by theme, state and format.

    Japanese sentences follow one another with no space between them, English ones with one.
    """
    with translation.override(language):
        sentences = [_total_sentence(comparison, language)]
        sentences += [_table_sentence(comparison, name, language) for name in DIMENSIONS]
    return join_sentences(sentences, language)


def summaries(comparison: Comparison) -> dict[str, str]:
    """The summary in both languages, for a file either reader may open."""
    return {language: summarise(comparison, language) for language in LANGUAGES}
