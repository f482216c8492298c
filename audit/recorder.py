"""Turning changes to tracked models into audit entries.

The recorder works by *reconciliation*: when an object is first touched inside a unit of work
(see `audit.context`), its state is read from the database and kept as `before`; when the unit
ends, the object's state is read again and the difference written as one entry. So:

- one admin save (the case, its themes, its partner inline) gives one entry, whatever order the
  signals fire in;
- writers that bypass signals for part of the work (the importer bulk-creates partner rows)
  are still recorded in full, since the after-state comes from the database;
- a change rolled back before the unit ends leaves no entry: the object reads as it was.

A "change" whose visible fields came out the same is not recorded at all.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit import context

CREATE, CHANGE, DELETE, RESTORE = "create", "change", "delete", "restore"


@dataclass(frozen=True)
class Collection:
    """Rows that belong to a tracked object and are kept in its snapshot under one name (a
    case's theme ids, its [partner id, role] rows), told to the recorder by the app that owns
    them (`audit.tracking.track`), so this app never needs to know the models above it.

    `read(pks)` gives {pk: sorted values} in a constant number of queries; `check(values)` the
    reasons a restore of these values would fail (empty when it can go ahead); `write(instance,
    values)` makes the instance's rows exactly these values.
    """

    read: Callable[[list], dict]
    check: Callable[[list], list[str]]
    write: Callable[[models.Model, list], None]


# Model label -> {collection name: Collection} kept in the snapshot besides the concrete fields.
_TRACKED: dict[str, dict[str, Collection]] = {}
# Model label -> the snapshot key that holds the object's region id (district staff see the
# history of their own districts' objects only).
_REGION_KEYS: dict[str, str] = {}


def add_tracked(model, collections: dict[str, Collection], region_key: str = "") -> None:
    """Keep `model`'s objects' snapshots, with `collections`, and (given `region_key`) their
    region, from now on (`audit.tracking.track` connects the signals)."""
    label = model._meta.label_lower
    _TRACKED[label] = dict(collections)
    if region_key:
        _REGION_KEYS[label] = region_key


def is_tracked(model) -> bool:
    return model._meta.label_lower in _TRACKED


def collections_of(model) -> dict[str, Collection]:
    """The collections tracked with a model's objects ({} for none)."""
    return _TRACKED.get(model._meta.label_lower, {})


def region_keys() -> dict[str, str]:
    """{model label: snapshot key of its region id} for the models tracked by district."""
    return dict(_REGION_KEYS)


# --- snapshots --------------------------------------------------------------------------------


# Values JSON keeps as they are, told by their exact type (the common case, checked first).
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _json_value(value):
    """A field value as JSON: dates and times in ISO 8601 (full precision), files by name."""
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _concrete_fields(model):
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def snapshot_value(instance, name: str):
    """One field's value as snapshot() keeps it."""
    return _json_value(instance._meta.get_field(name).value_from_object(instance))


def _field_values(instance, fields=None) -> dict:
    fields = fields or _concrete_fields(type(instance))
    return {field.name: _json_value(field.value_from_object(instance)) for field in fields}


def snapshot(instance) -> dict:
    """The instance's field values as JSON (foreign keys by id), keyed by field name.

    For a case also `themes` (sorted theme ids) and `partners` (sorted [partner id, role]
    rows), read from the database.
    """
    values = _field_values(instance)
    for name, rows in _collections(type(instance), [instance.pk]).items():
        values[name] = rows.get(instance.pk, [])
    return values


def snapshot_many(instances) -> dict:
    """pk -> snapshot() of each saved instance (all of one model), in a constant number of
    queries.

    The fields come from the instances themselves; a case's themes and partners are read for
    all of them at once (one query per collection per chunk of pks), so a bulk writer such as
    the importer does not pay two queries per case.
    """
    instances = [instance for instance in instances if instance.pk is not None]
    if not instances:
        return {}
    model = type(instances[0])
    fields = _concrete_fields(model)
    snapshots = {instance.pk: _field_values(instance, fields) for instance in instances}
    for name, rows in _collections(model, list(snapshots)).items():
        for pk, values in snapshots.items():
            values[name] = rows.get(pk, [])
    return snapshots


# Primary keys per `pk__in` query: well within every backend's limit on query parameters.
CHUNK = 1000


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _collections(model, pks: list) -> dict[str, dict]:
    """collection name -> {pk: sorted values} for the model's tracked collections, each read
    with a constant number of queries per chunk of pks."""
    collections = {}
    for name, collection in collections_of(model).items():
        found = {}
        for chunk in _chunks(pks):
            found.update(collection.read(chunk))
        collections[name] = found
    return collections


def _load(model, pk):
    return model._base_manager.filter(pk=pk).first()


@functools.cache
def diff_fields(model) -> frozenset[str]:
    """The names whose differences make a change: fields staff edit, and a case's collections.

    Fields the system maintains (timestamps, who last saved, the stored fiscal year) stay in
    the snapshot for restoring but do not on their own make a change worth an entry. (Cached:
    a model's fields do not change, and a bulk record diffs thousands of objects.)
    """
    names = {field.name for field in _concrete_fields(model) if field.editable or field.choices}
    names.update(collections_of(model))
    return frozenset(names)


def diff(model, before: dict | None, after: dict | None) -> dict:
    """field -> [old, new] for the fields that differ (a create lists the fields it set)."""
    names = diff_fields(model)
    if before is None and after is not None:
        return {
            name: [None, value]
            for name, value in after.items()
            if name in names and value not in (None, "", [], False)
        }
    if before is None or after is None:
        return {}
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(names)
        if before.get(name) != after.get(name)
    }


# --- the unit of work -------------------------------------------------------------------------


@dataclass
class Pending:
    """One object touched in a unit of work: its state before, and what happened to it."""

    model: type[models.Model]
    pk: object
    before: dict | None
    label: str = ""
    action: str = CHANGE
    exists_before: bool = True


def _key(model, pk) -> tuple[str, str]:
    return (model._meta.label_lower, str(pk))


# Outside any audit_context, changes gather here between an object's pre- and post-signal and
# are written as soon as the post-signal arrives (see `changed`).
_loose: ContextVar[context.AuditState | None] = ContextVar("audit_loose", default=None)


def _state_for_event() -> context.AuditState:
    """The open unit of work, or the loose one used outside any audit_context."""
    state = context.current()
    if state is not None:
        return state
    state = _loose.get()
    if state is None:
        state = context.AuditState(source="shell")
        _loose.set(state)
    return state


def touch(model, pk) -> Pending | None:
    """Note that an object is about to change, keeping its current database state as `before`.

    The first touch in a unit wins, so `before` is the state when the unit began.
    """
    if pk is None:
        return None
    state = _state_for_event()
    key = _key(model, pk)
    if key not in state.pending:
        instance = _load(model, pk)
        if instance is None:
            state.pending[key] = Pending(model, pk, None, action=CREATE, exists_before=False)
        else:
            state.pending[key] = Pending(model, pk, snapshot(instance), label=str(instance))
    return state.pending[key]


def changed(model, pk, action: str = CHANGE) -> None:
    """An object was saved or deleted: written when its unit of work ends, or at once outside
    any audit_context."""
    if pk is None:
        return
    state = _state_for_event()
    key = _key(model, pk)
    if action == CREATE and key not in state.pending:
        # Saved for the first time: there is no before-state to read (the row is already in).
        state.pending[key] = Pending(model, pk, None, action=CREATE, exists_before=False)
    pending = touch(model, pk)
    if action == DELETE:
        pending.action = DELETE
    if context.current() is None:
        flush(_state_for_event())


def flush(state: context.AuditState | None = None) -> None:
    """Write the entries of a unit of work (the current one by default) and empty it."""
    state = state or context.current()
    if state is None or not state.pending:
        return
    items = list(state.pending.values())
    state.pending.clear()
    if connection.in_atomic_block and connection.needs_rollback:
        return  # everything done in this transaction is being rolled back, entries included
    for pending in items:
        _write(pending, state)


def _write(pending: Pending, state: context.AuditState, action: str | None = None) -> None:
    entry = _entry(pending, state, _load(pending.model, pending.pk), action)
    if entry is not None:
        entry.save()


def _entry(pending: Pending, state: context.AuditState, instance, action=None, after=None):
    """The (unsaved) entry for a pending object given its current row (`instance`, None when
    gone), or None when there is nothing to record. `after` is the instance's snapshot when the
    caller already took it (see `_write_many`)."""
    from audit.models import AuditEntry

    if instance is None:
        if not pending.exists_before:
            return None  # created, then rolled back or deleted again within the unit
        action, after, changes = DELETE, pending.before, {}
        label = pending.label
    else:
        if after is None:
            after = snapshot(instance)
        label = str(instance)
        if action is None:
            action = CREATE if not pending.exists_before else CHANGE
        changes = diff(pending.model, pending.before if pending.exists_before else None, after)
        if action in (CHANGE, RESTORE) and not changes:
            return None
    return AuditEntry(
        content_type=_content_type(pending.model),
        object_id=str(pending.pk),
        object_label=label[:300],
        action=action,
        actor=state.actor,
        actor_username=state.actor.get_username() if state.actor else "",
        source=state.source,
        note=state.note[:300],
        changes=changes,
        snapshot=after,
    )


def _write_many(items: list[Pending], state: context.AuditState) -> None:
    """Write the entries of many pending objects of one model like `_write` does one by one,
    with a constant number of queries per chunk: their rows, themes and partners are read in
    bulk and the entries inserted with COPY on PostgreSQL, bulk_create elsewhere."""
    from audit.models import AuditEntry

    if not items:
        return
    model = items[0].model
    found = {}
    for chunk in _chunks([pending.pk for pending in items]):
        found.update(model._base_manager.filter(pk__in=chunk).order_by().in_bulk())
    afters = {str(pk): values for pk, values in snapshot_many(list(found.values())).items()}
    # Matched by the pk as text, like the entries' object_id, whatever type the caller's pk is.
    found = {str(pk): instance for pk, instance in found.items()}
    entries = []
    for pending in items:
        instance = found.get(str(pending.pk))
        after = afters.get(str(pending.pk))
        entry = _entry(pending, state, instance, after=after)
        if entry is not None:
            entries.append(entry)
    if connection.vendor == "postgresql":
        _copy_in(entries)
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=CHUNK)


def _copy_in(entries: list) -> None:
    """Insert unsaved entries with PostgreSQL's COPY FROM: the values each field would save
    (`at` stamped now, JSON as text), without bulk_create's per-value SQL parameters.

    An import's entries carry a full snapshot each, so for ten thousand cases the INSERTs
    cost about a second and a half more than COPY does, most of the import's time budget.
    """
    if not entries:
        return
    fields = [field for field in entries[0]._meta.concrete_fields if not field.primary_key]
    table = connection.ops.quote_name(entries[0]._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for entry in entries:
            copy.write_row([_copy_value(field, entry) for field in fields])


def _copy_value(field, entry):
    """What `field` of an unsaved entry writes, as COPY takes it."""
    value = field.pre_save(entry, add=True)
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder)
    return field.get_db_prep_save(value, connection)


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model, for_concrete_model=True)


def record_restore(instance, before: dict | None) -> None:
    """Write the entry for a restore just done (always written, even if nothing changed)."""
    model = type(instance)
    pending = Pending(model, instance.pk, before, exists_before=before is not None)
    state = _state_for_event()
    # Any changes the restore made through signals are this entry; drop them from the unit.
    state.pending.pop(_key(model, instance.pk), None)
    _write(pending, state, RESTORE)


def record_bulk(action: str, instances, before: dict | None = None) -> None:
    """Record writes that bypassed save() signals (bulk_create, bulk_update, update()).

    `action` is "create" or "change"; `before` maps pk -> snapshot() taken before the change.
    Without a before-state for a changed object, its last recorded snapshot is used instead.
    Entries are written at once, with the current context's actor and source.

    The after-states are read from the database in bulk (see `_write_many`), so recording an
    import of thousands of cases takes a handful of queries, not several per case. An object
    listed twice is recorded once.
    """
    if action not in (CREATE, CHANGE):
        raise ValueError("record_bulk records 'create' or 'change'.")
    state = _state_for_event()
    by_model: dict[type[models.Model], dict] = {}
    for instance in instances:
        model = type(instance)
        if not is_tracked(model) or instance.pk is None:
            continue
        key = _key(model, instance.pk)
        pendings = by_model.setdefault(model, {})
        if key in pendings:
            continue
        earlier = state.pending.pop(key, None)
        if action == CREATE:
            pendings[key] = Pending(model, instance.pk, None, action=CREATE, exists_before=False)
        else:
            prior = (before or {}).get(instance.pk)
            if prior is None and earlier is not None:
                prior = earlier.before
            pendings[key] = Pending(model, instance.pk, prior, exists_before=prior is not None)
    for model, pendings in by_model.items():
        items = list(pendings.values())
        if action == CHANGE:
            _fill_from_last_entries(model, [p for p in items if p.before is None])
        _write_many(items, state)


def record_written(instances, collections: dict[str, dict]) -> None:
    """Record objects a bulk writer has just created, from the values it wrote rather than
    read back: each instance as saved (its stamps set) and, for each tracked collection,
    `collections[name][pk]`, the sorted values the database now holds. The same entries as
    `record_bulk("create", instances)`, without reading the rows again; inserted with COPY on
    PostgreSQL, bulk_create elsewhere."""
    from audit.models import AuditEntry

    instances = [obj for obj in instances if obj.pk is not None and is_tracked(type(obj))]
    if not instances:
        return
    state = _state_for_event()
    model = type(instances[0])
    fields = _concrete_fields(model)
    names = list(collections_of(model))
    created, seen = [], set()
    for instance in instances:
        key = _key(model, instance.pk)
        if key in seen:
            continue
        seen.add(key)
        state.pending.pop(key, None)
        after = _field_values(instance, fields)
        for name in names:
            after[name] = collections.get(name, {}).get(instance.pk, [])
        created.append((instance, after))
    if connection.vendor == "postgresql":
        _copy_created(model, created, state)
        return
    entries = []
    for instance, after in created:
        pending = Pending(model, instance.pk, None, action=CREATE, exists_before=False)
        entries.append(_entry(pending, state, instance, after=after))
    AuditEntry.objects.bulk_create(entries, batch_size=CHUNK)


def _copy_created(model, created: list[tuple], state: context.AuditState) -> None:
    """The "create" entries of (instance, snapshot) pairs, written with COPY as `_copy_in`
    writes the entries `_entry` makes (the same columns and values, one `at` for all), without
    an AuditEntry object per row."""
    from audit.models import AuditEntry

    actor = state.actor
    shared = {
        "content_type": _content_type(model).pk,
        "action": CREATE,
        "actor": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "source": state.source,
        "note": state.note[:300],
        "at": AuditEntry._meta.get_field("at").get_db_prep_save(timezone.now(), connection),
    }
    fields = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    encoders = {name: AuditEntry._meta.get_field(name).encoder for name in ("changes", "snapshot")}
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance, after in created:
            row = dict(shared)
            row["object_id"] = str(instance.pk)
            row["object_label"] = str(instance)[:300]
            row["changes"] = json.dumps(diff(model, None, after), cls=encoders["changes"])
            row["snapshot"] = json.dumps(after, cls=encoders["snapshot"])
            copy.write_row([row[field.name] for field in fields])


def _fill_from_last_entries(model, items: list[Pending]) -> None:
    """Give changed objects without a before-state their last recorded snapshot, if any (two
    queries per chunk: the newest entry of each object, then those entries' snapshots)."""
    from audit.models import AuditEntry

    if not items:
        return
    entries = AuditEntry.objects.for_model(model)
    newest = {}
    for chunk in _chunks([str(pending.pk) for pending in items]):
        rows = (
            entries.filter(object_id__in=chunk)
            .order_by("object_id", "-at", "-pk")
            .values_list("object_id", "pk")
        )
        for object_id, entry_pk in rows:
            newest.setdefault(object_id, entry_pk)
    snapshots = {}
    for chunk in _chunks(list(newest.values())):
        snapshots.update(entries.filter(pk__in=chunk).values_list("pk", "snapshot"))
    for pending in items:
        entry_pk = newest.get(str(pending.pk))
        if entry_pk is not None:
            pending.before = snapshots[entry_pk]
            pending.exists_before = True
