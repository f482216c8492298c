"""The report views of the staff application (under /admin/reports/).

The regional report: a form, then the report as a printable page in the browser (with a print
button and download links) or as a file (XLSX, CSV, HTML). The annual handout likewise (a
printable page or PowerPoint slides). Every report made is logged.
"""

import tempfile

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.exports import log_export
from cases.filters import redirect_old_spellings
from dashboard.views import comparison_context
from exchange.forms import FIRST, LAST, RegionReportForm
from exchange.reports import (
    CONTENT_TYPES,
    ReportError,
    build_region_report,
    html_report,
    write_report,
)
from grassroots.language import page_language
from reports.forms import HandoutForm
from reports.handout import CONTENT_TYPES as HANDOUT_TYPES
from reports.handout import FORMATS as HANDOUT_FORMATS
from reports.handout import HandoutError, build_handout, html_handout, write_handout
from staff.access import can_make_handout, can_report, scope_cases


def _context(request, title, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


@redirect_old_spellings
def region_report(request):
    """The form; with `format` in the query, the report itself.

    `format=html` opens the printable page in the browser; `download=1` (or any other format)
    sends a file. Links from the case list and the district pages carry the region and fiscal
    years without a format, so the form opens filled in.
    """
    if not can_report(request.user):
        raise PermissionDenied
    asked = "format" in request.GET
    form = RegionReportForm(
        request.GET if asked else None,
        initial=_initial(request),
    )
    _own_districts_only(form, request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            report = build_region_report(
                data["region"].code,
                data[FIRST],
                data[LAST],
                base_url=request.build_absolute_uri("/"),
                language=data["language"],
                paper=data["paper"] or None,
            )
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            return _region_report_response(request, report, data)
    return TemplateResponse(
        request,
        "admin/reports/region.html",
        _context(request, _("Regional report"), form=form),
    )


def _own_districts_only(form: RegionReportForm, user) -> None:
    """A consulate editor reports on its own districts only: others are neither offered nor
    accepted."""
    region_field = form.fields["region"]
    region_field.queryset = scope_cases(region_field.queryset, user, field="pk")
    region_field.error_messages["invalid_choice"] = _(
        "You can only make reports for your own districts; choose one of them."
    )


def _region_report_response(request, report, data: dict) -> HttpResponse:
    """The report made, logged, and sent: the printable page in the browser, or a file."""
    fmt = data["format"]
    in_browser = fmt == "html" and not request.GET.get("download")
    log_export(
        request.user,
        f"report.{fmt}",
        {
            "region": data["region"].code,
            FIRST: data[FIRST],
            LAST: data[LAST],
            "language": data["language"],
            "paper": data["paper"],
            "shown": "browser" if in_browser else "download",
        },
        rows=report.total,
    )
    if in_browser:
        return _region_report_page(request, report)
    # FileResponse closes the file once it is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_report(report, fmt, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report.file_name(fmt),
        content_type=CONTENT_TYPES[fmt],
    )


def _region_report_page(request, report) -> HttpResponse:
    """The printable page, with links to download it in each format and back to the form."""
    return HttpResponse(
        html_report(report, browser=_browser_links(request, ("html", "xlsx", "csv"))),
        content_type=CONTENT_TYPES["html"],
    )


def _initial(request) -> dict:
    """The form's starting values: the page's language, and what a link carried."""
    language = page_language()
    initial = {"language": language, "format": "html"}
    for name in ("region", FIRST, LAST, "language", "paper"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return initial


def handout(request):
    """The annual handout: the form; with `format` in the query, the handout itself (the
    printable page in the browser, or with `download=1` or format=pptx a file). Only staff
    not limited by district may make it (`can_make_handout`)."""
    if not can_make_handout(request.user):
        raise PermissionDenied
    asked = "format" in request.GET
    form = HandoutForm(request.GET if asked else None, initial={"lang": page_language()})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            made = build_handout(data["fy"], data["lang"])
        except HandoutError as error:
            form.add_error(None, str(error))
        else:
            fmt = data["format"]
            in_browser = fmt == "html" and not request.GET.get("download")
            log_export(
                request.user,
                f"handout.{fmt}",
                {
                    **made.filters,
                    "language": made.language,
                    "shown": "browser" if in_browser else "download",
                },
                rows=made.cumulative_cases,
            )
            if in_browser:
                return HttpResponse(
                    html_handout(made, browser=_browser_links(request, HANDOUT_FORMATS)),
                    content_type=HANDOUT_TYPES["html"],
                )
            handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
            write_handout(made, fmt, handle)
            handle.seek(0)
            return FileResponse(
                handle,
                as_attachment=True,
                filename=made.file_name(fmt),
                content_type=HANDOUT_TYPES[fmt],
            )
    return TemplateResponse(
        request,
        "admin/reports/handout.html",
        _context(request, _("Annual handout"), form=form),
    )


@redirect_old_spellings
def comparison_report(request):
    """The comparison of two fiscal years or two districts, in the staff application: the
    public page's figures, forms and downloads (`dashboard.views.comparison_context`), which
    log a staff member's download as every other export."""
    if not can_report(request.user):
        raise PermissionDenied
    context, status = comparison_context(request, reverse("admin:reports_compare"))
    title = context.pop("title", None) or _("Comparison of fiscal years or districts")
    public = reverse("dashboard:compare")
    if request.GET:
        public += "?" + request.GET.urlencode()
    return TemplateResponse(
        request,
        "admin/reports/compare.html",
        _context(request, title, public_url=public, **context),
        status=status,
    )


def _browser_links(request, formats) -> dict:
    """What a printable page opened in the browser links to: the same query as a download in
    each format, and the form it came from."""
    query = request.GET.copy()
    query["download"] = "1"
    downloads = {}
    for other in formats:
        query["format"] = other
        downloads[other] = "?" + query.urlencode()
    form_query = request.GET.copy()
    form_query.pop("format", None)
    return {"downloads": downloads, "form": "?" + form_query.urlencode()}
