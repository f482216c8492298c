"""Request ids and the one log line per request.

Every request gets an id: the load balancer's `X-Request-ID` when it sent a sane one (so a
request can be followed from the balancer through the app server), otherwise a fresh one. The
id is returned in the response's `X-Request-ID` header, stored on `request.request_id`, and
added to every log record emitted while the request runs (`RequestIdFilter`), so the lines a
request caused can be found together even with many workers writing to one log.

Gunicorn's own access log is off (`gunicorn.conf.py`): this middleware writes the access line
instead, because only Django knows the request id, the user and the final status after
redirects and error pages.
"""

import contextvars
import logging
import re
import time
import uuid

from django.middleware.gzip import GZipMiddleware
from django.utils.functional import empty

logger = logging.getLogger("grassroots.request")

HEADER = "X-Request-ID"
# Anything else a client sends (spaces, quotes, newlines, a megabyte of text) could forge or
# break log lines, so it is replaced rather than trusted.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NO_REQUEST = "-"

_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "grassroots_request_id", default=_NO_REQUEST
)


def current_request_id() -> str:
    """The id of the request being handled in this context, or "-" outside a request."""
    return _current_request_id.get()


def incoming_or_new_id(value: str | None) -> str:
    """The client's id when it is 1-64 characters of letters, digits, dot, dash, underscore;
    a new random one (32 hex digits) otherwise."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so a formatter can always use `%(request_id)s`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def _logged_in_user_id(request) -> str:
    """The user's id if the request already loaded its user, "-" otherwise.

    Logging must not cost a query: `request.user` is lazy, and reading it here for a page that
    never looked at it would load the session and the user just for the log line.
    """
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return _NO_REQUEST
    if getattr(user, "is_authenticated", False):
        return str(user.pk)
    return _NO_REQUEST


def _log_value(value: str) -> str:
    """A value for a key=value log line: quoted when it holds a space, quote or equals sign."""
    if value and not any(char in value for char in ' "=\\') and value.isprintable():
        return value
    # unicode_escape turns backslashes, newlines and other control characters into escapes,
    # so a crafted path can never start a forged log line.
    return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def log_request(method, path, status, started, request_id, user_id=_NO_REQUEST) -> None:
    """The one access line of a request (this middleware's, and the stored-page path's in
    `grassroots.stored_pages`, which answers before Django): `started` is its
    `time.perf_counter()` when the request arrived."""
    duration_ms = (time.perf_counter() - started) * 1000
    logger.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "method=%s path=%s status=%d duration_ms=%.1f request_id=%s user_id=%s",
        _log_value(method),
        _log_value(path),
        status,
        duration_ms,
        request_id,
        user_id,
        extra={"request_id": request_id},
    )


class RequestIdMiddleware:
    """Assigns the request id and logs `method path status duration_ms request_id user_id`.

    It comes first in MIDDLEWARE, so redirects made by later middleware (HTTPS, language,
    trailing slash) and error responses are logged too: Django turns an exception raised
    inside into its 500 response before it reaches this middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_or_new_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers[HEADER] = request_id
            if request.method == "HEAD" and not response.streaming:
                # A HEAD answer has GET's headers (Content-Length included) and no body; the
                # development server drops the body itself, gunicorn warns on every one.
                response.content = b""
            log_request(
                request.method or "",
                request.path,
                response.status_code,
                started,
                request_id,
                _logged_in_user_id(request),
            )
            return response
        finally:
            _current_request_id.reset(token)


class HtmlGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for HTML pages only: every page a browser loads travels
    compressed when it accepts gzip, whether or not it came from a cache (cached figure pages
    and the dashboard come already compressed and are left as they are).

    Downloads (CSV, XLSX, JSON, streamed or not) and API answers are left alone: they have their
    own Content-Length and heartbeat handling, and clients that read them ask as they wish.
    Django's compression adds random bytes to each answer's gzip header, so a secret on a page
    (a CSRF token in a form) cannot be guessed from compressed sizes (BREACH).
    """

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
