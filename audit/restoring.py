"""Bringing back an earlier version of a tracked object, or a deleted case, from its snapshot.

A restore writes exactly the version's values (fields, and for a case its themes and partner
rows) or nothing at all: the rebuilt object is validated first, and a version that is no longer
valid (a partner deleted since, a region gone) is refused with the reasons.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from audit import context, recorder

# Fields a restore never writes: the database or the act of restoring sets them.
_KEEP_FIELDS = {"updated_at", "updated_by"}


# Restoring must not become a way round the publishing workflow: a version whose publication
# state differs from the object's present one needs the permission to publish.
PUBLICATION_FIELDS = {
    "cases.case": (("is_public", "publication"), "cases.publish_case"),
    "showcase.showcasepage": (("status", "published_at"), "showcase.publish_showcasepage"),
}


def changes_publication(model, version: dict, present: dict | None) -> str | None:
    """The permission needed to restore this version when it would change whether (or since
    when) the object is published, else None. `present` is the object's snapshot now (None for
    a deleted object, compared with a new object's defaults)."""
    fields, permission = PUBLICATION_FIELDS.get(model._meta.label_lower, ((), None))
    if present is None:
        defaults = model()
        present = {name: recorder.snapshot_value(defaults, name) for name in fields}
    for name in fields:
        if name in version and version[name] != present.get(name):
            return permission
    return None


class RestoreRefused(Exception):
    """The version cannot be restored as it is; `messages` says why, for the person."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def build(model, pk, version: dict, current=None) -> models.Model:
    """An unsaved instance carrying the version's field values (the current object's values,
    or the defaults, for fields the version does not know)."""
    instance = current if current is not None else model(pk=pk)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in _KEEP_FIELDS or field.name not in version:
            continue
        value = version[field.name]
        if isinstance(field, models.FileField):
            setattr(instance, field.attname, value or "")
            continue
        try:
            setattr(instance, field.attname, field.to_python(value))
        except ValidationError as error:
            raise RestoreRefused(_messages(error, model)) from None
    return instance


def validate(instance, version: dict) -> None:
    """Raise RestoreRefused unless the instance and its collections can be saved as they are."""
    problems = []
    try:
        instance.full_clean()
    except ValidationError as error:
        problems.extend(_messages(error, type(instance)))
    for name, collection in recorder.collections_of(type(instance)).items():
        if name in version:
            problems.extend(collection.check(version[name] or []))
    if problems:
        raise RestoreRefused(problems)


def _messages(error: ValidationError, model) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for name, errors in error.message_dict.items():
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a non-field error has no field to name
            label = ""
        for message in errors:
            messages.append(f"{label}: {message}" if label else message)
    return messages


def restore(model, pk, version: dict, *, user=None, current=None) -> models.Model:
    """Write the version (onto `current`, or as a new row with the same pk) and record it.

    Raises RestoreRefused, changing nothing, when the version is no longer valid.
    """
    before = recorder.snapshot(current) if current is not None else None
    instance = build(model, pk, version, current)
    if hasattr(instance, "updated_by_id") and user is not None:
        instance.updated_by = user
    validate(instance, version)
    state = context.current()
    try:
        # A unit of work of its own, so the restore's saves become the one restore entry.
        with (
            context.audit_context(
                user if user is not None else getattr(state, "user", None),
                source=state.source if state else "shell",
            ),
            transaction.atomic(),
        ):
            instance.save(force_insert=current is None)
            if current is None:
                _keep_creation_time(model, instance, version)
            for name, collection in recorder.collections_of(model).items():
                if name in version:
                    collection.write(instance, version[name] or [])
            recorder.record_restore(instance, before)
    except IntegrityError as error:
        raise RestoreRefused(
            [_("The database refused this version: %(error)s") % {"error": error}]
        ) from None
    return instance


def _keep_creation_time(model, instance, version: dict) -> None:
    """A recreated row keeps when it was first created, not when it was restored."""
    kept = {
        field.name: field.to_python(version[field.name])
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now_add", False) and version.get(field.name)
    }
    if kept:
        model._base_manager.filter(pk=instance.pk).update(**kept)
