"""Telling the recorder which models to track: each app registers its own in its ready().

The audit app sits below the apps whose objects it records, so it names none of them; an app
calls `track(Model)` for each model whose history staff should see, with the collections of
related rows that belong in the model's snapshot (`recorder.Collection`), and, for models kept
by district, the snapshot key holding the region id.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from audit import recorder, signals
from audit.recorder import Collection

__all__ = ["Collection", "track"]


def track(
    model, collections: dict[str, Collection] | None = None, *, region_key: str = ""
) -> None:
    """Record every save and delete of `model`'s objects as audit entries."""
    label = model._meta.label_lower
    recorder.add_tracked(model, collections or {}, region_key)
    uid = f"audit-{label}"
    pre_save.connect(signals.before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
    post_save.connect(signals.after_save, sender=model, dispatch_uid=f"{uid}-post-save")
    pre_delete.connect(signals.before_delete, sender=model, dispatch_uid=f"{uid}-pre-delete")
    post_delete.connect(signals.after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")
