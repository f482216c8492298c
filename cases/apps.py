from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case register")

    def ready(self):
        from cases import search, tracking
        from cases.figures import signals

        signals.connect()
        tracking.connect()
        search.connect()
        post_migrate.connect(search.fill_missing, sender=self, dispatch_uid="search-fill-missing")
