"""The filters the downloads and the API read from a query string.

Case lists (downloads, `/api/v1/cases/`) use the case browser's own FilterSet,
`cases.filters.CaseFilter`, so a download has exactly the filters on screen: this module
imports it and never copies it. The figures (`/api/v1/stats/...`, the regional reports) use
`cases.stats.Filters`, whose parameters are those of `manage.py case_stats`.
"""

from django.utils.translation import gettext as _

from cases import stats
from cases.filters import CaseFilter
from cases.models import Case
from cases.stats import Filters, InvalidFilter

STATS_PARAMETERS = ("from_fy", "to_fy", "region", "state", "theme")


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
    check_text(query)
    filterset = CaseFilter(query, queryset=Case.objects.public(), request=request)
    if not filterset.is_valid():
        raise BadQuery(_form_errors(filterset.form))
    return filterset.qs


def _form_errors(form) -> str:
    return " ".join(
        f"{name}: {' '.join(str(message) for message in messages)}"
        for name, messages in form.errors.items()
    )


def _fiscal_year(query, name: str) -> int | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError:
        raise BadQuery(
            _("%(name)s must be a fiscal year such as 2024, not “%(value)s”.")
            % {"name": name, "value": raw}
        ) from None
    if problem := stats.fiscal_year_problem(year):
        raise BadQuery(f"{name}: {problem}")
    return year


def stats_filters(query) -> Filters:
    """stats.Filters from from_fy, to_fy, region, state and theme, validated, or BadQuery."""
    check_text(query)
    filters = Filters(
        from_fy=_fiscal_year(query, "from_fy"),
        to_fy=_fiscal_year(query, "to_fy"),
        region=query.get("region", "").strip() or None,
        state=(query.get("state", "").strip().upper() or None),
        theme=query.get("theme", "").strip() or None,
    )
    try:
        return filters.validate()
    except InvalidFilter as error:
        raise BadQuery(str(error)) from None
