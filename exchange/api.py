"""The open-data API: read-only JSON under /api/v1/, described by /api/v1/openapi.json.

Plain function views returning JsonResponse. Every answer is JSON, errors included:
{"error": "..."} with 400 for a query string the document calls invalid (exchange.contract
declares and checks every parameter), 404 for what is not there (a non-public case is not
there), 405 for a method other than GET, HEAD or OPTIONS (grassroots.middleware answers those
before CSRF checks can turn them into an HTML page).
"""

import dataclasses
import functools

from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import stats
from cases.figures import provenance
from cases.figures.caching import figure_response
from cases.filters import old_spelling_redirect
from cases.listing import NEWEST, by_region, list_count, list_depth, order_for, window
from cases.models import Case, Jurisdiction, Region, State, Theme
from exchange import contract
from exchange.contract import DEFAULT_PAGE_SIZE, MAX_ID, MAX_PAGE_SIZE
from exchange.exporting import case_values, export_queryset, json_value, value_rows, values_of
from exchange.filtering import BadQuery, check_text, public_filterset
from exchange.openapi import openapi_document

STATS = {
    "region": stats.by_region,
    "fiscal-year": stats.by_fiscal_year,
    "state": stats.by_state,
    "theme": stats.by_theme,
}


def json_response(data, status: int = 200, **kwargs) -> JsonResponse:
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False}, **kwargs
    )
    # Open data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(message: str, status: int) -> JsonResponse:
    return json_response({"error": str(message)}, status=status)


ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(ALLOWED_METHODS)


def method_not_allowed() -> JsonResponse:
    response = error(_("This API is read-only: use GET."), 405)
    response["Allow"] = ALLOW
    return response


def options() -> HttpResponse:
    """The answer to OPTIONS (and to a browser's CORS preflight): what may be asked."""
    response = HttpResponse(status=204)
    response["Allow"] = ALLOW
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOW
    response["Access-Control-Max-Age"] = "86400"
    return response


def api_view(view):
    """GET, HEAD and OPTIONS only; an old spelling of a parameter (`from_fy`) is redirected
    to the current one (`from`) for good; a BadQuery becomes a 400 with its message."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return options()
        if request.method not in ALLOWED_METHODS:
            return method_not_allowed()
        if redirect := old_spelling_redirect(request):
            # Open data: a script on any site may follow the redirect.
            redirect["Access-Control-Allow-Origin"] = "*"
            return redirect
        try:
            return view(request, *args, **kwargs)
        except BadQuery as problem:
            return error(str(problem), 400)

    return wrapper


def case_urls(request):
    """A function giving a case's page on the portal from its id, in English: the address is
    reversed once for a whole page of cases, not once for each (a twentieth of the API list's
    time)."""
    marker = 918273645  # no case has it in the address reversed below
    with translation.override("en"):
        address = request.build_absolute_uri(reverse("cases:detail", kwargs={"pk": marker}))
    head, tail = address.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def case_record(request, case, url=None) -> dict:
    return _record(case_values(case), url or case_urls(request))


def _record(values: dict, url) -> dict:
    """A case's JSON record from its `case_values` (its "id" included) and `case_urls`."""
    record = {key: json_value(value) for key, value in values.items()}
    record["url"] = url(values["id"])
    return record


@api_view
@figure_response(per_user=False)
def case_list(request):
    """Public cases, filtered as the case browser filters them, a page at a time.

    The same for every client, so a page is kept whole in the shared cache under the
    generation (and answered with 304 for a matching ETag) like the figures."""
    check_text(request.GET)
    values = contract.check(contract.case_list_params(), request.GET)
    page = values.get("page", 1)
    size = min(values.get("page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    if contract.empty_range(values, "from", "to"):
        queryset, filters = export_queryset(Case.objects.none()), None
    else:
        filterset = public_filterset(request.GET, request)
        queryset, filters = export_queryset(filterset.qs), filterset.stats_filters()
    depth = list_depth(filters)
    if (page - 1) * size >= depth:
        return error(
            _(
                "Lists are paged up to their first %(depth)s cases, so page %(page)s of "
                "%(size)s is too deep: narrow the filters, or download the list as CSV, XLSX "
                "or JSON (/<language>/cases/export.csv) to have every case."
            )
            % {"depth": f"{depth:,}", "page": page, "size": size},
            404,
        )
    # From the tallies, or counted up to the list's depth (then "more than": count_exact).
    counted = list_count(queryset, filters)
    count = counted.number
    pages = max(1, -(-(count + (not counted.exact)) // size))
    if page > pages:
        return error(
            _("There is no page %(page)s; there are %(pages)s.") % {"page": page, "pages": pages},
            404,
        )
    start = (page - 1) * size
    asked = request.GET.get("sort") or "newest"
    sort = order_for(filters, counted, asked)
    if sort != asked:
        queryset = queryset.order_by(*NEWEST)
    ordered = by_region(queryset, filters, read=value_rows) if sort == "region" else None
    records = values_of(window(ordered or queryset, start, start + size, read=value_rows))
    url = case_urls(request)

    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return json_response(
        {
            "count": count,
            "count_exact": counted.exact,
            "sort": sort,
            "next": link(page + 1) if page < pages and page * size < depth else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": [_record(values, url) for values in records],
            "provenance": _listing_provenance(request, count),
        }
    )


def _portal_link(request, name: str, query) -> str:
    path = reverse(name)
    shown = query.copy()
    for key in ("page", "page_size"):
        shown.pop(key, None)
    return request.build_absolute_uri(path + (f"?{shown.urlencode()}" if shown else ""))


def _listing_provenance(request, count: int) -> dict:
    return provenance.for_case_list(request, count).as_dict()


@api_view
def case_detail(request, pk: str):
    """One public case; any other id is a 404, whether or not the case exists."""
    if not pk.isascii() or not pk.isdigit() or not 0 < int(pk) <= MAX_ID:
        return error(_("There is no public case with this id."), 404)
    case = export_queryset(Case.objects.public().filter(pk=int(pk))).first()
    if case is None:
        return error(_("There is no public case with this id."), 404)
    return json_response(case_record(request, case))


def stats_payload(by: str, filters: stats.Filters) -> dict:
    """The figures as `manage.py case_stats --by BY --format json` prints them."""
    frame = STATS[by](filters)
    years = stats.by_fiscal_year(filters)["key"]
    return {
        "by": by,
        "from_fy": int(years.iloc[0]) if len(years) else filters.from_fy,
        "to_fy": int(years.iloc[-1]) if len(years) else filters.to_fy,
        "total": stats.total(filters),
        "rows": [
            {column: _plain(value) for column, value in row.items()}
            for row in frame.to_dict(orient="records")
        ],
    }


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def stats_query(query) -> stats.Filters:
    """The figures' filters from a query string held to the declarations (`exchange.contract`)
    and read by the one parser, `stats.Filters.from_query`; or BadQuery."""
    check_text(query)
    first, last = stats.QUERY_NAMES["from_fy"], stats.QUERY_NAMES["to_fy"]
    values = contract.check(contract.stats_params(), query)
    # The API answers a range that ends before it starts (the parser refuses it): every row
    # is there, at zero. It is read without its end, which is put back after.
    empty = contract.empty_range(values, first, last)
    if empty:
        query = query.copy()
        del query[last]
    try:
        filters = stats.Filters.from_query(query)
    except stats.InvalidFilter as problem:
        raise BadQuery(str(problem)) from None
    return dataclasses.replace(filters, to_fy=values[last]) if empty else filters


def stats_view(by: str):
    @api_view
    @figure_response(per_user=False)
    def view(request):
        filters = stats_query(request.GET)
        payload = stats_payload(by, filters)
        with translation.override("en"):
            link = _portal_link(request, "dashboard:index", request.GET)
        payload["provenance"] = provenance.for_filters(filters, payload["total"], link).as_dict()
        return json_response(payload)

    view.__name__ = f"stats_{by.replace('-', '_')}"
    view.__doc__ = f"Held cases by {by}, as `case_stats --by {by} --format json`."
    return view


@api_view
def region_list(request):
    regions = Region.objects.order_by("sort_order", "code").prefetch_related(
        Prefetch("jurisdictions", queryset=Jurisdiction.objects.select_related("state"))
    )
    results = [
        {
            "code": region.code,
            "name_en": region.name_en,
            "name_ja": region.name_ja,
            "mission_name_en": region.mission_name_en,
            "mission_name_ja": region.mission_name_ja,
            "mission_kind": region.mission_kind,
            "city_en": region.city_en,
            "city_ja": region.city_ja,
            "states": sorted(j.state.code for j in region.jurisdictions.all()),
        }
        for region in regions
    ]
    return json_response({"count": len(results), "results": results})


@api_view
def state_list(request):
    states = State.objects.order_by("name_en").prefetch_related(
        Prefetch("jurisdictions", queryset=Jurisdiction.objects.select_related("region"))
    )
    results = [
        {
            "code": state.code,
            "name_en": state.name_en,
            "name_ja": state.name_ja,
            "kind": state.kind,
            "regions": [
                j.region.code
                for j in sorted(state.jurisdictions.all(), key=lambda j: j.region.sort_order)
            ],
        }
        for state in states
    ]
    return json_response({"count": len(results), "results": results})


@api_view
def theme_list(request):
    themes = Theme.objects.order_by("group", "sort_order", "slug")
    results = [
        {
            "slug": theme.slug,
            "group": theme.group,
            "name_en": theme.name_en,
            "name_ja": theme.name_ja,
            "description_en": theme.description_en,
            "description_ja": theme.description_ja,
        }
        for theme in themes
    ]
    return json_response({"count": len(results), "results": results})


@api_view
def openapi(request):
    return json_response(openapi_document(request))


# What each operation is, in the visitor's language, for the index page.
OPERATION_TITLES = {
    "/cases/": gettext_lazy(
        "Public cases, with the case browser's filters, a page at a time: count, next, "
        "previous and results."
    ),
    "/cases/{id}/": gettext_lazy("One public case."),
    "/stats/region/": gettext_lazy("Held cases per region: all 17, zero where none."),
    "/stats/fiscal-year/": gettext_lazy(
        "Held cases per fiscal year with the running total, every year in the range."
    ),
    "/stats/state/": gettext_lazy(
        "Held cases per state; a last row with key null counts cases with no single state."
    ),
    "/stats/theme/": gettext_lazy("Held cases per theme; a case counts under each of its themes."),
    "/regions/": gettext_lazy("The 17 regions (consular districts) and their states."),
    "/states/": gettext_lazy("The 50 states, DC and 5 territories and their regions."),
    "/themes/": gettext_lazy("The themes cases are filed under."),
}


def _accepted(schema: dict) -> str:
    """What a parameter's schema accepts, in words."""
    if "enum" in schema:
        values = [str(value) for value in schema["enum"]]
        if len(values) > 12:
            return _("one of %(count)s codes, such as %(examples)s") % {
                "count": len(values),
                "examples": ", ".join(values[:3]),
            }
        return _("one of: %(values)s") % {"values": ", ".join(values)}
    if schema.get("type") == "integer":
        return _("a whole number from %(low)s to %(high)s") % {
            "low": schema.get("minimum", 1),
            "high": schema.get("maximum", MAX_ID),
        }
    if "maxLength" in schema:
        return _("text of up to %(count)s characters") % {"count": schema["maxLength"]}
    return _("text")


def index(request):
    """/api/v1/: a page for people, listing every address and its limits from the document."""
    if request.method == "OPTIONS":
        return options()
    if request.method not in ALLOWED_METHODS:
        return method_not_allowed()
    document = openapi_document(request)
    operations = []
    for path, item in document["paths"].items():
        get = item["get"]
        parameters = [
            {"name": parameter["name"], "values": _accepted(parameter["schema"])}
            for parameter in get.get("parameters", [])
            if parameter["in"] == "query"
        ]
        operations.append(
            {
                "path": f"/api/v1{path}",
                "link": None if "{" in path else f"/api/v1{path}",
                "title": OPERATION_TITLES.get(path, get["summary"]),
                "parameters": parameters,
            }
        )
    return render(request, "exchange/api_index.html", {"operations": operations})


@api_view
def not_found(request, path: str = ""):
    return error(_("There is no such address in the API; see /api/v1/openapi.json."), 404)
