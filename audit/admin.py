"""The audit logs in the admin (read-only), and the deleted cases with their restore page.

The per-object history pages and restore come from `audit.history.AuditedAdmin`.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import recorder, restoring
from audit.display import ChangeFormatter
from audit.history import confirm_page, publication_allowed
from audit.models import Action, AuditEntry, ExportLog
from cases.models import Case
from staff.access import can_edit_region

# --- the audit entries and deleted cases ------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: viewed and searched, never added to, edited or deleted from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "content_type", "object_link", "actor_username", "source"]
    list_filter = [
        "action",
        "source",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
    ]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["object_label", "object_id", "actor_username"]
    search_help_text = gettext_lazy("The object's name or id, or the username.")
    list_select_related = ["content_type"]
    date_hierarchy = "at"
    fields = [
        "at",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "actor_username",
        "source",
        "note",
        "changes_display",
    ]
    readonly_fields = fields
    change_list_template = "audit/auditentry_change_list.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        from staff.access import allowed_region_ids

        allowed = allowed_region_ids(request.user)
        if allowed is None:
            return queryset
        # District staff see the history of their districts' cases only.
        return queryset.for_model(Case).filter(snapshot__region__in=sorted(allowed))

    @admin.display(description=gettext_lazy("object"), ordering="object_label")
    def object_link(self, entry):
        model = entry.content_type.model_class()
        if model is None or model not in self.admin_site._registry:
            return entry.object_label
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_history",
            args=[quote(entry.object_id)],
            current_app=self.admin_site.name,
        )
        if entry.action == Action.DELETE:
            return entry.object_label
        return format_html('<a href="{}">{}</a>', url, entry.object_label)

    @admin.display(description=gettext_lazy("changes"))
    def changes_display(self, entry):
        model = entry.content_type.model_class()
        if model is None or not entry.changes:
            return "—"
        rows = ChangeFormatter(model, [entry.changes]).rows(entry.changes)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Field"),
            _("Before"),
            _("After"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row["label"], row["old"], row["new"]) for row in rows),
            ),
        )

    # --- deleted cases ------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "deleted-cases/",
                self.admin_site.admin_view(self.deleted_cases_view),
                name="audit_auditentry_deleted_cases",
            ),
            path(
                "deleted-cases/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_deleted_case_view),
                name="audit_auditentry_restore_deleted_case",
            ),
            *super().get_urls(),
        ]

    def _case_admin(self):
        return self.admin_site._registry.get(Case)

    def deleted_cases_view(self, request):
        """Cases deleted and not restored since, each with its last values, newest first."""
        case_admin = self._case_admin()
        if case_admin is None or not case_admin.has_add_permission(request):
            raise PermissionDenied
        existing = {str(pk) for pk in Case._base_manager.values_list("pk", flat=True)}
        latest = {}
        deletions = AuditEntry.objects.for_model(Case).filter(action=Action.DELETE)
        for entry in deletions.select_related("actor").order_by("-at", "-pk")[:2000]:
            if entry.object_id in existing or entry.object_id in latest:
                continue
            latest[entry.object_id] = entry
        rows = []
        for entry in latest.values():
            region_id = entry.snapshot.get("region")
            if not can_edit_region(request.user, region_id):
                continue
            rows.append(
                {
                    "entry": entry,
                    "region": region_id,
                    "restore_url": reverse(
                        "admin:audit_auditentry_restore_deleted_case",
                        args=[int(entry.object_id)],
                        current_app=self.admin_site.name,
                    ),
                }
            )
        formatter = ChangeFormatter(Case, [{"region": [row["region"], None]} for row in rows])
        for row in rows:
            row["region"] = formatter.value("region", row["region"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted cases"),
            "subtitle": None,
            "opts": self.opts,
            "case_opts": Case._meta,
            "rows": rows,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "audit/deleted_cases.html", context)

    def restore_deleted_case_view(self, request, object_id):
        """GET: the deleted case's last values; POST: recreate it with the same id."""
        case_admin = self._case_admin()
        if case_admin is None or not case_admin.has_add_permission(request):
            raise PermissionDenied
        list_url = reverse(
            "admin:audit_auditentry_deleted_cases", current_app=self.admin_site.name
        )
        if Case._base_manager.filter(pk=object_id).exists():
            self.message_user(request, _("This case is not deleted."), messages.WARNING)
            return HttpResponseRedirect(list_url)
        entry = AuditEntry.objects.for_object(Case, object_id).filter(action=Action.DELETE).first()
        if entry is None:
            raise Http404(_("No deleted case with this id."))
        version = entry.snapshot
        if not can_edit_region(request.user, version.get("region")):
            raise PermissionDenied
        if not publication_allowed(request, Case, version, None):
            raise PermissionDenied
        if request.method == "POST":
            try:
                case = restoring.restore(Case, object_id, version, user=request.user)
            except restoring.RestoreRefused as refusal:
                for message in [
                    _("This case can no longer be restored as it was, so nothing was changed."),
                    *refusal.messages,
                ]:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(list_url)
            self.message_user(
                request, _("The case “%(case)s” was restored.") % {"case": case}, messages.SUCCESS
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:cases_case_change", args=[case.pk], current_app=self.admin_site.name
                )
            )
        shown = {
            name: [None, value] for name, value in version.items() if value not in (None, "", [])
        }
        shown = {
            name: values for name, values in shown.items() if name in recorder._diff_fields(Case)
        }
        return confirm_page(
            self.admin_site,
            request,
            Case._meta,
            obj=None,
            entry=entry,
            rows=ChangeFormatter(Case, [shown]).rows(shown),
            cancel_url=list_url,
            title=_("Restore the deleted case “%(case)s”") % {"case": entry.object_label},
        )


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "kind", "rows", "filters_display"]
    list_filter = ["kind", ("user", admin.RelatedOnlyFieldListFilter)]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["username", "kind"]
    date_hierarchy = "at"
    fields = ["at", "username", "kind", "rows", "filters_display"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("filters"))
    def filters_display(self, log):
        if not log.filters:
            return "—"
        return "; ".join(f"{key}={value}" for key, value in sorted(log.filters.items()))
