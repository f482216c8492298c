"""The three staff roles as auth groups, and ensure_roles() that keeps them up to date.

Permissions are named by patterns so that a model added to an app later (an audit record, a new
kind of reference data) is covered without editing this list: "cases.*" is every permission of
the cases app, "cases.view_*" every view permission, anything else one exact permission.
"""

from fnmatch import fnmatchcase

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext_lazy as _

HQ_EDITORS = "HQ editors"
CONSULATE_EDITORS = "Consulate editors"
VIEWERS = "Viewers"

PUBLISH_CASE = "cases.publish_case"
PUBLISH_SHOWCASE_PAGE = "showcase.publish_showcasepage"

# The role names create_staff accepts, and the group each stands for.
ROLE_GROUPS = {"hq": HQ_EDITORS, "consulate": CONSULATE_EDITORS, "viewer": VIEWERS}
ROLE_LABELS = {
    "hq": _("HQ editor"),
    "consulate": _("Consulate editor"),
    "viewer": _("Viewer"),
}

# Reading the register, its reference data, the showcase and the import record. Reports are
# reading too: they need only cases.view_case.
_READ = ["cases.view_*", "showcase.view_*", "exchange.view_*", "audit.view_*"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Headquarters: everything about cases, showcase pages, partners, reference data and
    # imports, publishing included.
    HQ_EDITORS: ["cases.*", "showcase.*", "exchange.*", "audit.*"],
    # A consulate: its own district's cases, their partners' roles and showcase pages (the
    # scope is applied by staff.access), importing and reports. It may add an organisation it
    # met, but changing or removing one shared by every district is headquarters' work.
    CONSULATE_EDITORS: [
        *_READ,
        "cases.add_case",
        "cases.change_case",
        "cases.delete_case",
        "cases.add_casepartner",
        "cases.change_casepartner",
        "cases.delete_casepartner",
        "cases.add_partner",
        "showcase.add_showcasepage",
        "showcase.change_showcasepage",
        "exchange.add_importbatch",
    ],
    VIEWERS: _READ,
}


def _matches(permission, patterns) -> bool:
    name = f"{permission.content_type.app_label}.{permission.codename}"
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def _all_permissions(using):
    from django.contrib.auth.models import Permission

    return list(Permission.objects.using(using).select_related("content_type"))


def ensure_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the three groups if missing and set their permissions to exactly the roles'.

    Idempotent: run after every migrate. Permissions are created first, since migrate creates
    them app by app and a later app's may not exist yet when this runs.
    """
    from django.contrib.auth.models import Group

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    everything = _all_permissions(using)
    with transaction.atomic(using=using):
        for name, patterns in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.using(using).get_or_create(name=name)
            group.permissions.set([p for p in everything if _matches(p, patterns)])
