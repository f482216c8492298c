"""Public pages of the exchange app: the case browser's downloads and the page about the data."""

import json

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from audit.exports import log_export
from cases.figures import comparison, provenance
from cases.figures.caching import figure_response
from cases.filters import redirect_old_spellings
from cases.models import CaseFormat, CaseStatus, PartnerRole
from exchange import comparing, writers
from exchange.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from exchange.columns import COLUMNS
from exchange.comparing import ComparisonTable
from exchange.exporting import CaseExporter
from exchange.filtering import BadQuery, check_text, public_cases
from exchange.reading import MAX_IMPORT_BYTES
from grassroots.language import page_language

DOWNLOAD_FORMATS = ("csv", "xlsx", "json")
LICENCE = provenance.LICENCE


def listing_provenance(request, count: int) -> provenance.Provenance:
    """The provenance of a public case list chosen by the case browser's query string."""
    return provenance.for_case_list(request, count)


@redirect_old_spellings
def case_download(request, fmt: str):
    """The case browser's current view as a file: the same query string, public cases only.

    CSV, XLSX and JSON all stream as they are written: the first bytes leave at once.
    """
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    try:
        queryset = public_cases(request.GET, request)
    except BadQuery as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    count = queryset.count()
    if request.user.is_authenticated and request.user.is_staff:
        # Staff downloads are exports of the register: logged with their filters.
        log_export(request.user, f"cases.{fmt}", request.GET, rows=count)
    exporter = CaseExporter(queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"grassroots-cases-{stamp}.{fmt}"
    # Every file says when its data is from, what it holds, under which licence, and (while
    # the register holds it) that the data is for demonstration.
    about = listing_provenance(request, count)
    if fmt == "csv":
        return writers.csv_response(exporter, name, preamble=about.rows())
    if fmt == "xlsx":
        return writers.xlsx_response(exporter, name, about=about.rows())
    meta = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "licence": dict(LICENCE),
        "filters": {key: value for key, value in request.GET.items() if key != "page"},
        "provenance": about.as_dict(),
    }
    return writers.json_response(exporter, meta, name)


def about_data(request):
    """What the data is, how it is counted, the licence, and where to get it."""
    query = request.GET.urlencode()
    return render(
        request,
        "exchange/about_data.html",
        {
            "columns": COLUMNS,
            "formats": CaseFormat.choices,
            "statuses": CaseStatus.choices,
            "roles": PartnerRole.choices,
            "query": f"?{query}" if query else "",
            "download_formats": DOWNLOAD_FORMATS,
            "page_size": DEFAULT_PAGE_SIZE,
            "max_page_size": MAX_PAGE_SIZE,
            "max_import_mb": MAX_IMPORT_BYTES // (1024 * 1024),
        },
    )


@redirect_old_spellings
@require_safe
@figure_response()
def comparison_download(request, fmt: str):
    """A comparison (`cases.figures.comparison`) as a file: CSV for Japanese Excel, XLSX or
    JSON, each with its provenance and the summary in both languages. A refused query is a 400
    that says why, never a file of something else."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    try:
        check_text(request.GET)
        asked = comparison.read_query(request.GET)
    except (comparison.BadComparison, BadQuery) as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    result = comparison.compare(asked)
    page = reverse("dashboard:compare") + "?" + urlencode(asked.query())
    about = result.provenance(request.build_absolute_uri(page))
    if request.user.is_authenticated and request.user.is_staff:
        log_export(request.user, f"comparison.{fmt}", asked.query(), rows=about.count)
    sides = "-".join(str(side) for side in (asked.a, asked.b))
    name = f"grassroots-comparison-{sides}-{page_language()}.{fmt}"
    table = ComparisonTable(result)
    if fmt == "csv":
        preamble = [*about.rows(), *table.summary_rows()]
        return writers.csv_response(table, name, preamble=preamble)
    if fmt == "xlsx":
        return comparing.xlsx_response(table, name, about=about.rows())
    return HttpResponse(
        json.dumps(
            {"provenance": about.as_dict(), "comparison": table.as_dict()},
            ensure_ascii=False,
            indent=1,
        ),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
