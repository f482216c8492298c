"""Signal handlers that keep the tallies and the generation current on ordinary writes.

Saves and deletes of cases (the admin, the publishing workflow, the shell) and changes to a
case's themes come through here. Writers that bypass signals call
`cases.figures.freshness.cases_changed()` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from cases.figures import freshness
from cases.models import (
    Case,
    CasePartner,
    County,
    Jurisdiction,
    Partner,
    PublishedFigure,
    Region,
    State,
    Theme,
)


def _case_saving(sender, instance, raw=False, **kwargs):
    """Remember the group the case was in, so moving it to another year or region recounts
    both the group it leaves and the group it joins."""
    if raw or instance.pk is None:
        instance._tally_group_before = None
        return
    instance._tally_group_before = (
        Case.objects.filter(pk=instance.pk).values_list("fiscal_year", "region_id").first()
    )


def _case_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures: loaddata is followed by rebuild_tallies
        freshness.cases_changed()
        return
    groups = {(instance.fiscal_year, instance.region_id)}
    before = getattr(instance, "_tally_group_before", None)
    if before:
        groups.add(before)
    freshness.groups_changed(groups)


def _case_deleted(sender, instance, **kwargs):
    freshness.groups_changed({(instance.fiscal_year, instance.region_id)})


def _themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        # The case's own themes; counted after the change.
        freshness.groups_changed({(instance.fiscal_year, instance.region_id)})
        return
    # theme.cases.add(...)/remove(...): the cases are known; a clear from the theme side is not,
    # so everything is counted again.
    if action == "post_clear":
        freshness.cases_changed()
    elif pk_set:
        groups = Case.objects.filter(pk__in=pk_set).values_list("fiscal_year", "region_id")
        freshness.groups_changed(set(groups))


def _partner_role_changed(sender, instance, raw=False, **kwargs):
    """A partner added to or removed from a case: its group's partner-kind tally moves."""
    if raw:
        freshness.cases_changed()
        return
    freshness.groups_changed(
        set(Case.objects.filter(pk=instance.case_id).values_list("fiscal_year", "region_id"))
    )


def _partner_saving(sender, instance, raw=False, **kwargs):
    instance._kind_before = (
        None
        if raw or instance.pk is None
        else Partner.objects.filter(pk=instance.pk).values_list("kind", flat=True).first()
    )


def _partner_saved(sender, instance, raw=False, **kwargs):
    """A partner of another kind: the groups of its cases count it under the new kind."""
    before = getattr(instance, "_kind_before", None)
    if raw or before is None or before == instance.kind:
        return
    groups = CasePartner.objects.filter(partner_id=instance.pk).values_list(
        "case__fiscal_year", "case__region_id"
    )
    freshness.groups_changed(set(groups))


def _reference_changed(sender, raw=False, **kwargs):
    freshness.reference_changed()


def connect() -> None:
    pre_save.connect(_case_saving, sender=Case, dispatch_uid="tally-case-saving")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="tally-case-saved")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="tally-case-deleted")
    m2m_changed.connect(
        _themes_changed, sender=Case.themes.through, dispatch_uid="tally-case-themes"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            _partner_role_changed, sender=CasePartner, dispatch_uid="tally-case-partner"
        )
    pre_save.connect(_partner_saving, sender=Partner, dispatch_uid="tally-partner-saving")
    post_save.connect(_partner_saved, sender=Partner, dispatch_uid="tally-partner-saved")
    # Names of the reference data and partners appear on cached pages too.
    for model in (
        Region,
        State,
        Theme,
        Jurisdiction,
        County,
        PublishedFigure,
        Partner,
        CasePartner,
    ):
        watch(model)


def watch(model) -> None:
    """Move every cached page on when an object of `model` is saved or deleted: for models of
    apps above this one whose data cached pages show (showcase pages link from case pages)."""
    for signal in (post_save, post_delete):
        signal.connect(_reference_changed, sender=model, dispatch_uid=f"figures-{model.__name__}")
