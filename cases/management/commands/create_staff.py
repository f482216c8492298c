"""manage.py create_staff USERNAME --role hq|consulate|viewer [--region CODE ...]"""

import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Region
from staff.models import StaffProfile
from staff.roles import CONSULATE_EDITORS, ROLE_GROUPS, ensure_roles


class Command(BaseCommand):
    help = (
        "Create or update a staff account: its role (the group, replacing any other role) and, "
        "for a consulate editor, its districts (replacing the ones it had)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_GROUPS))
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            metavar="CODE",
            help="A district by region code (miami, new-york...); repeat for several.",
        )
        parser.add_argument("--email", help="The account's e-mail address.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input. Without it, a new "
            "account gets a generated password, printed once; an existing one keeps its own.",
        )

    def handle(self, *args, username, role, region, email, password_stdin, **options):
        regions = self.regions(region)
        group_name = ROLE_GROUPS[role]
        if group_name == CONSULATE_EDITORS and not regions:
            raise CommandError(
                _("A consulate editor needs at least one district: give --region CODE.")
            )
        password = self.password_from_stdin() if password_stdin else None

        User = get_user_model()
        with transaction.atomic():
            ensure_roles()
            user, created = User.objects.get_or_create(username=username)
            if password is None and created:
                password = secrets.token_urlsafe(16)
                generated = True
            else:
                generated = False
            if password is not None:
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    # Raised inside the transaction: the new account, if any, is not kept.
                    raise CommandError(
                        _("The password is refused: %(reasons)s")
                        % {"reasons": " ".join(error.messages)}
                    ) from None
                user.set_password(password)
            if email is not None:
                user.email = email
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            profile, _created = StaffProfile.objects.get_or_create(user=user)
            profile.regions.set(regions)

        message = (
            _("Created %(user)s: %(role)s; districts: %(districts)s.")
            if created
            else _("Updated %(user)s: %(role)s; districts: %(districts)s.")
        )
        districts = ", ".join(r.code for r in regions) or _("none")
        self.stdout.write(
            self.style.SUCCESS(
                message % {"user": username, "role": group_name, "districts": districts}
            )
        )
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": password})

    def regions(self, given) -> list:
        """The districts named by --region (each once), or a CommandError naming the unknown."""
        codes = list(dict.fromkeys(code.strip() for code in given if code.strip()))
        regions = list(Region.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {r.code for r in regions})
        if unknown:
            known = ", ".join(Region.objects.values_list("code", flat=True))
            raise CommandError(
                _("Unknown region code(s): %(unknown)s. Known codes: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": known}
            )
        return regions

    def password_from_stdin(self) -> str:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password was given on standard input."))
        return password
