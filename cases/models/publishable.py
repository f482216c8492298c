"""Publishing: the workflow's vocabulary (`Publication`, `REVIEWED`, `WorkflowError`) and the
abstract model that holds its state, `Publishable`, which cases and showcase pages both
inherit (their admin side is shared too: `cases.publishing.PublishingAdmin`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Publication(models.TextChoices):
    """Where a record stands in the publishing workflow: draft → submitted → approved or
    published.

    Only the two reviewed states count in the figures: *approved* (counted, not listed: a held
    case HQ has reviewed but that the public site does not list) and *published* (counted and
    listed). `Case.is_public` stays the flag every public query reads; a database constraint
    makes sure it is only ever set on a published case.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved (counted, not listed)")
    PUBLISHED = "published", _("Published")


# The states HQ has reviewed: the figures count a held case in one of them.
REVIEWED = (Publication.APPROVED, Publication.PUBLISHED)


class WorkflowError(Exception):
    """A publishing step that does not apply to an object in its present state."""


class Publishable(models.Model):
    """A record's place in the publishing workflow: its state and who submitted and published
    it, when. The fields are declared as a case has them; a showcase page declares its own
    `publication` and `published_at` (see `showcase.models.ShowcasePage`).

    The steps change the instance and, with `save=True`, save only `WORKFLOW_FIELDS` (so
    history sees one change). Whether the user may take a step is the caller's check (the
    register, `cases.workflow`). A subclass extends `WORKFLOW_FIELDS` with the other fields its
    steps write and `_stamp` with what it records about the change.
    """

    publication = models.CharField(
        _("publication"),
        max_length=10,
        choices=Publication,
        default=Publication.DRAFT,
        editable=False,
        help_text=_("Consulate editors submit a case for review; HQ editors publish it."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    WORKFLOW_FIELDS = [
        "publication",
        "submitted_at",
        "submitted_by",
        "published_at",
        "published_by",
    ]

    class Meta:
        abstract = True

    def submit_for_review(self, user, *, save: bool = True) -> None:
        """Draft → submitted for review."""
        if self.publication != Publication.DRAFT:
            raise WorkflowError(_("Only a draft can be submitted for review."))
        self.publication = Publication.SUBMITTED
        self.submitted_at, self.submitted_by = timezone.now(), user
        self._stamp(user, save)

    def _stamp(self, user, save: bool) -> None:
        if save:
            self.save(update_fields=self.WORKFLOW_FIELDS)
