"""What the login throttle remembers: one row per failed sign-in.

The rows live in the database, not in a process's memory or the local cache, so every app
server (several gunicorn workers, several machines) counts the same failures and a lockout
holds whichever worker the next attempt reaches.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """A sign-in that failed: the user name as typed (case-folded) and the client address."""

    username = models.CharField(_("user name"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("attempted at"), db_index=True)

    class Meta:
        ordering = ["-attempted_at"]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["username", "-attempted_at"], name="loginfailure_user_idx"),
            models.Index(fields=["ip_address", "-attempted_at"], name="loginfailure_ip_idx"),
        ]

    def __str__(self):
        return f"{self.username} ({self.ip_address or '?'}) {self.attempted_at:%Y-%m-%d %H:%M}"
