"""The API's query parameters, declared once: the declarations check every request and write
the OpenAPI document's parameters, so the document states exactly the limits the code enforces.

A `Param` names a query parameter, its type and its limits. `check()` holds a query string to
the declarations and answers a BadQuery naming every parameter it refuses; `schema()` is the
parameter's JSON schema in /api/v1/openapi.json. The API is strict where the case browser is
lenient, so that anything the document calls valid is answered and anything it calls invalid is
refused:

- a parameter given must have a value (`?region=` is refused; leave the parameter out);
- numbers are plain decimal digits, without sign, spaces or leading zeros;
- codes (region, state, theme) name one of the register's: the list in the document is read
  from the same querysets the filters check against; a state's code may be upper or lower case;
- a fiscal-year range whose first year is after its last is not an error: it holds no cases.

The case list's parameters are read from the case browser's FilterSet (`cases.filters`), so the
API filters exactly as the browser does; the figures' parameters are those of `case_stats`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _

from cases import stats
from cases.figures import reference
from cases.filters import CaseFilter
from cases.listing import list_depth_label, search_depth
from cases.models import Case, Region, State, Theme
from exchange.filtering import BadQuery
from grassroots.language import page_language

MAX_ID = 2**63 - 1
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
NO_NUL = "^[^\\u0000]*$"
_DIGITS = re.compile(r"(0|[1-9][0-9]*)")


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    type: str = "string"  # "string" or "integer"
    minimum: int | Callable[[], int] | None = None
    maximum: int | Callable[[], int] | None = None
    max_length: int | None = None
    # Fixed choices, checked here; or codes read from the register for the document, which
    # the filter itself checks (one query, only when the parameter is given).
    choices: tuple[str, ...] | None = None
    codes: Callable[[], list[str]] | None = None
    either_case: bool = False  # a code may be given in upper or lower case
    # A fiscal year: checked by the one rule (`stats.parse_fiscal_year`); its limits, read
    # from the same span, only say it in the document and the message.
    fiscal_year: bool = False
    extra: dict = field(default_factory=dict)

    def limits(self) -> tuple[int | None, int | None]:
        low, high = self.minimum, self.maximum
        return (low() if callable(low) else low), (high() if callable(high) else high)

    def schema(self) -> dict:
        if self.type == "integer":
            low, high = self.limits()
            schema = {"type": "integer"}
            if low is not None:
                schema["minimum"] = low
            if high is not None:
                schema["maximum"] = high
            return schema
        schema: dict = {"type": "string", "minLength": 1}
        if self.choices is not None:
            schema = {"type": "string", "enum": list(self.choices)}
        elif self.codes is not None:
            values = [str(code) for code in self.codes()]
            if self.either_case:
                values = values + [code.lower() for code in values if code.lower() != code]
            schema = {"type": "string", "enum": values}
        else:
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
            schema["pattern"] = NO_NUL
        return schema

    def document(self) -> dict:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": self.schema(),
            **self.extra,
        }

    def check(self, raw: str):
        """The value, or a message saying what is wrong with it."""
        if raw == "":
            return None, _("%(name)s is empty: give a value or leave the parameter out.") % {
                "name": self.name
            }
        if self.type == "integer":
            return self._check_integer(raw)
        return self._check_text(raw)

    def _check_integer(self, raw: str):
        low, high = self.limits()
        if not raw.isascii() or not _DIGITS.fullmatch(raw):
            return None, _("%(name)s must be a whole number, not “%(value)s”.") % {
                "name": self.name,
                "value": raw,
            }
        value = int(raw)
        if self.fiscal_year:
            try:
                return stats.parse_fiscal_year(raw), None
            except stats.InvalidFilter:
                return None, _("%(name)s must be a whole number from %(low)s to %(high)s.") % {
                    "name": self.name,
                    "low": low,
                    "high": high,
                }
        if (low is not None and value < low) or (high is not None and value > high):
            return None, _("%(name)s must be a whole number from %(low)s to %(high)s.") % {
                "name": self.name,
                "low": low,
                "high": high,
            }
        return value, None

    def _check_text(self, raw: str):
        if "\x00" in raw:
            return None, _("%(name)s holds a NUL character.") % {"name": self.name}
        if self.choices is not None and raw not in self.choices:
            return None, _("%(name)s must be one of %(choices)s, not “%(value)s”.") % {
                "name": self.name,
                "choices": ", ".join(self.choices),
                "value": raw,
            }
        if self.codes is not None:
            same_case = raw in (raw.upper(), raw.lower()) if self.either_case else True
            if raw.strip() != raw or not same_case:
                return None, _("%(name)s has no code “%(value)s”.") % {
                    "name": self.name,
                    "value": raw,
                }
        if self.max_length is not None and len(raw) > self.max_length:
            return None, _("%(name)s may be at most %(count)s characters long.") % {
                "name": self.name,
                "count": self.max_length,
            }
        return raw, None


def check(params: list[Param], query) -> dict:
    """The declared parameters the query gives, checked; BadQuery naming every refusal.

    Parameters that are not declared are ignored, as the document allows."""
    values, problems = {}, []
    for param in params:
        if param.name not in query:
            continue
        value, problem = param.check(query[param.name])
        if problem:
            problems.append(problem)
        else:
            values[param.name] = value
    if problems:
        raise BadQuery(" ".join(str(problem) for problem in problems))
    return values


def empty_range(values: dict, first: str, last: str) -> bool:
    """A fiscal-year range whose first year is after its last (`stats.range_problem`, the one
    range rule): no case can be in it."""
    return stats.range_problem(values.get(first), values.get(last)) is not None


# --- The declarations ----------------------------------------------------------------------------


def _first_year() -> int:
    """The span's first year, for the document and the message (`stats.parse_fiscal_year`
    decides)."""
    return stats.fiscal_year_span()[0]


def _last_year() -> int:
    return stats.fiscal_year_span()[1]


def _text(value) -> str:
    return str(value) if value else ""


def _flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat(label)
        else:
            yield key, label


def _from_field(name: str, form_field) -> Param:
    """A Param for one field of the case browser's filter form."""
    description = " ".join(filter(None, [_text(form_field.label), _text(form_field.help_text)]))
    if isinstance(form_field, forms.ModelChoiceField):
        key = form_field.to_field_name or "pk"
        queryset = form_field.queryset

        def codes(queryset=queryset, key=key):
            return list(queryset.order_by(key).values_list(key, flat=True))

        either_case = key == "code" and queryset.model.__name__ == "State"
        return Param(name, description, codes=codes, either_case=either_case)
    if isinstance(form_field, forms.TypedChoiceField) and form_field.coerce is int:
        # The fiscal years: every one from the first of the register to the current one.
        return Param(
            name,
            description,
            type="integer",
            minimum=_first_year,
            maximum=_last_year,
            fiscal_year=True,
        )
    if isinstance(form_field, forms.ChoiceField):
        keys = tuple(str(k) for k, _label in _flat(form_field.choices) if k not in ("", None))
        return Param(name, description, choices=keys)
    return Param(name, description, max_length=getattr(form_field, "max_length", None))


def case_list_params() -> tuple[Param, ...]:
    """The case browser's filters, then the page and its size: built from the browser's form
    once per data generation and language (a form on every request of the API was a sixth of
    an API list's CPU), and never changed by those who read it."""
    return reference.remembered(f"case-list-params:{page_language()}", _case_list_params)


def _case_list_params() -> tuple[Param, ...]:
    form = CaseFilter(queryset=Case.objects.none()).form
    params = [_from_field(name, form_field) for name, form_field in form.fields.items()]
    return (
        *params,
        Param(
            "page",
            f"Page number, from 1. A list is paged up to its first {list_depth_label()} cases "
            f"(a text search, q, up to its first {search_depth():,}); a deeper page, "
            "like a page beyond the last, is a 404 (the downloads give every case).",
            type="integer",
            minimum=1,
            maximum=MAX_ID,
        ),
        Param(
            "page_size",
            f"Cases per page (default {DEFAULT_PAGE_SIZE}); values above {MAX_PAGE_SIZE} give "
            f"{MAX_PAGE_SIZE}.",
            type="integer",
            minimum=1,
            maximum=MAX_ID,
        ),
    )


def _codes(model, key: str) -> Callable[[], list[str]]:
    return lambda: list(model.objects.order_by(key).values_list(key, flat=True))


def stats_params() -> list[Param]:
    """The figures' filters, as `manage.py case_stats` takes them."""
    return [
        Param(
            stats.QUERY_NAMES["from_fy"],
            "First fiscal year (inclusive). A fiscal year runs 1 April to 31 March and is named "
            "by the year it starts in.",
            type="integer",
            minimum=_first_year,
            maximum=_last_year,
            fiscal_year=True,
        ),
        Param(
            stats.QUERY_NAMES["to_fy"],
            "Last fiscal year (inclusive). A range whose first year is after its last counts "
            "no cases.",
            type="integer",
            minimum=_first_year,
            maximum=_last_year,
            fiscal_year=True,
        ),
        Param("region", "Only cases led by this region (code).", codes=_codes(Region, "code")),
        Param(
            "state",
            "Only cases in this state (USPS code, upper or lower case).",
            codes=_codes(State, "code"),
            either_case=True,
        ),
        Param("theme", "Only cases with this theme (slug).", codes=_codes(Theme, "slug")),
    ]
