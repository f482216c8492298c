"""The publishing mixin both staff admins share (cases and showcase pages): one set of admin
actions and one way to save and delete, through the model's write service (`cases.workflow`).

A publisher's save writes the record; a non-publisher's save of a reviewed record becomes a
pending revision (the form, its many-to-many fields and its inlines together), and a
non-publisher's deletion of one becomes a deletion request; both wait in HQ's review queue.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.figures import freshness
from cases.models import Revision, RevisionStatus
from cases.workflow import Refused


class PublishingAdmin:
    """Mix into a ModelAdmin with `register` (a Workflow) and `review_field` (the form's
    "submit for review" checkbox)."""

    register = None
    review_field = "request_review"
    change_form_template = "admin/cases/publishing_change_form.html"

    def has_publish_permission(self, request, obj=None):
        """Publishing, approving and withdrawing: HQ editors."""
        return self.register.may_publish(request.user)

    # --- saving and deleting through the write service -----------------------------------------

    def proposed_collections(self, form, formsets) -> dict:
        """The record's collections as the form and inlines would make them."""
        return {}

    def save_model(self, request, obj, form, change):
        live = self.model._base_manager.get(pk=obj.pk) if change else None
        if self.register.needs_review(request.user, live):
            request._publishing_live = live  # becomes a revision in save_related()
            return
        try:
            self.register.save(request.user, obj, validate=False)
        except Refused as refusal:
            raise PermissionDenied(str(refusal)) from None

    def save_related(self, request, form, formsets, change):
        live = getattr(request, "_publishing_live", None)
        if live is not None:
            data = self.register.snapshot(form.instance, self.proposed_collections(form, formsets))
            request._publishing_revision = self.register.propose(request.user, live, data).revision
            for formset in formsets:  # nothing of theirs was saved (the change message asks)
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if form.cleaned_data.get(self.review_field) and self.register.is_draft(obj):
            self.register.submit(request.user, obj)
        freshness.flush(bump=False)  # the themes' and partners' figures, in this transaction

    def _revision_response(self, request, obj):
        revision = getattr(request, "_publishing_revision", None)
        if revision is None:
            return None
        self.message_user(
            request,
            _(
                "Your changes to “%(record)s” were sent to HQ for review. The public keeps "
                "seeing the published version until HQ approves them."
            )
            % {"record": obj},
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def response_change(self, request, obj):
        return self._revision_response(request, obj) or super().response_change(request, obj)

    def delete_model(self, request, obj):
        try:
            result = self.register.delete(request.user, obj)
        except Refused as refusal:
            raise PermissionDenied(str(refusal)) from None
        if not result.applied:
            request._publishing_revision = result.revision

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_publishing_revision", None) is None:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _(
                "Your request to delete “%(record)s” was sent to HQ for review; it stays as it "
                "is until HQ approves."
            )
            % {"record": obj_display},
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )

    def delete_queryset(self, request, queryset):
        requested = 0
        for obj in queryset:
            try:
                result = self.register.delete(request.user, obj)
            except Refused:
                continue
            requested += not result.applied
        if requested:
            self.message_user(
                request,
                ngettext(
                    "%(count)d deletion was sent to HQ for review.",
                    "%(count)d deletions were sent to HQ for review.",
                    requested,
                )
                % {"count": requested},
                messages.WARNING,
            )

    # --- the record's revisions on its form -----------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            revisions = Revision.objects.of(obj).select_related("submitted_by", "reviewed_by")
            extra_context["pending_revisions"] = list(
                revisions.filter(status=RevisionStatus.PENDING)
            )
            extra_context["last_rejection"] = (
                revisions.filter(status=RevisionStatus.REJECTED).order_by("-reviewed_at").first()
            )
        return super().change_view(request, object_id, form_url, extra_context)
