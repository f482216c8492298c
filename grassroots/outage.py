"""Serving what is known while the database is unreachable.

When a request meets a database that does not answer (a connection refused, reset or timed
out: Django's OperationalError or InterfaceError):

- an anonymous GET or HEAD whose page is in the shared cache is answered from it, even if the
  data changed since it was stored, marked `X-Portal-Stale: database-unavailable` and never
  stored by browsers or proxies (`Cache-Control: no-store`);
- anything else gets 503 with `Retry-After`: a short page in the visitor's language, or JSON
  under /api/. Never a 500 or a stack trace. A write that failed was inside a transaction that
  did not commit, so nothing is half-written.

The failure is logged once per `LOG_SECONDS` per process (with how many requests it met), not
once per request. `OutageMiddleware.process_exception` handles a failure in a view;
`server_error`, the project's handler500, catches a failure anywhere else (a session saved
after the view, a middleware) and answers 503 for it too.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from cases.figures.caching import last_known_page

logger = logging.getLogger("grassroots.outage")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
LOG_SECONDS = 60.0
STALE_HEADER = "X-Portal-Stale"
API_PREFIX = "/api/"

_lock = threading.Lock()
_state = {"logged_at": None, "count": 0}


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_ERRORS)


def _note(request, error: BaseException) -> None:
    now = time.monotonic()
    with _lock:
        _state["count"] += 1
        logged_at = _state["logged_at"]
        if logged_at is not None and now - logged_at < LOG_SECONDS:
            return
        _state["logged_at"] = now
        count, _state["count"] = _state["count"], 0
    logger.error(
        "The database is not answering (%s: %s); answering from the cache or with 503. "
        "%d request(s) met it since the last report.",
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        count,
    )


def _anonymous(request) -> bool:
    """No session cookie and no messages: nothing on the page can be the visitor's own. (The
    user cannot be asked: loading it needs the database.)"""
    return not (
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    )


def stale_response(request):
    """The cached copy of this anonymous GET's page, whatever its generation, or None."""
    if request.method not in ("GET", "HEAD") or not _anonymous(request):
        return None
    try:
        response = last_known_page(request)
    except DATABASE_ERRORS:  # the cache is a table of the same database: nothing to serve
        return None
    except Exception:  # a cache that fails otherwise: nothing to serve either
        logger.exception("Reading the cached page failed during a database outage.")
        return None
    if response is None:
        return None
    response[STALE_HEADER] = "database-unavailable"
    response["Cache-Control"] = "no-store"
    return response


def unavailable(request) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, else a page in the visitor's language."""
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.path_info.startswith(API_PREFIX):
        with translation.override(language):
            message = _("The data is briefly unavailable; try again in a minute.")
        response = JsonResponse({"error": message}, status=503)
        response["Access-Control-Allow-Origin"] = "*"
    else:
        with translation.override(language):
            # No request and no context processors: nothing here may need the database.
            body = loader.render_to_string(
                "503.html", {"language": language, "retry_after": RETRY_AFTER_SECONDS}
            )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Reported once per interval by _note(); Django would log each 5xx again.
    response._has_been_logged = True
    return response


def answer(request, error: BaseException) -> HttpResponse:
    _note(request, error)
    return stale_response(request) or unavailable(request)


class OutageMiddleware:
    """Answers a view that met an unreachable database from the cache, or with a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return answer(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: a database outage met outside a view is a 503 too; anything else is the
    ordinary 500 page."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return answer(request, error)
    return django_server_error(request, template_name=template_name)
