from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")


class PortalAdminConfig(AdminConfig):
    """Django's admin with the portal's site: the same registry, plus a Reports section."""

    default_site = "reports.site.PortalAdminSite"
