"""Signal receivers: each tracked object's pre-signal keeps its before-state, the post-signal
marks it changed (see audit.recorder for how the two become one entry).

Partner rows and themes belong to their case: their changes are folded into the case's entry.
Fixture loading (raw saves) is not recorded: reference data loaded at set-up has no author.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from audit import recorder
from cases.models import Case, CasePartner


def _before_save(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        recorder.touch(sender, instance.pk)


def _after_save(sender, instance, created, raw=False, **kwargs):
    if not raw:
        recorder.changed(sender, instance.pk, recorder.CREATE if created else recorder.CHANGE)


def _before_delete(sender, instance, **kwargs):
    recorder.touch(sender, instance.pk)


def _after_delete(sender, instance, **kwargs):
    recorder.changed(sender, instance.pk, recorder.DELETE)


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


for model in recorder.tracked_models():
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"audit-pre-save-{model}")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"audit-post-save-{model}")
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"audit-pre-delete-{model}")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit-post-delete-{model}")

pre_save.connect(_partner_row_before, sender=CasePartner, dispatch_uid="audit-cp-pre-save")
pre_delete.connect(_partner_row_before, sender=CasePartner, dispatch_uid="audit-cp-pre-delete")
post_save.connect(_partner_row_after, sender=CasePartner, dispatch_uid="audit-cp-post-save")
post_delete.connect(_partner_row_after, sender=CasePartner, dispatch_uid="audit-cp-post-delete")
for through in (Case.themes.through, CasePartner):
    m2m_changed.connect(
        _case_collection_changed, sender=through, dispatch_uid=f"audit-m2m-{through}"
    )
