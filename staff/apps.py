from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        # The groups must exist on every database, a fresh test database included, without
        # anyone having to remember a command; ensure_roles() is idempotent.
        post_migrate.connect(_ensure_roles_after_migrate, sender=self)


def _ensure_roles_after_migrate(sender, using="default", **kwargs):
    from staff.roles import ensure_roles

    ensure_roles(using=using)
