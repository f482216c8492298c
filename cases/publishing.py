"""The publishing mixin both staff admins share (cases and showcase pages): one set of admin
actions and one way to save and delete, through the model's write service (`cases.workflow`).

A publisher's save writes the record; a non-publisher's save of a reviewed record becomes a
pending revision (the form, its many-to-many fields and its inlines together), and a
non-publisher's deletion of one becomes a deletion request; both wait in HQ's review queue.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.figures import freshness
from cases.models import Publication, Revision, RevisionStatus
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

    # --- the publishing actions (a ModelAdmin lists the ones it offers in `actions`) ----------

    @admin.action(
        description=gettext_lazy("Submit the selected %(verbose_name_plural)s for review"),
        permissions=["change"],
    )
    def submit_for_review(self, request, queryset):
        """A consulate's step: drafts go to HQ for review; others are left as they are."""
        return self._take_step(request, queryset, Publication.DRAFT, "submit")

    @admin.action(
        description=gettext_lazy("Publish the selected %(verbose_name_plural)s"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        return self._take_step(request, queryset, Publication.PUBLISHED, "publish")

    @admin.action(
        description=gettext_lazy(
            "Approve the selected %(verbose_name_plural)s without listing them (counted only)"
        ),
        permissions=["publish"],
    )
    def approve(self, request, queryset):
        return self._take_step(request, queryset, Publication.APPROVED, "approve")

    @admin.action(
        description=gettext_lazy("Unpublish the selected %(verbose_name_plural)s (back to draft)"),
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        return self._take_step(request, queryset, Publication.DRAFT, "unpublish")

    def _step_done(self, step: str, count: int) -> str:
        things = {"count": count, "items": model_ngettext(self.opts, count)}
        done = {
            "submit": ngettext(
                "%(count)d %(items)s was submitted for review.",
                "%(count)d %(items)s were submitted for review.",
                count,
            ),
            "publish": ngettext(
                "%(count)d %(items)s was published.", "%(count)d %(items)s were published.", count
            ),
            "approve": ngettext(
                "%(count)d %(items)s was approved: counted, not listed.",
                "%(count)d %(items)s were approved: counted, not listed.",
                count,
            ),
            "unpublish": ngettext(
                "%(count)d %(items)s was unpublished and returned to draft.",
                "%(count)d %(items)s were unpublished and returned to draft.",
                count,
            ),
        }
        return done[step] % things

    def _take_step(self, request, chosen, already: str, step: str) -> int:
        """Take one workflow step, through the write service, on every chosen record that is
        not already where the step leads (`already`: a draft, for a submission, is where it
        starts); record it in the admin log; say how many changed and why others did not.

        `chosen` comes from get_queryset, so a consulate can never reach a record outside its
        districts through a forged selection.
        """
        eligible = (
            chosen.filter(publication=already)
            if step == "submit"
            else chosen.exclude(publication=already)
        )
        calls = {
            "submit": self.register.submit,
            "publish": self.register.publish,
            "approve": lambda user, obj: self.register.publish(user, obj, listed=False),
            "unpublish": self.register.unpublish,
        }
        changing, reasons = [], []
        for obj in eligible.order_by():
            try:
                calls[step](request.user, obj)
            except PermissionDenied as refusal:
                reasons.append(str(refusal))
                continue
            changing.append(obj)
        if changing:
            # The history page translates the field names when it shows the entry, as
            # Django's own change messages do.
            with translation.override(None):
                names = {field.name for field in self.opts.get_fields()}
                fields = [
                    str(self.opts.get_field(name).verbose_name)
                    for name in ("publication", "is_public")
                    if name in names
                ]
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changing,
                action_flag=CHANGE,
                change_message=json.dumps([{"changed": {"fields": fields}}]),
            )
        count = len(changing)
        self.message_user(request, self._step_done(step, count), messages.SUCCESS)
        skipped = chosen.count() - count
        if skipped > 0:
            left = ngettext(
                "%(count)d %(items)s was left as it was: the step does not apply to it.",
                "%(count)d %(items)s were left as they were: the step does not apply to them.",
                skipped,
            ) % {"count": skipped, "items": model_ngettext(self.opts, skipped)}
            if reasons:
                left = f"{left} {reasons[0]}"
            self.message_user(request, left, messages.WARNING)
        return count

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
