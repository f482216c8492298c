"""The audit logs in the admin (read-only).

The per-object history pages and restore come from `audit.history.AuditedAdmin`; the deleted
cases and their restore page from the case admin (`cases.admin`).
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import recorder
from audit.display import ChangeFormatter
from audit.models import Action, AuditEntry, ExportLog
from staff.access import allowed_region_ids

# --- the audit entries ------------------------------------------------------------------------


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
        allowed = allowed_region_ids(request.user)
        if allowed is None:
            return queryset
        # District staff see the history of their districts' objects only (those of the models
        # tracked by district, whose snapshot holds the region).
        regions = sorted(allowed)
        visible = Q(pk__in=[])
        for label, key in recorder.region_keys().items():
            model = apps.get_model(label)
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
            visible |= Q(content_type=content_type, **{f"snapshot__{key}__in": regions})
        return queryset.filter(visible)

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
