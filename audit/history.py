"""The audit history in the admin: each tracked object's history page, and restoring from it.

`AuditedAdmin` is a mixin for the model admins of tracked models
(`class CaseAdmin(AuditedAdmin, admin.ModelAdmin)`): its history page lists the audit entries
with their field-by-field changes, newest first, and offers "Restore this version" on each
earlier version. One admin save (form, many-to-many fields and inlines) is one entry.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit import recorder, restoring
from audit.display import ChangeFormatter
from audit.models import Action, AuditEntry

RESTORABLE_ACTIONS = (Action.CREATE, Action.CHANGE, Action.RESTORE)


def publication_allowed(request, model, version, present) -> bool:
    permission = restoring.changes_publication(model, version, present)
    return permission is None or request.user.has_perm(permission)


def _differs(model, version: dict, present: dict) -> bool:
    return bool(restoring_diff(model, present, version))


def restoring_diff(model, present: dict | None, version: dict) -> dict:
    """field -> [now, after restoring] for the fields a restore would change."""
    return recorder.diff(model, present, version)


class AuditedAdmin:
    """History from the audit entries, and restoring earlier versions, for a model admin."""

    history_per_page = 50

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/<int:entry_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_restore",
            ),
            *super().get_urls(),
        ]

    # --- one entry per admin save -------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The form, its many-to-many fields and the inlines are saved: write the one entry
        # inside the admin's transaction.
        recorder.flush()

    def response_action(self, request, queryset, *args, **kwargs):
        """Actions may write with update(), which sends no signals: keep the selected
        objects' states before the action, so the unit of work compares them afterwards."""
        pks = self._action_targets(request, queryset, *args, **kwargs)
        for pk in pks:
            recorder.touch(self.model, pk)
        response = super().response_action(request, queryset, *args, **kwargs)
        for pk in pks:
            recorder.changed(self.model, pk)
        recorder.flush()
        return response

    def _action_targets(self, request, queryset, *args, **kwargs) -> list:
        """The pks the action will run on, as ModelAdmin.response_action chooses them."""
        if not request.POST.get("action"):
            return []
        location = kwargs.get("action_location", args[0] if args else None)
        on_change_list = location in (None, ActionLocation.CHANGE_LIST)
        try:
            if not on_change_list or request.POST.get("select_across") == "1":
                return list(queryset.values_list("pk", flat=True))
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            return list(queryset.filter(pk__in=selected).values_list("pk", flat=True))
        except (ValidationError, ValueError, TypeError):
            return []  # forged ids: the action itself will refuse them

    # --- history ------------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied

        entries = AuditEntry.objects.for_object(self.model, obj.pk).select_related("actor")
        paginator = self.get_paginator(request, entries, self.history_per_page)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        formatter = ChangeFormatter(self.model, [entry.changes for entry in page])
        present = recorder.snapshot(obj)
        may_change = self.has_change_permission(request, obj)
        info = self.opts.app_label, self.opts.model_name
        rows = []
        for entry in page:
            restorable = (
                may_change
                and entry.action in RESTORABLE_ACTIONS
                and _differs(self.model, entry.snapshot, present)
                and publication_allowed(request, self.model, entry.snapshot, present)
            )
            rows.append(
                {
                    "entry": entry,
                    "changes": formatter.rows(entry.changes),
                    "restore_url": reverse(
                        f"admin:{info[0]}_{info[1]}_restore",
                        args=[quote(obj.pk), entry.pk],
                        current_app=self.admin_site.name,
                    )
                    if restorable
                    else None,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "rows": rows,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "audit/object_history.html", context)

    # --- restoring an earlier version ---------------------------------------------------------

    def restore_view(self, request, object_id, entry_id):
        """GET: what restoring the version would change; POST: restore it."""
        obj, entry, present = self._restorable(request, object_id, entry_id)
        info = self.opts.app_label, self.opts.model_name
        history_url = reverse(
            f"admin:{info[0]}_{info[1]}_history",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )
        if request.method == "POST":
            return self._restore(request, obj, entry, history_url)
        changes = restoring_diff(self.model, present, entry.snapshot)
        return confirm_page(
            self.admin_site,
            request,
            self.opts,
            obj=obj,
            entry=entry,
            rows=ChangeFormatter(self.model, [changes]).rows(changes),
            cancel_url=history_url,
            title=_("Restore an earlier version of %(object)s") % {"object": obj},
        )

    def _restorable(self, request, object_id, entry_id):
        """The object, the entry whose version is to be restored and the object's present
        snapshot; 404 or 403 unless this person may restore that version.

        The version must be one this person could save: a case moved out of their district,
        or a different publication state without the right to publish, is refused."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("No such object."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        entry = get_object_or_404(
            AuditEntry.objects.for_object(self.model, obj.pk).filter(
                action__in=RESTORABLE_ACTIONS
            ),
            pk=entry_id,
        )
        try:
            candidate = restoring.build(self.model, obj.pk, entry.snapshot, copy.copy(obj))
        except restoring.RestoreRefused:
            candidate = obj
        if not self.has_change_permission(request, candidate):
            raise PermissionDenied
        present = recorder.snapshot(obj)
        if not publication_allowed(request, self.model, entry.snapshot, present):
            raise PermissionDenied
        return obj, entry, present

    def _restore(self, request, obj, entry, history_url):
        try:
            restoring.restore(self.model, obj.pk, entry.snapshot, user=request.user, current=obj)
        except restoring.RestoreRefused as refusal:
            for message in [
                _("This version can no longer be restored, so nothing was changed."),
                *refusal.messages,
            ]:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(history_url)
        self.message_user(
            request,
            _("The version of %(at)s was restored.") % {"at": _when(entry)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(obj.pk)],
                current_app=self.admin_site.name,
            )
        )


def _when(entry) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(entry.at), "DATETIME_FORMAT")


def confirm_page(site, request, opts, *, obj, entry, rows, cancel_url, title):
    context = {
        **site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "object": obj,
        "entry": entry,
        "rows": rows,
        "cancel_url": cancel_url,
        "module_name": str(capfirst(opts.verbose_name_plural)),
    }
    request.current_app = site.name
    return TemplateResponse(request, "audit/restore_confirm.html", context)
