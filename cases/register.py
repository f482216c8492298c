"""The write service of the case register: every change to a case goes through here.

    from cases.register import cases
    cases.save(user, case, collections={"themes": [...], "partners": [[id, role], ...]})
    cases.submit(user, case); cases.publish(user, case); cases.publish(user, case, listed=False)
    cases.approve(user, revision); cases.reject(user, revision, "why")
    cases.unpublish(user, case); cases.delete(user, case); cases.restore(user, pk, version)

See `cases.workflow` for what every call promises. The bulk form, for imports and the demo
data, is `cases.save_many(user, [Change(case, collections), ...])`: the same rules and the same
rows, audit entries and figures as calling `cases.save()` for each, in a fixed number of
queries per call.
"""

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import connection, connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from audit import recorder, restoring
from cases import rules, tracking
from cases.figures import freshness
from cases.models import (
    REVIEWED,
    Case,
    CasePartner,
    CaseStatus,
    County,
    Jurisdiction,
    Publication,
    State,
)
from cases.search import document_of
from cases.workflow import Refused, Result, Workflow
from staff.roles import PUBLISH_CASE

__all__ = ["BulkResult", "Change", "Refused", "Result", "cases"]

# Rows per statement (and primary keys per `pk__in`) in the bulk form.
BATCH = 1000


@dataclass
class Change:
    """One record for the bulk form: the case as it should be (no pk: a new case) and, when
    given, its collections as `save()` takes them ({"themes": [ids], "partners": [[id, role]]})."""

    obj: Case
    collections: dict | None = None


@dataclass
class BulkResult:
    """What a bulk call wrote: the cases created and changed, those it found unchanged, and
    how many it deleted."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    deleted: int = 0


class CaseRegister(Workflow):
    model = Case
    publish_permission = PUBLISH_CASE
    fields = [
        "title_en",
        "title_ja",
        "summary_en",
        "summary_ja",
        "start_date",
        "end_date",
        "region",
        "state",
        "city_en",
        "city_ja",
        "format",
        "status",
        "participants",
        "is_best_practice",
    ]
    collections = {
        "themes": (
            lambda case: tracking.read_themes([case.pk]).get(case.pk, []),
            tracking.write_themes,
        ),
        "partners": (
            lambda case: tracking.read_partners([case.pk]).get(case.pk, []),
            tracking.write_partners,
        ),
    }

    def region_id(self, obj):
        return obj.region_id

    def preview_url(self, obj, revision=None) -> str:
        url = reverse("cases:preview", args=[obj.pk])
        return f"{url}?revision={revision.pk}" if revision is not None else url

    def is_reviewed(self, obj) -> bool:
        return obj.publication in REVIEWED

    def is_draft(self, obj) -> bool:
        return obj.publication == Publication.DRAFT

    def counts(self, obj) -> bool:
        return obj.status == CaseStatus.HELD and obj.publication in REVIEWED

    def before_save(self, user, obj, live) -> None:
        if obj.pk is None and user is not None:
            obj.created_by = user
        if user is not None:
            obj.updated_by = user
        if (live is not None and obj.is_public != live.is_public) or (
            live is None and obj.is_public
        ):
            # Publishing or withdrawing through the flag is HQ's (the admin shows the flag as a
            # field to publishers only); publishing says by whom.
            self.check_publish(user)
            if obj.is_public:
                obj.published_at, obj.published_by = timezone.now(), user

    # --- the bulk form ---------------------------------------------------------------------

    def save_many(
        self,
        user,
        changes,
        *,
        approve: bool = False,
        delete=(),
        validate: bool = True,
        source: str = "import",
        note: str = "",
        sets: bool | None = None,
    ) -> BulkResult:
        """Create or change many cases (and delete `delete`, cases or ids) in one unit of work,
        with what `save()` gives each: the same checks, the full rules (district included),
        the same stamps and derived fields, one audit entry per case and the figures counted
        again in the same transaction. The queries do not grow with the number of cases.

        A change that `save()` would make a pending revision (a reviewed case, for someone
        who may not publish) is refused here: one by one, in the admin, it goes to HQ.
        `approve` (publishers only) makes every written case that HQ has not reviewed yet
        approved (counted) by `user`: an import by HQ is a reviewed write. A case listed twice,
        or unchanged (fields and collections), is written once or not at all.

        On PostgreSQL (`sets`, None: by the database) the new cases and the theme and partner
        rows are written in sets: staged with COPY in temporary tables and moved into the
        register's tables with one INSERT … SELECT each, the new cases' ids drawn from their
        sequence first, and their audit entries made from the rows staged instead of read
        back. Elsewhere bulk_create writes them. Both give the same rows, entries and figures
        (tests/test_import_in_sets.py).
        """
        if sets is None:
            sets = connection.vendor == "postgresql"
        if approve:
            self.check_publish(user)
        changes, live, doomed = self._read_bulk(changes, delete)
        self._check_many(user, changes, live, doomed)
        if validate:
            self.validate_many([change.obj for change in changes])

        current = self._collections_of(list(live))
        result = BulkResult(deleted=len(doomed))
        with self.unit(user, source, note):
            groups = self._sort_changes(user, changes, live, current, result, approve=approve)
            created = [change.obj for change in result.created]
            updated = [change.obj for change in result.updated]
            audit_before = recorder.snapshot_many([live[obj.pk] for obj in updated])
            if sets:
                _stage_new_cases(created)
            else:
                Case.objects.bulk_create(created, batch_size=BATCH)
            if updated:
                Case.objects.bulk_update(updated, _UPDATED_FIELDS, batch_size=BATCH)
            self._write_collections(result.created + result.updated, current, sets=sets)
            if not updated and not doomed:
                # Only new cases: added to the tallies as written, no group counted again.
                counted = [change for change in result.created if self.counts(change.obj)]
                freshness.cases_added(_counted_collections(counted))
            if sets:
                recorder.record_written(created, _new_collections(result.created))
            else:
                recorder.record_bulk("create", created)
            recorder.record_bulk("change", updated, before=audit_before)
            if updated or doomed:
                groups.update((obj.fiscal_year, obj.region_id) for obj in doomed)
                for start in range(0, len(doomed), BATCH):
                    # A deletion goes through the model's signals (its audit entry, its
                    # partner rows): rare in a bulk call (the demo data's retired cases).
                    chunk = doomed[start : start + BATCH]
                    Case.objects.filter(pk__in=[o.pk for o in chunk]).delete()
                freshness.groups_changed(groups)
        result.created, result.updated, result.unchanged = (
            created,
            updated,
            [change.obj for change in result.unchanged],
        )
        return result

    def _read_bulk(self, changes, delete) -> tuple[list[Change], dict, list]:
        """The changes as Change objects, the live cases they change (by id) and the cases to
        delete, each read in one query."""
        changes = [c if isinstance(c, Change) else Change(c) for c in changes]
        refs = [change.obj.pk for change in changes if change.obj.pk is not None]
        if len(set(refs)) != len(refs):
            raise ValueError("save_many() takes each case once.")
        live = self._in_bulk(refs)
        doomed = list(self._in_bulk([getattr(d, "pk", d) for d in delete]).values())
        return changes, live, doomed

    def _check_many(self, user, changes, live, doomed) -> None:
        """What `save()` and `delete()` check, for every case of a bulk call, before anything
        is written; a reviewed case that `user` may not publish is refused (in the admin it
        would become a pending revision)."""
        for change in changes:
            obj = change.obj
            before = live.get(obj.pk)
            self.check(user, obj, "add" if before is None else "change")
            if before is not None:
                self.check(user, before, "change")
                if self.needs_review(user, before):
                    raise Refused(_review_message())
        for obj in doomed:
            self.check(user, obj, "delete")
            if self.needs_review(user, obj):
                raise Refused(_review_message())

    def _sort_changes(self, user, changes, live, current, result, *, approve) -> set:
        """Stamp each case as `save()` would and sort it into created, updated or unchanged;
        returns the (fiscal year, district) groups whose figures the writes change."""
        groups = set()
        now = timezone.now()
        for change in changes:
            obj, before = change.obj, live.get(change.obj.pk)
            self.before_save(user, obj, before)
            obj.fiscal_year = rules.fiscal_year_of(obj.start_date)
            if approve and obj.publication not in REVIEWED:
                obj.publication = Publication.APPROVED
                obj.published_at, obj.published_by = now, user
            obj._align_publication()
            obj.search_document = document_of(obj)
            # The tags go with the case's row: the themes given, or those it has.
            wanted = change.collections or {}
            if "themes" in wanted:
                themes = wanted["themes"] or []
            else:
                themes = [] if before is None else current["themes"].get(obj.pk, [])
            obj.theme_tags = rules.theme_tags(themes)
            if before is None:
                result.created.append(change)
            elif _differs(obj, before) or self._collections_differ(change, current):
                obj.updated_at = now  # bulk_update leaves auto_now alone
                result.updated.append(change)
                groups.add((before.fiscal_year, before.region_id))
            else:
                result.unchanged.append(change)
                continue
            groups.add((obj.fiscal_year, obj.region_id))
        return groups

    def validate_many(self, objs) -> None:
        """`validate()` for many cases, with the districts, split states, states and counties
        read once instead of once a case. Raises ValidationError naming the case."""
        districts, split = _districts_and_split_states()
        _attach_places(objs)
        foreign_keys = [f.name for f in Case._meta.concrete_fields if f.many_to_one]
        for obj in objs:
            obj.known_district = districts.get(obj.region_id, set())
            obj.known_split_states = split
            try:
                # Foreign keys and unique constraints are the database's to refuse (in the
                # same transaction): checking each here would cost a query a case.
                obj.full_clean(
                    exclude=foreign_keys, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                raise ValidationError(
                    gettext("%(case)s: %(errors)s")
                    % {"case": obj.title, "errors": "; ".join(error.messages)}
                ) from None
            finally:
                del obj.known_district, obj.known_split_states

    def _in_bulk(self, pks) -> dict:
        found = {}
        pks = [pk for pk in pks if pk is not None]
        for start in range(0, len(pks), BATCH):
            found.update(Case._base_manager.in_bulk(pks[start : start + BATCH]))
        return found

    def _collections_of(self, pks) -> dict:
        """name -> {pk: rows} of the cases' collections as the database holds them."""
        current = {"themes": {}, "partners": {}}
        for start in range(0, len(pks), BATCH):
            chunk = pks[start : start + BATCH]
            current["themes"].update(tracking.read_themes(chunk))
            current["partners"].update(tracking.read_partners(chunk))
        return current

    def _collections_differ(self, change, current) -> bool:
        wanted = change.collections or {}
        pk = change.obj.pk
        return (
            "themes" in wanted and sorted(wanted["themes"]) != current["themes"].get(pk, [])
        ) or (
            "partners" in wanted
            and _partner_rows(wanted["partners"]) != _partner_rows(current["partners"].get(pk, []))
        )

    def _write_collections(self, changes, current, *, sets: bool = False) -> None:
        """Themes and partner rows as the changes give them, in set-based statements: an
        unchanged theme or (partner, role) keeps its row. New rows are staged with COPY and
        inserted with INSERT … SELECT (`sets`), or bulk-created."""
        through = Case.themes.through
        theme_links, partner_links, stale_themes, stale_partners = [], [], [], []
        for change in changes:
            wanted, pk = change.collections or {}, change.obj.pk
            if "themes" in wanted:
                want, have = set(wanted["themes"]), set(current["themes"].get(pk, []))
                theme_links += [(pk, t) for t in sorted(want - have)]
                stale_themes += [(pk, t) for t in sorted(have - want)]
            if "partners" in wanted:
                want = set(_partner_rows(wanted["partners"]))
                have = set(_partner_rows(current["partners"].get(pk, [])))
                partner_links += [(pk, p, r) for p, r in sorted(want - have)]
                stale_partners += [(pk, p, r) for p, r in sorted(have - want)]
        # Raw deletes: like the inserts, the history and the figures hear of them once, above.
        for start in range(0, len(stale_themes), BATCH):
            rows = through.objects.filter(
                _any(Q(case_id=c, theme_id=t) for c, t in stale_themes[start : start + BATCH])
            )
            rows._raw_delete(rows.db)
        for start in range(0, len(stale_partners), BATCH):
            chunk = stale_partners[start : start + BATCH]
            rows = CasePartner.objects.filter(
                _any(Q(case_id=c, partner_id=p, role=r) for c, p, r in chunk)
            )
            rows._raw_delete(rows.db)
        if sets:
            _copy_insert(through, ["case_id", "theme_id"], theme_links)
            _copy_insert(CasePartner, ["case_id", "partner_id", "role"], partner_links)
            return
        through.objects.bulk_create(
            [through(case_id=c, theme_id=t) for c, t in theme_links], batch_size=BATCH
        )
        CasePartner.objects.bulk_create(
            [CasePartner(case_id=c, partner_id=p, role=r) for c, p, r in partner_links],
            batch_size=BATCH,
        )

    def restore(self, user, pk, version: dict, *, current=None):
        """Bring back a version (of a case, or a deleted case), if the user may: the district,
        and publish rights when the version would change what is published."""
        probe = Case(region_id=version.get("region"))
        self.check(user, probe, "add" if current is None else "change")
        present = None if current is None else restoring.recorder.snapshot(current)
        if restoring.changes_publication(Case, version, present) and not self.may_publish(user):
            raise Refused(_restore_message())
        with self.unit(user):
            return restoring.restore(Case, pk, version, user=user, current=current)

    def may_restore(self, user, version: dict, current=None) -> bool:
        try:
            probe = Case(region_id=version.get("region"))
            self.check(user, probe, "add" if current is None else "change")
        except Refused:
            return False
        present = None if current is None else restoring.recorder.snapshot(current)
        return not restoring.changes_publication(Case, version, present) or self.may_publish(user)


# What the bulk form writes of a changed case: everything but its key and its creation.
_UPDATED_FIELDS = [
    f.name
    for f in Case._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "created_by")
]


def _differs(obj, live) -> bool:
    return any(
        getattr(obj, name) != getattr(live, name)
        for name in (f.attname for f in Case._meta.concrete_fields)
        if name not in ("updated_at", "updated_by_id")
    )


def _stage_new_cases(objs) -> None:
    """Write new cases as bulk_create would, in sets (PostgreSQL): their ids drawn from the
    table's sequence in one query, the rows staged with COPY and inserted with one INSERT …
    SELECT. The stamps (created_at, updated_at) are set on the objects as save() sets them."""
    if not objs:
        return
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    fields = Case._meta.concrete_fields
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    database = connections[connection.alias]
    prepared = [(f.attname, sent_as_is(f), f.get_db_prep_save) for f in fields]
    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for f in stamped:
            f.pre_save(obj, add=True)
        values = obj.__dict__
        row = []
        for attname, plain, prepare in prepared:
            value = values[attname]
            row.append(
                value
                if value is None or type(value) is plain
                else prepare(value, connection=database)
            )
        rows.append(row)
        obj._state.adding, obj._state.db = False, connection.alias
    _copy_insert(Case, [f.column for f in fields], rows)


def sent_as_is(field) -> type | None:
    """The Python type whose values a built-in field sends to the database as they are (its
    get_db_prep_save returns them unchanged and psycopg adapts them itself), or None when
    every value must be prepared. Only Django's own field classes, matched exactly: a field
    of our own may prepare any value. Preparing the 31 fields of 10,000 new cases one call
    at a time was a tenth of a large import."""
    if field.is_relation:
        return sent_as_is(field.target_field)
    return _AS_IS.get(type(field))


_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.AutoField: int,
    models.BigAutoField: int,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
}


def _copy_insert(model, columns: list[str], rows: list) -> None:
    """Stage rows (values in `columns`' order) with COPY in a temporary table of the model's
    columns, then move them into the model's table with one INSERT … SELECT, where its keys,
    constraints and indexes check them together."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    stage = quote(f"staged_{model._meta.db_table}")
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}")
        cursor.execute(f"DROP TABLE {stage}")


def _new_collections(changes) -> dict[str, dict]:
    """The themes and partner rows of new cases as the database now holds them (what
    tracking.read_themes and read_partners would read back), by collection name and pk."""
    themes, partners = {}, {}
    for change in changes:
        wanted, pk = change.collections or {}, change.obj.pk
        themes[pk] = sorted(set(wanted.get("themes") or []))
        partners[pk] = [[p, r] for p, r in sorted(set(_partner_rows(wanted.get("partners"))))]
    return {"themes": themes, "partners": partners}


def _counted_collections(changes) -> list[tuple]:
    """(case, theme ids, partner rows) of new cases, as `tallies.add` takes them."""
    return [
        (
            change.obj,
            (change.collections or {}).get("themes") or [],
            (change.collections or {}).get("partners") or [],
        )
        for change in changes
    ]


def _partner_rows(rows) -> list:
    return sorted((int(partner), role) for partner, role in rows or [])


def _any(conditions) -> Q:
    return reduce(operator.or_, conditions)


def _review_message() -> str:
    return gettext(
        "This case has been reviewed by HQ; change it in the admin, where the change goes to "
        "HQ for review."
    )


def _restore_message() -> str:
    return gettext("Only HQ editors may restore a version that changes what is published.")


cases = CaseRegister()


def _districts_and_split_states() -> tuple[dict[int, set[str]], set[str]]:
    """Each district's states (USPS codes) by region id, and the states two districts share,
    in one query."""
    districts: dict = {}
    held_by: dict = {}
    for region_id, code in Jurisdiction.objects.values_list("region_id", "state__code"):
        districts.setdefault(region_id, set()).add(code)
        held_by[code] = held_by.get(code, 0) + 1
    return districts, {code for code, count in held_by.items() if count > 1}


def _attach_places(objs) -> None:
    """Give each case its state and county objects, read once for all of them."""
    states = State.objects.in_bulk({o.state_id for o in objs if o.state_id})
    counties = County.objects.select_related("state", "region").in_bulk(
        {o.county_id for o in objs if o.county_id}
    )
    for obj in objs:
        if obj.state_id:
            obj.state = states.get(obj.state_id) or obj.state
        if obj.county_id:
            obj.county = counties.get(obj.county_id) or obj.county
