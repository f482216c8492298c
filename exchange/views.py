"""Public pages of the exchange app: the case browser's downloads and the page about the data."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from audit.exports import log_export
from cases.figures import provenance
from cases.models import CaseFormat, CaseStatus, PartnerRole
from exchange import writers
from exchange.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from exchange.columns import COLUMNS
from exchange.exporting import CaseExporter
from exchange.filtering import BadQuery, public_cases
from exchange.reading import MAX_IMPORT_BYTES

DOWNLOAD_FORMATS = ("csv", "xlsx", "json")
LICENCE = provenance.LICENCE


def listing_provenance(request, count: int) -> provenance.Provenance:
    """The provenance of a public case list chosen by the case browser's query string."""
    return provenance.for_case_list(request, count)


def case_download(request, fmt: str):
    """The case browser's current view as a file: the same query string, public cases only.

    CSV and JSON stream as they are written; XLSX is built in a temporary file first.
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
