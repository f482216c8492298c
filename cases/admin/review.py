"""The review queue: changes to reviewed records waiting for HQ."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from audit.display import ChangeFormatter
from cases.admin.filters import RegionFilter
from cases.models import (
    Revision,
    RevisionKind,
)
from cases.publishing import PublishingAdmin
from cases.workflow import Refused
from staff.access import scope_cases

# --- The review queue -------------------------------------------------------------------------


def registers() -> dict:
    """{model: its write service}: the register's own, and those other apps add (showcase)."""
    return {model: model_admin.register for model, model_admin in _publishing_admins().items()}


def _publishing_admins() -> dict:
    return {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PublishingAdmin)
    }


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Changes waiting for HQ's review: who, when, which district, and the field-by-field
    difference with the live version. Consulate editors see their districts' revisions (their
    own included, with HQ's comment); HQ approves or rejects with a comment."""

    list_display = [
        "record_title",
        "kind",
        "record_kind",
        "region",
        "submitted_by",
        "submitted_at",
        "status",
        "figure_effect_display",
    ]
    list_filter = ["status", "kind", ("region", RegionFilter)]
    list_select_related = ["region", "submitted_by", "content_type"]
    search_fields = ["object_label", "submitted_by__username", "comment"]
    date_hierarchy = "submitted_at"

    def get_queryset(self, request):
        return scope_cases(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("record"), ordering="object_label")
    def record_title(self, revision):
        """The title in the admin's language: a Japanese reviewer reads the Japanese title."""
        return revision.title

    @admin.display(description=_("kind of record"), ordering="content_type")
    def record_kind(self, revision):
        return capfirst(revision.content_type.model_class()._meta.verbose_name)

    @admin.display(description=_("figures"))
    def figure_effect_display(self, revision):
        effect = revision.figure_effect
        return f"{effect:+d}" if effect else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: the difference with the live version, a preview as the public would
        see it, and (for HQ, while pending) approve or reject with a comment."""
        revision = self.get_object(request, object_id)
        if revision is None or not self.has_view_permission(request, revision):
            raise Http404(_("No revision with this id."))
        model = revision.model
        register = registers().get(model)
        live = revision.record()
        may_review = (
            register is not None and revision.is_pending and register.may_publish(request.user)
        )
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            return self._review(request, register, revision)
        preview_url = None
        if live is not None and revision.kind != RevisionKind.DELETE:
            preview_url = register.preview_url(live, revision) if register else None
        changes = _proposed_changes(revision, register, live)
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "subtitle": None,
            "opts": self.opts,
            "revision": revision,
            "record_kind": capfirst(model._meta.verbose_name),
            "rows": ChangeFormatter(model, [changes]).rows(changes),
            "live": live,
            "may_review": may_review,
            "preview_url": preview_url,
            "record_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[live.pk]
            )
            if live is not None
            else None,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/revision/review.html", context)

    def _review(self, request, register, revision):
        """Approve or reject the revision (HQ, while it is pending), then back to the queue;
        a refusal is said on the review page and changes nothing."""
        comment = request.POST.get("comment", "")
        try:
            if "approve" in request.POST:
                register.approve(request.user, revision, comment=comment)
                self.message_user(
                    request,
                    _("Approved: “%(record)s” is now as the revision proposed.")
                    % {"record": revision.title},
                    messages.SUCCESS,
                )
            else:
                register.reject(request.user, revision, comment)
                self.message_user(
                    request,
                    _("Rejected; the submitter will see your comment."),
                    messages.SUCCESS,
                )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:cases_revision_changelist"))


def _proposed_changes(revision, register, live) -> dict:
    """What the revision would change, field by field: [present, proposed]."""
    present = register.snapshot(live) if (register and live is not None) else {}
    if revision.kind == RevisionKind.DELETE:
        return {name: [value, None] for name, value in present.items()}
    if revision.kind == RevisionKind.SUBMIT:
        return {name: [None, value] for name, value in revision.data.items()}
    return {
        name: [present.get(name), value]
        for name, value in revision.data.items()
        if present.get(name) != value
    }
