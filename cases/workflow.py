"""The register's write engine: one place where a change to a case or a showcase page becomes
public, or waits for HQ.

`cases.register` (cases) and `showcase.register` (showcase pages) are instances of
`Workflow`; the admin, the commands and the shell call them. Every call

- checks who may do it: the model permission and the district (`staff.access`), and the
  publish permission for anything that reaches the public or the figures;
- validates the record with the model's full rules (its `full_clean()`, district included);
- writes in one transaction, records the audit entry (in the caller's unit of work, or one of
  its own) and counts the figures again before the transaction ends (`freshness.flush`), so
  no reader sees the change without its figures or the figures without the change;
- tells people by e-mail, once the transaction has committed (`cases.notify`).

Someone without publish rights who changes or deletes a *reviewed* record (an approved or
published case, a published page) does not change it: the change becomes a pending
`Revision` in HQ's review queue, and the public and the figures keep the live version until
HQ approves it. `user=None` is the system (a command run without --user): it may do anything.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import context, recorder
from cases import notify
from cases.figures import freshness
from cases.models import Revision, RevisionKind, RevisionStatus, WorkflowError
from staff.access import holds_region


class Refused(PermissionDenied):
    """The user may not take this step on this record; nothing was changed."""


@dataclass
class Result:
    """What a write did: `applied` (the record changed) or `revision` (a change waits for
    review), with the record as it now stands."""

    obj: object
    applied: bool = True
    revision: Revision | None = None


class Workflow:
    """The write service of one publishable model. Subclasses say which model, which fields a
    revision carries, how the record's collections are read and written, and how its
    publishing steps are taken."""

    model = None
    publish_permission = ""
    # The fields staff edit, which a revision proposes new values for.
    fields: list[str] = []
    # name -> (read(obj) -> JSON list, write(obj, JSON list)); a case's themes and partners.
    collections: dict = {}

    # --- who may do what ---

    def region_id(self, obj):
        raise NotImplementedError

    def may_publish(self, user) -> bool:
        return user is None or user.has_perm(self.publish_permission)

    def may(self, user, obj, action: str) -> bool:
        """The model permission for `action` (add, change, delete) and the district."""
        if user is None:
            return True
        if not user.is_active:
            return False
        opts = self.model._meta
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return False
        region = self.region_id(obj)
        return region is None or holds_region(user, region)

    def check(self, user, obj, action: str) -> None:
        if not self.may(user, obj, action):
            raise Refused(_("You may not change this record."))

    def check_publish(self, user) -> None:
        if not self.may_publish(user):
            raise Refused(_("Only HQ editors may publish, approve or reject."))

    def needs_review(self, user, live) -> bool:
        """Whether a change or deletion of `live` by `user` waits for HQ's review."""
        return live is not None and self.is_reviewed(live) and not self.may_publish(user)

    # --- the record ---

    def is_reviewed(self, obj) -> bool:
        raise NotImplementedError

    def is_draft(self, obj) -> bool:
        raise NotImplementedError

    def counts(self, obj) -> bool:
        """Whether the record (as it is in memory) counts in the official figures."""
        return False

    def snapshot(self, obj, collections: dict | None = None) -> dict:
        """The record's editable values as JSON (foreign keys by id), its collections included
        (read from the database unless given)."""
        values = {name: recorder.snapshot_value(obj, name) for name in self.fields}
        for name, (read, _write) in self.collections.items():
            values[name] = (collections or {}).get(name, read(obj) if obj.pk else [])
        return values

    def apply(self, obj, data: dict):
        """Set the record's fields (in memory) to the values of a snapshot."""
        for name in self.fields:
            if name not in data:
                continue
            field = self.model._meta.get_field(name)
            setattr(obj, field.attname, field.to_python(data[name]))
        return obj

    def preview_url(self, obj, revision=None) -> str | None:
        """Where staff see the record (with a revision applied) as the public would."""
        return None

    def label(self, obj) -> str:
        return str(obj)[:300]

    # --- the unit of work ---

    @contextlib.contextmanager
    def unit(self, user, source: str = "admin", note: str = ""):
        """One transaction and one audit unit (the caller's when it has one), with the figures
        counted again before the transaction ends."""
        outer = context.current()
        audit = (
            contextlib.nullcontext(outer)
            if outer is not None
            else context.audit_context(user, source=source, note=note)
        )
        with audit, transaction.atomic():
            yield
            recorder.flush() if outer is None else None
            freshness.flush(bump=False)

    def validate(self, obj) -> None:
        """The model's full rules (district included); raises ValidationError."""
        obj.full_clean()

    # --- the steps ---

    def save(
        self,
        user,
        obj,
        *,
        collections: dict | None = None,
        submit: bool = False,
        validate: bool = True,
        source: str = "admin",
    ) -> Result:
        """Create or change a record. A change of a reviewed record by someone who may not
        publish becomes a pending revision instead; everything else is written."""
        created = obj.pk is None
        live = None if created else self.model._base_manager.get(pk=obj.pk)
        self.check(user, obj, "add" if created else "change")
        if live is not None:
            self.check(user, live, "change")  # the district it leaves, too
        if validate:
            self.validate(obj)
        if self.needs_review(user, live):
            return self.propose(user, live, self.snapshot(obj, collections), source=source)
        with self.unit(user, source):
            self.before_save(user, obj, live)
            obj.save()
            for name, (_read, write) in self.collections.items():
                if collections is not None and name in collections:
                    write(obj, collections[name])
            if submit:
                self._submit(user, obj)
        return Result(obj)

    def before_save(self, user, obj, live) -> None:
        """Stamp who changed the record (subclasses add their own)."""

    def propose(self, user, live, data: dict, *, source: str = "admin") -> Result:
        """Keep `data` as a pending revision of `live` (replacing the user's earlier pending
        one) and tell HQ."""
        proposed = self.apply(self.model._base_manager.get(pk=live.pk), data)
        with self.unit(user, source):
            Revision.objects.of(live).filter(
                status=RevisionStatus.PENDING,
                kind=RevisionKind.CHANGE,
                submitted_by=user,
            ).update(status=RevisionStatus.WITHDRAWN)
            revision = Revision.objects.create(
                content_type=_content_type(self.model),
                object_id=live.pk,
                object_label=self.label(live),
                region_id=self.region_id(live),
                kind=RevisionKind.CHANGE,
                data=data,
                counts_now=self.counts(live),
                counts_after=self.counts(proposed),
                submitted_by=user,
            )
            notify.submitted(revision)
        return Result(live, applied=False, revision=revision)

    def submit(self, user, obj, *, source: str = "admin") -> Result:
        """Draft → submitted for review: HQ is told."""
        self.check(user, obj, "change")
        with self.unit(user, source):
            self._submit(user, obj)
        return Result(obj)

    def _submit(self, user, obj) -> None:
        self.take_step(obj, "submit_for_review", user)
        revision = Revision.objects.create(
            content_type=_content_type(self.model),
            object_id=obj.pk,
            object_label=self.label(obj),
            region_id=self.region_id(obj),
            kind=RevisionKind.SUBMIT,
            data=self.snapshot(obj),
            counts_now=False,
            counts_after=False,
            submitted_by=user,
        )
        notify.submitted(revision)

    def take_step(self, obj, step: str, user) -> None:
        try:
            getattr(obj, step)(user)
        except WorkflowError as error:
            raise Refused(str(error)) from None

    def publish(self, user, obj, *, listed: bool = True, source: str = "admin") -> Result:
        """Publish (or, for a case, approve without listing) a record, closing any pending
        submission of it as approved."""
        self.check_publish(user)
        self.check(user, obj, "change")
        with self.unit(user, source):
            self.take_step(obj, "publish" if listed else "approve", user)
            for revision in Revision.objects.of(obj).pending().filter(kind=RevisionKind.SUBMIT):
                self._close(revision, user, RevisionStatus.APPROVED, "")
        return Result(obj)

    def unpublish(self, user, obj, *, source: str = "admin") -> Result:
        """Back to draft: off the public site and out of the figures."""
        self.check_publish(user)
        self.check(user, obj, "change")
        with self.unit(user, source):
            self.take_step(obj, "unpublish", user)
        return Result(obj)

    def approve(self, user, revision: Revision, *, comment: str = "", source="admin") -> Result:
        """HQ approves a pending revision: a change is written to the live record, a
        deletion deletes it, a submission publishes it. The submitter is told."""
        self.check_publish(user)
        if not revision.is_pending:
            raise Refused(_("This revision has already been reviewed."))
        live = revision.record()
        if live is not None:
            self.check(user, live, "change")
        with self.unit(user, source):
            if revision.kind == RevisionKind.DELETE:
                if live is not None:
                    live.delete()
            elif live is None:
                raise Refused(_("The record no longer exists."))
            elif revision.kind == RevisionKind.CHANGE:
                self.apply(live, revision.data)
                try:
                    self.validate(live)
                except ValidationError as error:
                    raise Refused(
                        _("The revision no longer fits the register: %(error)s")
                        % {"error": "; ".join(error.messages)}
                    ) from None
                self.before_save(user, live, None)
                live.save()
                for name, (_read, write) in self.collections.items():
                    if name in revision.data:
                        write(live, revision.data[name])
            elif not self.is_reviewed(live):
                self.take_step(live, "publish", user)
            self._close(revision, user, RevisionStatus.APPROVED, comment)
        return Result(live, revision=revision)

    def reject(self, user, revision: Revision, comment: str, *, source="admin") -> Result:
        """HQ rejects a pending revision with a comment the submitter sees; the live record
        stays as it is (a rejected submission goes back to draft)."""
        self.check_publish(user)
        if not revision.is_pending:
            raise Refused(_("This revision has already been reviewed."))
        if not comment.strip():
            raise ValidationError(_("Say why the revision is rejected: the submitter sees it."))
        live = revision.record()
        with self.unit(user, source):
            if revision.kind == RevisionKind.SUBMIT and live is not None:
                with contextlib.suppress(Refused):
                    self.take_step(live, "unpublish", user)
            self._close(revision, user, RevisionStatus.REJECTED, comment)
        return Result(live, applied=False, revision=revision)

    def _close(self, revision, user, status, comment) -> None:
        revision.status = status
        revision.reviewed_by = user
        revision.reviewed_at = timezone.now()
        revision.comment = comment.strip()
        revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
        notify.reviewed(revision)

    def delete(self, user, obj, *, source: str = "admin") -> Result:
        """Delete a record; a reviewed one, for someone who may not publish, becomes a
        deletion request in HQ's queue."""
        self.check(user, obj, "delete")
        if self.needs_review(user, obj):
            with self.unit(user, source):
                pending = Revision.objects.of(obj).pending().filter(kind=RevisionKind.DELETE)
                revision = pending.first()
                if revision is None:
                    revision = Revision.objects.create(
                        content_type=_content_type(self.model),
                        object_id=obj.pk,
                        object_label=self.label(obj),
                        region_id=self.region_id(obj),
                        kind=RevisionKind.DELETE,
                        data=self.snapshot(obj),
                        counts_now=self.counts(obj),
                        counts_after=False,
                        submitted_by=user,
                    )
                    notify.submitted(revision)
            return Result(obj, applied=False, revision=revision)
        with self.unit(user, source):
            obj.delete()
        return Result(obj)


def _content_type(model):
    return ContentType.objects.get_for_model(model, for_concrete_model=True)
