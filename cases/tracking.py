"""The register's history: which of its models the audit trail tracks, and how a case's
themes and partner rows are kept in its snapshot and folded into its entries.

Partner rows and themes belong to their case: their changes are folded into the case's entry
(the receivers below), kept in its snapshot (the collections) and written back by a restore.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext as _

from audit import recorder
from audit.tracking import Collection, track
from cases.models import (
    Case,
    CasePartner,
    County,
    Jurisdiction,
    Office,
    Partner,
    PartnerRole,
    PublishedFigure,
    Region,
    State,
    Theme,
    tagged,
)
from cases.rules import theme_tags

# --- a case's collections -----------------------------------------------------------------------


def read_themes(pks: list) -> dict:
    # The through table directly: the same ids as `case.themes` without joining the themes.
    themes: dict = {}
    rows = Case.themes.through.objects.filter(case_id__in=pks).order_by()
    for pk, theme_id in rows.values_list("case_id", "theme_id"):
        themes.setdefault(pk, []).append(theme_id)
    return {pk: sorted(ids) for pk, ids in themes.items()}


def _check_themes(ids: list) -> list[str]:
    wanted = set(ids or [])
    found = set(Theme.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    return [_("A theme of this version has been deleted since.")] if wanted - found else []


def write_themes(case, ids: list) -> None:
    """Make the case's themes exactly `ids`, and its `theme_tags` with them (a set() that
    changes nothing sends no signal, but the tags of an older version may differ)."""
    case.themes.set(ids or [])
    tags = theme_tags(ids or [])
    if case.theme_tags != tags:
        Case._base_manager.filter(pk=case.pk).update(theme_tags=tags)
        case.theme_tags = tags


def retag(pks) -> None:
    """Write `theme_tags` of these cases again from the (case, theme) table: one query to
    read, and one UPDATE for each distinct set of themes that differs from what is stored."""
    pks = sorted(set(pks))
    for start in range(0, len(pks), recorder.CHUNK):
        chunk = pks[start : start + recorder.CHUNK]
        themes = read_themes(chunk)
        stored = Case._base_manager.filter(pk__in=chunk).values_list("pk", "theme_tags")
        stale: dict[str, list] = {}
        for pk, tags in stored:
            wanted = theme_tags(themes.get(pk, []))
            if tags != wanted:
                stale.setdefault(wanted, []).append(pk)
        for tags, stale_pks in stale.items():
            Case._base_manager.filter(pk__in=stale_pks).update(theme_tags=tags)


def _themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A case's themes changed through the ORM (`case.themes.set(...)`, `theme.cases.add(...)`):
    its `theme_tags` follow. The register's bulk form writes the tags with the rows."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        tags = theme_tags(read_themes([instance.pk]).get(instance.pk, []))
        Case._base_manager.filter(pk=instance.pk).exclude(theme_tags=tags).update(theme_tags=tags)
        instance.theme_tags = tags
    elif action == "post_clear":
        # The theme's cases are gone from the table: those whose tags still name it.
        _retag_named(instance)
    else:
        retag(pk_set or ())


def _theme_deleted(sender, instance, **kwargs):
    """A deleted theme's rows went with it (CASCADE): the tags of its cases no longer name it."""
    _retag_named(instance)


def _retag_named(theme) -> None:
    """Retag the cases whose tags name `theme`."""
    retag(Case._base_manager.filter(tagged([theme.pk])).values_list("pk", flat=True))


def read_partners(pks: list) -> dict:
    partners: dict = {}
    rows = CasePartner.objects.filter(case_id__in=pks).order_by()
    for pk, partner_id, role in rows.values_list("case_id", "partner_id", "role"):
        partners.setdefault(pk, []).append([partner_id, role])
    return {pk: sorted(rows) for pk, rows in partners.items()}


def _check_partners(rows: list) -> list[str]:
    rows = rows or []
    problems = []
    wanted = {partner_id for partner_id, _role in rows}
    found = set(Partner.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        problems.append(_("A partner of this version has been deleted since."))
    if any(role not in PartnerRole.values for _partner, role in rows):
        problems.append(_("A partner role of this version no longer exists."))
    return problems


def write_partners(case, rows: list) -> None:
    """Make the case's partner rows exactly `rows` ([partner id, role] pairs)."""
    wanted = {(int(partner_id), role) for partner_id, role in rows or []}
    current = {(row.partner_id, row.role): row for row in case.partner_roles.all()}
    for pair, row in current.items():
        if pair not in wanted:
            row.delete()
    for partner_id, role in sorted(wanted - set(current)):
        CasePartner.objects.create(case=case, partner_id=partner_id, role=role)


CASE_COLLECTIONS = {
    "themes": Collection(read=read_themes, check=_check_themes, write=write_themes),
    "partners": Collection(read=read_partners, check=_check_partners, write=write_partners),
}


# --- partner rows and themes fold into their case's entry ----------------------------------------


def _deleting_a_case(origin) -> bool:
    """Whether a deletion started from a case (or cases): its partner rows go with it, and the
    case's own delete entry already keeps them."""
    model = getattr(origin, "model", None) or type(origin)
    return model is Case


def _partner_row_before(sender, instance, raw=False, origin=None, **kwargs):
    if raw or _deleting_a_case(origin):
        return
    if instance.case_id is not None:
        recorder.touch(Case, instance.case_id)
        # A row moved from one case to another changes both.
        if instance.pk is not None and kwargs.get("signal") is pre_save:
            previous = CasePartner.objects.filter(pk=instance.pk).values_list("case_id", flat=True)
            for case_id in previous:
                if case_id != instance.case_id:
                    recorder.touch(Case, case_id)
                    recorder.changed(Case, case_id)


def _partner_row_after(sender, instance, raw=False, origin=None, **kwargs):
    if raw or _deleting_a_case(origin) or instance.case_id is None:
        return
    recorder.changed(Case, instance.case_id)


def _case_collection_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Themes or partners added, removed or cleared, from either side of the relation."""
    if isinstance(instance, Case):
        case_ids = [instance.pk]
    elif action == "pre_clear":
        case_ids = list(
            sender.objects.filter(**{_other_side(sender): instance.pk}).values_list(
                "case_id", flat=True
            )
        )
        instance._audit_cleared_case_ids = case_ids
    elif action == "post_clear":
        case_ids = getattr(instance, "_audit_cleared_case_ids", [])
    else:
        case_ids = list(pk_set or ())
    for case_id in case_ids:
        if action.startswith("pre_"):
            recorder.touch(Case, case_id)
        else:
            recorder.changed(Case, case_id)


def _other_side(through) -> str:
    """The through model's foreign key that is not the case (theme or partner)."""
    for field in through._meta.concrete_fields:
        if field.is_relation and field.related_model is not Case:
            return field.attname
    raise LookupError(through)


def connect() -> None:
    """Track the register's models (called from the app's ready())."""
    track(Case, CASE_COLLECTIONS, region_key="region")
    for model in (Partner, Region, Office, State, Jurisdiction, County, Theme, PublishedFigure):
        track(model)
    pre_save.connect(_partner_row_before, sender=CasePartner, dispatch_uid="audit-cp-pre-save")
    pre_delete.connect(_partner_row_before, sender=CasePartner, dispatch_uid="audit-cp-pre-delete")
    post_save.connect(_partner_row_after, sender=CasePartner, dispatch_uid="audit-cp-post-save")
    post_delete.connect(
        _partner_row_after, sender=CasePartner, dispatch_uid="audit-cp-post-delete"
    )
    m2m_changed.connect(_themes_changed, sender=Case.themes.through, dispatch_uid="theme-tags")
    post_delete.connect(_theme_deleted, sender=Theme, dispatch_uid="theme-tags-theme-deleted")
    for through in (Case.themes.through, CasePartner):
        m2m_changed.connect(
            _case_collection_changed, sender=through, dispatch_uid=f"audit-m2m-{through}"
        )
