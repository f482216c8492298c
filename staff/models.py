"""Who works for which district: the record behind a consulate editor's scope."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    """The consular districts (regions) a staff member works for.

    Only consulate editors are limited by it (see staff.access); HQ editors and viewers may
    hold regions too, as a note of where they sit, without it narrowing what they see.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    regions = models.ManyToManyField(
        "cases.Region",
        verbose_name=_("districts"),
        related_name="staff_profiles",
        blank=True,
        help_text=_("The consular districts this person works for."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return str(self.user)
