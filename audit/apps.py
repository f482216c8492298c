"""The audit app: who changed what, when, from where; restoring earlier versions; export log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit history")
    default_auto_field = "django.db.models.BigAutoField"
    # Each app tells the recorder which of its models to track (audit.tracking.track) in its
    # own ready(): this app names none of the apps above it.
