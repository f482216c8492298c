"""The case lists the downloads and the API read from a query string.

Case lists (downloads, `/api/v1/cases/`) use the case browser's own FilterSet,
`cases.filters.CaseFilter`, so a download has exactly the filters on screen: this module
imports it and never copies it. The figures (`/api/v1/stats/...`) read their filters with
`cases.stats.Filters.from_query`, the one parser of `from`, `to`, `region`, `state`, `theme`.
"""

from django.utils.translation import gettext as _

from cases.filters import CaseFilter
from cases.models import Case


class BadQuery(ValueError):
    """A query string the API or a download cannot answer; the message says why."""


def check_text(query) -> None:
    """Refuse NUL characters, which no database column may hold."""
    for key, values in query.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise BadQuery(_("The query string holds a NUL character."))


def public_cases(query, request=None):
    """Public cases filtered as the case browser filters them, or BadQuery.

    A parameter the browser's form rejects makes the whole request a BadQuery, so nobody
    receives a file that silently ignores a filter they asked for.
    """
    return public_filterset(query, request).qs


def public_filterset(query, request=None) -> CaseFilter:
    """The case browser's FilterSet of public cases for this query (its `qs` is what
    `public_cases` gives, its `stats_filters()` what counts them), or BadQuery."""
    check_text(query)
    filterset = CaseFilter(query, queryset=Case.objects.public(), request=request)
    if not filterset.is_valid():
        raise BadQuery(_form_errors(filterset.form))
    return filterset


def _form_errors(form) -> str:
    return " ".join(
        f"{name}: {' '.join(str(message) for message in messages)}"
        for name, messages in form.errors.items()
    )
