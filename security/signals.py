"""Count failed sign-ins and clear them on success, wherever authentication happens.

Django sends user_login_failed from authenticate() for every failure (wrong password, unknown
user, inactive account), and user_logged_in after login(); listening to them counts every
sign-in path, not only the admin form, while the form itself enforces the lock (see
security.forms).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from security import throttle


@receiver(user_login_failed, dispatch_uid="security.count_failed_login")
def count_failed_login(sender, credentials, request=None, **kwargs):
    field = get_user_model().USERNAME_FIELD
    username = credentials.get(field, credentials.get("username", ""))
    throttle.record_failure(username, throttle.client_ip(request))


@receiver(user_logged_in, dispatch_uid="security.clear_failed_logins")
def clear_failed_logins(sender, request, user, **kwargs):
    throttle.clear_failures(user.get_username())
