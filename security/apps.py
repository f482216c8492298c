from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Login throttling for the admin, the CSP exception for embeddable pages, upload checks."""

    name = "security"
    verbose_name = _("Security")

    def ready(self):
        from django.contrib import admin

        from security import signals  # noqa: F401  (connects the receivers)
        from security.forms import ThrottledAdminAuthenticationForm

        # The admin is the only place anyone signs in; its form enforces the throttle.
        admin.site.login_form = ThrottledAdminAuthenticationForm
