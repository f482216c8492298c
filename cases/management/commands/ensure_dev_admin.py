"""Create or refresh the local development superuser and print how to log in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Development only: make sure a superuser 'admin' exists, give it a fresh random "
        "password and print how to log in. Refused when DJANGO_DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="http://127.0.0.1:8000")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_dev_admin only runs with DJANGO_DEBUG on; in production create staff "
                "accounts with createsuperuser."
            )
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        host = options["host"].rstrip("/")
        self.stdout.write(
            self.style.SUCCESS("Admin login (a new password is made each time this runs):")
        )
        self.stdout.write(f"  English:  {host}/en/admin/")
        self.stdout.write(f"  日本語:   {host}/ja/admin/")
        self.stdout.write(f"  username: {USERNAME}")
        self.stdout.write(f"  password: {password}")
