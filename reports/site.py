"""The staff application's site: Django's admin with a "Reports" section.

Staff look for reports where they look for everything else: the admin index and its side
navigation. The section is not a model, so `get_app_list()` adds it by hand, first, for anyone
who may read cases; each entry is one report view under /admin/reports/.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from reports import views
from staff.access import can_make_handout, can_report

REPORTS_LABEL = "reports"


class PortalAdminSite(admin.AdminSite):
    def report_entries(self, request) -> list[dict]:
        """The reports this person may make, as the admin's app list shows models."""
        if not can_report(request.user):
            return []
        entries = [
            {
                "name": _("Regional report"),
                "object_name": "RegionReport",
                "admin_url": reverse("admin:reports_region", current_app=self.name),
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
            },
            {
                "name": _("Comparison of fiscal years or districts"),
                "object_name": "Comparison",
                "admin_url": reverse("admin:reports_compare", current_app=self.name),
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
            },
        ]
        if can_make_handout(request.user):
            entries.append(
                {
                    "name": _("Annual handout"),
                    "object_name": "Handout",
                    "admin_url": reverse("admin:reports_handout", current_app=self.name),
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True},
                }
            )
        return entries

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if app_label not in (None, REPORTS_LABEL):
            return app_list
        entries = self.report_entries(request)
        if not entries:
            return app_list
        section = {
            "name": _("Reports"),
            "app_label": REPORTS_LABEL,
            "app_url": reverse("admin:reports", current_app=self.name),
            "has_module_perms": True,
            "models": entries,
        }
        return [section, *app_list]

    def reports_index(self, request):
        if not can_report(request.user):
            raise PermissionDenied
        return self.app_index(request, REPORTS_LABEL)

    def get_urls(self):
        wrap = self.admin_view
        return [
            path("reports/", wrap(self.reports_index), name="reports"),
            path("reports/region/", wrap(views.region_report), name="reports_region"),
            path("reports/handout/", wrap(views.handout), name="reports_handout"),
            path("reports/compare/", wrap(views.comparison_report), name="reports_compare"),
            *super().get_urls(),
        ]
