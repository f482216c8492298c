from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demonstration data set and `manage.py load_demo`; no models of its own."""

    name = "demo"
    verbose_name = _("Demonstration data")
