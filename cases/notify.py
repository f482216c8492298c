"""E-mail about the review queue, through Django's mail framework: HQ's reviewers hear of each
new submission, the submitter of HQ's decision. Sent once the transaction commits (a rolled
back change sends nothing), in English and Japanese, one message each; the backend is the
settings' (console in development, SMTP in production, locmem in tests)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from staff.roles import HQ_EDITORS

LANGUAGES = ("en", "ja")
logger = logging.getLogger(__name__)


def reviewers() -> list[str]:
    """The e-mail addresses of HQ's reviewers: active HQ editors and superusers."""
    users = get_user_model()._default_manager.filter(is_active=True).exclude(email="")
    found = users.filter(Q(groups__name=HQ_EDITORS) | Q(is_superuser=True)).distinct()
    return sorted(found.values_list("email", flat=True))


def _review_url(revision) -> str:
    path = reverse("admin:cases_revision_change", args=[revision.pk])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _both(render) -> tuple[str, str]:
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            subject, body = render()
        subjects.append(subject)
        bodies.append(body)
    return " / ".join(subjects), "\n\n----\n\n".join(bodies)


def _deliver(messages) -> None:
    try:
        send_mass_mail(messages)
    except Exception:  # the change is committed; a mail server's trouble must not undo it
        logger.exception("The review queue's e-mail could not be sent.")


def _send(messages) -> None:
    messages = [m for m in messages if m[3]]
    if messages:
        transaction.on_commit(lambda: _deliver(messages))


def submitted(revision) -> None:
    """Tell HQ's reviewers that something waits for their review."""

    def render():
        who = revision.submitted_by.get_username() if revision.submitted_by else _("the system")
        subject = _("[Grassroots Portal] For review: %(record)s") % {
            "record": revision.object_label
        }
        body = _(
            "%(who)s submitted %(kind)s of “%(record)s” (%(region)s) for review.\n\n"
            "Review it here: %(url)s"
        ) % {
            "who": who,
            "kind": revision.get_kind_display().lower(),
            "record": revision.object_label,
            "region": revision.region or "—",
            "url": _review_url(revision),
        }
        return subject, body

    subject, body = _both(render)
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, reviewers())])


def reviewed(revision) -> None:
    """Tell the submitter what HQ decided, with HQ's comment."""
    submitter = revision.submitted_by
    if submitter is None or not submitter.email:
        return

    def render():
        decision = revision.get_status_display()
        subject = _("[Grassroots Portal] %(decision)s: %(record)s") % {
            "decision": decision,
            "record": revision.object_label,
        }
        body = _("HQ reviewed your %(kind)s of “%(record)s”: %(decision)s.") % {
            "kind": revision.get_kind_display().lower(),
            "record": revision.object_label,
            "decision": decision.lower(),
        }
        if revision.comment:
            body += "\n\n" + _("HQ's comment: %(comment)s") % {"comment": revision.comment}
        body += "\n\n" + _("See it here: %(url)s") % {"url": _review_url(revision)}
        return subject, body

    subject, body = _both(render)
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [submitter.email])])
