"""The admin's sign-in form, with the login throttle in front of the password check."""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy

from security import throttle


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """AdminAuthenticationForm that refuses sign-in while the user name or the client address
    is locked, before the password is even checked: during a lock the right password is
    refused too, so guessing gains nothing.

    Failures are counted by security.signals (from authenticate()); this form only enforces.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked_out": ngettext_lazy(
            "Too many failed sign-in attempts. Sign-in is blocked for security; please try "
            "again in %(minutes)d minute.",
            "Too many failed sign-in attempts. Sign-in is blocked for security; please try "
            "again in %(minutes)d minutes.",
            "minutes",
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        remaining = throttle.lockout_remaining(username, throttle.client_ip(self.request))
        if remaining:
            minutes = max(1, math.ceil(remaining.total_seconds() / 60))
            raise ValidationError(
                self.error_messages["locked_out"] % {"minutes": minutes},
                code="locked_out",
            )
        return super().clean()
