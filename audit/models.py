"""Audit entries (what happened to a tracked object) and the export log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", _("Restored")


class Source(models.TextChoices):
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    COMMAND = "command", _("Command")
    SHELL = "shell", _("Shell or script")
    WEB = "web", _("Other web request")


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, model, object_id):
        """The entries of one object (also after it was deleted), newest first."""
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=str(object_id)).order_by(
            "-at", "-pk"
        )

    def for_model(self, model):
        """The entries of every object of a model."""
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        return self.filter(content_type=content_type)


class AuditEntry(models.Model):
    """One create, change, delete or restore of a tracked object.

    `changes` maps a field name to [old, new] (JSON values, foreign keys by id); `snapshot` is
    the object's full state after the action (for a delete, the state before), which is what
    a restore brings back. Entries are written by the recorder and never edited.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("model"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too, so the entry still says who once the account is deleted.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_action_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_label}"

    @property
    def model(self):
        return self.content_type.model_class()


class ExportLog(models.Model):
    """A report or data export made by a staff member: who, what, which filters, how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_('What was exported, e.g. "report.xlsx".')
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")

    def __str__(self):
        return f"{self.kind} ({self.username})"
