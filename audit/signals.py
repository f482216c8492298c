"""Signal receivers: each tracked object's pre-signal keeps its before-state, the post-signal
marks it changed (see audit.recorder for how the two become one entry). `audit.tracking.track`
connects them for each model an app registers.

Fixture loading (raw saves) is not recorded: reference data loaded at set-up has no author.
"""

from audit import recorder


def before_save(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        recorder.touch(sender, instance.pk)


def after_save(sender, instance, created, raw=False, **kwargs):
    if not raw:
        recorder.changed(sender, instance.pk, recorder.CREATE if created else recorder.CHANGE)


def before_delete(sender, instance, **kwargs):
    recorder.touch(sender, instance.pk)


def after_delete(sender, instance, **kwargs):
    recorder.changed(sender, instance.pk, recorder.DELETE)
