"""The audit app: who changed what, when, from where; restoring earlier versions; export log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit history")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the signal receivers that record every tracked model's changes.
        from audit import signals  # noqa: F401
