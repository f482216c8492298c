"""Staff pages: the record of imports and the import itself (upload → preview → confirm).

Between the preview and the confirmation the uploaded file's bytes wait in the staff member's
session (base64, with their SHA-256); the confirmation names the checksum it saw, and the
import runs only if the bytes still match it. The file is planned again on confirmation, so a
change to the register in between is caught, and written in one transaction.
"""

import base64
import binascii

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.context import audit_context
from cases.models import Case
from exchange.forms import ImportUploadForm
from exchange.importing import (
    ImportInvalid,
    ImportRefused,
    apply_import,
    plan_import,
    sha256_of,
)
from exchange.models import ImportBatch
from exchange.reading import check_size
from exchange.template_files import template_csv, template_xlsx
from exchange.writers import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from staff.access import allowed_region_ids, can_report, scope_cases
from staff.roles import PUBLISH_CASE

SESSION_KEY = "exchange.pending_import"
PREVIEW_ROWS = 500


def cases_admin_url(batch_id: int | None = None) -> str:
    """The case list in the admin, filtered to one import."""
    url = reverse("admin:cases_case_changelist")
    return f"{url}?import_batch__id__exact={batch_id}" if batch_id else url


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """The record of imports, read-only; "Add" leads to the upload page."""

    list_display = [
        "file_name",
        "imported_by",
        "imported_at",
        "file_format",
        "rows",
        "created",
        "updated",
        "unchanged",
        "cases_link",
    ]
    list_select_related = ["imported_by"]
    list_filter = ["file_format", "imported_at"]
    search_fields = ["file_name", "file_sha256", "imported_by__username"]
    date_hierarchy = "imported_at"
    fields = [
        "file_name",
        "file_format",
        "encoding",
        "file_sha256",
        "imported_by",
        "imported_at",
        "rows",
        "created",
        "updated",
        "unchanged",
        "cases_link",
    ]
    readonly_fields = fields
    change_list_template = "admin/exchange/importbatch/change_list.html"

    @admin.display(description=gettext_lazy("cases"))
    def cases_link(self, batch):
        url = cases_admin_url(batch.pk)
        count = batch.created + batch.updated
        if not count:
            return count
        return format_html('<a href="{}">{}</a>', url, _("%(count)s cases") % {"count": count})

    def get_queryset(self, request):
        """A consulate editor sees the imports they made and those that touched a case of their
        districts: another district's file names and counts are not theirs to read."""
        queryset = super().get_queryset(request)
        regions = allowed_region_ids(request.user)
        if regions is None:
            return queryset
        touched = scope_cases(Case.objects.all(), request.user).values("import_batch_id")
        return queryset.filter(Q(imported_by=request.user) | Q(pk__in=touched))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_import(self, request) -> bool:
        return self.has_add_permission(request) and request.user.has_perms(
            ["cases.add_case", "cases.change_case"]
        )

    def import_scope(self, request) -> dict:
        """What the importing user may do, for plan_import(): a consulate editor's rows must
        stay in its districts, and only a publisher may make a case public."""
        return {
            "allowed_regions": allowed_region_ids(request.user),
            "can_publish": request.user.has_perm(PUBLISH_CASE),
        }

    def can_report(self, request) -> bool:
        return can_report(request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("upload/", wrap(self.upload_view), name=f"{name}_upload"),
            path("upload/preview/", wrap(self.preview_view), name=f"{name}_preview"),
            path("template.<str:fmt>", wrap(self.template_view), name=f"{name}_template"),
            path("report/", wrap(self.report_view), name=f"{name}_report"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": self.can_import(request),
            "can_report": self.can_report(request),
        }
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:exchange_importbatch_upload"))

    # --- import ---------------------------------------------------------------------------

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "has_view_permission": self.has_view_permission(request),
            **extra,
        }

    def upload_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_size(upload.size)
                data = upload.read()
                plan = plan_import(data, upload.name, **self.import_scope(request))
            except ImportRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                # The preview is shown straight away (planning a large file takes seconds);
                # a valid file waits in the session for the confirmation.
                if plan.is_valid:
                    request.session[SESSION_KEY] = {
                        "name": plan.file_name,
                        "sha256": plan.sha256,
                        "data": base64.b64encode(data).decode("ascii"),
                    }
                else:
                    request.session.pop(SESSION_KEY, None)
                return self._preview(request, plan)
        return TemplateResponse(
            request,
            "admin/exchange/importbatch/upload.html",
            self._context(request, _("Import cases"), form=form),
        )

    def _pending(self, request) -> tuple[bytes, dict] | None:
        pending = request.session.get(SESSION_KEY)
        if not pending:
            return None
        try:
            data = base64.b64decode(pending["data"], validate=True)
        except (KeyError, binascii.Error, TypeError):
            return None
        if sha256_of(data) != pending.get("sha256"):
            return None
        return data, pending

    def preview_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        pending = self._pending(request)
        upload_url = reverse("admin:exchange_importbatch_upload")
        if pending is None:
            messages.warning(request, _("There is no file waiting to be imported; upload one."))
            return HttpResponseRedirect(upload_url)
        data, info = pending
        if request.method == "POST":
            if "cancel" in request.POST:
                request.session.pop(SESSION_KEY, None)
                messages.info(request, _("The import was cancelled; nothing was changed."))
                return HttpResponseRedirect(upload_url)
            if request.POST.get("sha256") != info["sha256"]:
                messages.error(
                    request,
                    _("The file waiting to be imported is not the one you previewed."),
                )
                return HttpResponseRedirect(reverse("admin:exchange_importbatch_preview"))
            try:
                with audit_context(request.user, source="import", note=info["name"]):
                    result = apply_import(
                        data, info["name"], user=request.user, **self.import_scope(request)
                    )
            except ImportInvalid as invalid:
                request.session.pop(SESSION_KEY, None)
                return self._preview(request, invalid.plan)
            except ImportRefused as refusal:
                request.session.pop(SESSION_KEY, None)
                messages.error(request, str(refusal))
                return HttpResponseRedirect(upload_url)
            request.session.pop(SESSION_KEY, None)
            batch = result.batch
            messages.success(
                request,
                _(
                    "Imported %(file)s: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "file": batch.file_name,
                    "created": batch.created,
                    "updated": batch.updated,
                    "unchanged": batch.unchanged,
                },
            )
            return HttpResponseRedirect(
                reverse("admin:exchange_importbatch_change", args=[batch.pk])
            )
        try:
            plan = plan_import(data, info["name"], **self.import_scope(request))
        except ImportRefused as refusal:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, str(refusal))
            return HttpResponseRedirect(upload_url)
        return self._preview(request, plan)

    def _preview(self, request, plan):
        return TemplateResponse(
            request,
            "admin/exchange/importbatch/preview.html",
            self._context(
                request,
                _("Check the import of %(file)s") % {"file": plan.file_name},
                plan=plan,
                rows=[row for row in plan.rows if row.action != "unchanged"][:PREVIEW_ROWS],
                preview_limit=PREVIEW_ROWS,
                errors=plan.errors,
            ),
        )

    def template_view(self, request, fmt: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt == "csv":
            content, content_type = template_csv(), CSV_CONTENT_TYPE
        elif fmt == "xlsx":
            content, content_type = template_xlsx(), XLSX_CONTENT_TYPE
        else:
            return HttpResponse(status=404)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="case-import-template.{fmt}"'
        return response

    # --- regional reports -----------------------------------------------------------------

    def report_view(self, request):
        """The report moved to the Reports section; old links and bookmarks still arrive."""
        url = reverse("admin:reports_region")
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)
