"""Revisions: changes to reviewed records waiting for HQ's review."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models.reference import Region
from grassroots.language import pick


class RevisionKind(models.TextChoices):
    SUBMIT = "submit", _("New record")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Deletion")


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    # A rejected submission goes back to its author (差し戻し): not the importer's rejected row.
    REJECTED = "rejected", pgettext_lazy("revision status", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        """Revisions waiting for HQ's review, oldest first."""
        return self.filter(status=RevisionStatus.PENDING).order_by("submitted_at", "pk")

    def of(self, obj):
        """The revisions of one case or showcase page."""
        content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=obj.pk)


class Revision(models.Model):
    """A change to a reviewed case or showcase page, made by someone who may not publish, kept
    aside until HQ approves or rejects it; or a new record submitted for review; or a request
    to delete a reviewed record. The public and the figures keep the live version meanwhile.

    `data` holds the proposed values of the record's editable fields (JSON, foreign keys by
    id; for a case also `themes` and `partners`), as `cases.workflow` snapshots them.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("kind of record"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    object_label = models.CharField(_("record"), max_length=300)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RevisionKind)
    status = models.CharField(
        _("status"), max_length=10, choices=RevisionStatus, default=RevisionStatus.PENDING
    )
    data = models.JSONField(_("proposed values"), default=dict, blank=True)
    counts_now = models.BooleanField(_("counted now"), default=False, editable=False)
    counts_after = models.BooleanField(_("counted after"), default=False, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    comment = models.TextField(
        _("reviewer's comment"),
        blank=True,
        help_text=_(
            "Why the revision was rejected (or a note on its approval); the submitter sees it."
        ),
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("revision for review")
        verbose_name_plural = _("review queue")
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="revision_queue_idx"),
            models.Index(fields=["content_type", "object_id"], name="revision_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values), name="revision_status_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RevisionKind.values), name="revision_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def title(self) -> str:
        """The record's title in the active language (its Japanese title in a Japanese admin),
        from the revision's values, else the other language's, else the label kept when it
        was submitted."""
        data = self.data or {}
        return str(pick(data.get("title_en"), data.get("title_ja"))) or self.object_label

    @property
    def is_pending(self) -> bool:
        return self.status == RevisionStatus.PENDING

    @property
    def model(self):
        return self.content_type.model_class()

    def record(self):
        """The live record, or None once it is gone."""
        return self.model._base_manager.filter(pk=self.object_id).first()

    @property
    def figure_effect(self) -> int:
        """+1, 0 or -1: how approving this revision would move the official total."""
        return int(self.counts_after) - int(self.counts_now)

    @classmethod
    def pending_figure_effect(cls) -> int:
        """The sum of figure_effect over the pending changes and deletions (one query). A
        submitted new record's effect is read from the record itself
        (`Case.objects.pending_review()`), which stays submitted until HQ decides."""
        rows = (
            cls.objects.filter(status=RevisionStatus.PENDING)
            .exclude(kind=RevisionKind.SUBMIT)
            .exclude(counts_now=models.F("counts_after"))
        )
        return sum(
            int(after) - int(now) for now, after in rows.values_list("counts_now", "counts_after")
        )


# The figures' pre-aggregated tallies are models of this app, defined with the figures core.
from cases.figures.models import (  # noqa: E402, F401
    CaseTally,
    FigureChange,
    ThemeTally,
    ThemeYearTally,
)
