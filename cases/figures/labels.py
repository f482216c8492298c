"""The charts' words and links: the scope sentence of a set of filters, labels in the page's
language, counts of cases, and the addresses of the pages a chart links to."""

import functools
import textwrap

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import rules
from cases.figures import reference
from cases.stats import Filters
from grassroots.language import is_japanese, page_language, pick

# --- Words --------------------------------------------------------------------------------------


def describe(filters: Filters, language: str) -> str:
    """The filters in words, e.g. 'FY2020–FY2024 · Miami · Energy'; '' for no filters."""
    parts = []
    if filters.from_fy is not None and filters.to_fy is not None:
        if filters.from_fy == filters.to_fy:
            parts.append(rules.fiscal_year_label(filters.from_fy, language))
        else:
            separator = "～" if is_japanese(language) else "–"
            parts.append(
                rules.fiscal_year_label(filters.from_fy, language)
                + separator
                + rules.fiscal_year_label(filters.to_fy, language)
            )
    elif filters.from_fy is not None:
        parts.append(
            _("from %(year)s") % {"year": rules.fiscal_year_label(filters.from_fy, language)}
        )
    elif filters.to_fy is not None:
        parts.append(
            _("up to %(year)s") % {"year": rules.fiscal_year_label(filters.to_fy, language)}
        )
    for listing, value in (
        (reference.regions, filters.region),
        (reference.states, (filters.state or "").upper()),
        (reference.themes, filters.theme),
    ):
        if value:
            item = listing().get(value)
            parts.append(item.label(language) if item else value)
    return " · ".join(parts)


def row_label(row: dict, language: str) -> str:
    """A frame row's label in the language, falling back to the other one."""
    return pick(row["label_en"], row["label_ja"], language).text


def cases_text(count: int) -> str:
    """'1 case', '1,292 cases' in the active language."""
    return _cases_in(page_language(), count)


@functools.lru_cache(maxsize=4096)
def _cases_in(language: str | None, count: int) -> str:
    # A pure function of its arguments (the number is given, nothing is read): remembered
    # because a dashboard's hover texts ask for a hundred of them on every request.
    return ngettext("%(count)s case", "%(count)s cases", count) % {"count": f"{count:,}"}


@functools.lru_cache(maxsize=1024)
def wrap_label(label: str, language: str) -> str:
    """Long axis labels broken over lines so horizontal bars keep room on a phone (remembered:
    the labels are the reference data's names, and textwrap is slow)."""
    japanese = is_japanese(language)
    width = 14 if japanese else 30
    if japanese:
        lines = [label[i : i + width] for i in range(0, len(label), width)]
    else:
        lines = textwrap.wrap(label, width) or [label]
    return "<br>".join(lines)


# --- Links --------------------------------------------------------------------------------------


# Stands for the code while a URL pattern is reversed once (two letters: a state's pattern).
_PLACEHOLDER = "ZZ"


@functools.lru_cache(maxsize=64)
def _url_around_code(name: str, language: str, prefix: str, urlconf):
    """The URL of `name` split around its code: reversing once per language instead of once
    for each of the hundred-odd tiles and rows of a dashboard (the language and the script
    prefix are part of the cache key: reverse() reads them)."""
    url = reverse(name, kwargs={"code": _PLACEHOLDER}, urlconf=urlconf)
    before, _sep, after = url.partition(_PLACEHOLDER)
    return before, after


def url_maker(name: str):
    """A function from a code to the page's URL, for the active language and URL conf: the
    language and URL conf are read once, not once per tile and row."""
    key = (name, page_language(), get_script_prefix(), get_urlconf())
    before, after = _url_around_code(*key)
    return lambda code: f"{before}{iri_to_uri(code)}{after}"


def state_urls():
    """The maker of state page URLs (see url_maker)."""
    return url_maker("cases:state-detail")


def with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url
