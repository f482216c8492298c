"""Stored pages answered before Django: anonymous cache hits in one cache round trip at most.

A figure page an anonymous visitor asks for is usually already stored (`cases.figures.caching`),
but finding that out inside Django costs the whole middleware stack and URL resolution before
the cache is read. `StoredPages` wraps the WSGI application and, for a request that can only
get the stored page, answers from one `get_many` at most (the generation and the page) with the
response Django sent last time for exactly that request, headers included:

- **Which requests.** GET or HEAD with no cookie, no `Authorization` and no `If-None-Match`
  (Django answers revalidations, which cost it little), outside the static and media files,
  with the figure cache on, to a path this worker has seen Django answer with a stored figure
  page (`figure_paths`). Everything else goes straight to Django without touching the cache,
  as does a miss: a case page or the home page costs no cache round trip here.
- **What is kept.** When Django answers such a request with a page taken from or put into the
  figure cache (`response.stored_page_generation`, set by `caching.figure_response` only for
  what every anonymous visitor gets alike), its final status, headers and body, after every
  middleware, are kept under a key made of everything in the request Django's answer could
  depend on: scheme and forwarded scheme, host and forwarded host, path, query string,
  whether gzip is accepted and the Accept-Language header. A response that sets a cookie is
  never kept.
- **When it is used.** Only while the generation it was made for is current: any change to a
  case moves the generation and the next request goes to Django again.
- **A worker's own copies.** Each worker also keeps the pages it has served most recently
  (`KeptPages`, a few MB at most). For one of those only the generation is needed, and on
  Redis it usually costs no round trip: `PortalRedisCache.watch` keeps a copy of it that Redis
  itself tells the worker to drop (client-side caching) the moment any server moves it, so the
  next request after a change reads it afresh. The page is used only if the generation it was
  made for is still current, exactly as when it comes from the cache.
- **What differs.** Nothing but the request id: the `X-Request-ID` header is the request's own
  (the client's when sane, as `RequestIdMiddleware` decides), and the access line is written
  by the same function (`grassroots.middleware.log_request`). A HEAD gets GET's headers and no
  body, as from Django.

If the cache cannot be read, the request goes to Django, which knows how to answer without it.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_path_info, get_script_name

from cases.figures.caching import ACCEPTS_GZIP, PAGE_TIMEOUT, cache_enabled
from cases.figures.freshness import GENERATION_KEY
from grassroots.middleware import HEADER, incoming_or_new_id, log_request

logger = logging.getLogger(__name__)

KEY_PREFIX = "stored-page:"
# How many paths a worker remembers as figure pages before it starts learning them again.
KNOWN_PATHS_LIMIT = 4096


# How many bytes of pages a worker keeps itself (`KeptPages`): a compressed dashboard is
# about 15 kB, so the pages of every language and of the common filters fit many times over.
KEPT_BYTES_LIMIT = 8 * 1024 * 1024


class KeptPages:
    """The stored pages this worker has served lately, by key, the least recently used
    dropped first once their bodies pass `limit` bytes."""

    def __init__(self, limit: int = KEPT_BYTES_LIMIT):
        self.limit = limit
        self.size = 0
        self._pages: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share one

    def get(self, key: str):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def keep(self, key: str, page: tuple) -> None:
        size = len(page[3])
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old[3])
            if size > self.limit:
                return
            self._pages[key] = page
            self.size += size
            while self.size > self.limit:
                _key, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped[3])


class FigurePaths:
    """The paths (without query string) this worker has seen Django answer with a stored
    figure page: only for them is the cache worth a round trip before Django. A path is
    learnt from Django's own answer, so no list of routes is kept here; the set is bounded
    (emptied when full), and a path it forgets costs one answer from Django to learn again."""

    def __init__(self, limit: int = KNOWN_PATHS_LIMIT):
        self.limit = limit
        self._paths: set[str] = set()

    def __contains__(self, path: str) -> bool:
        return path in self._paths

    def learn(self, path: str) -> None:
        if path in self._paths:
            return
        if len(self._paths) >= self.limit:
            self._paths = set()
        self._paths.add(path)

    def forget(self) -> None:
        self._paths = set()


def _eligible(environ) -> bool:
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if any(environ.get(name) for name in ("HTTP_COOKIE", "HTTP_AUTHORIZATION")):
        return False
    if environ.get("HTTP_IF_NONE_MATCH") or settings.DISALLOWED_USER_AGENTS:
        return False
    path = environ.get("PATH_INFO", "")
    return not any(
        prefix and path.startswith(prefix)
        for prefix in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", None))
    )


def stored_page_key(environ) -> str:
    """Everything in a request (eligible ones: no cookie, no credentials) that Django's answer
    could depend on, as a cache key."""
    parts = (
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_X_FORWARDED_PROTO", ""),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
        environ.get("HTTP_X_FORWARDED_HOST", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        "gzip" if ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")) else "",
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
    )
    digest = hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=16)
    return KEY_PREFIX + digest.hexdigest()


def _generation():
    """The figures' generation, the lean way when the cache has one (on Redis,
    `PortalRedisCache.watch`: a copy Redis tells this worker to drop when the generation
    moves, so a stored page usually costs no round trip at all)."""
    watch = getattr(cache, "watch", None)
    return cache.get(GENERATION_KEY) if watch is None else watch(GENERATION_KEY)


def _figure_path(environ) -> str:
    return environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")


def _path(environ) -> str:
    """The path as Django's request.path gives it (for the access line)."""
    return get_script_name(environ).rstrip("/") + get_path_info(environ)


class StoredPages:
    """WSGI middleware: answer eligible requests whose page is stored and current (see the
    module's docstring); hand everything else to `application`."""

    def __init__(self, application):
        self.application = application
        self.figure_paths = FigurePaths()
        self.kept = KeptPages()

    def __call__(self, environ, start_response):
        if not (cache_enabled() and _eligible(environ)):
            return self.application(environ, start_response)
        if _figure_path(environ) not in self.figure_paths:
            return self._from_django(environ, start_response)
        started = time.perf_counter()
        key = stored_page_key(environ)
        kept = self.kept.get(key)
        try:
            # One round trip: the generation alone when this worker has the page, else both.
            if kept is not None:
                current, found = _generation(), {}
            else:
                found = cache.get_many([GENERATION_KEY, key])
                current = found.get(GENERATION_KEY)
        except Exception:  # an unreachable cache is Django's to handle
            logger.warning("stored pages: the cache could not be read", exc_info=True)
            return self.application(environ, start_response)
        if current is None:
            return self._from_django(environ, start_response, key)
        if kept is not None and kept[0] == str(current):
            return self._answer(environ, start_response, kept, started)
        stored = found.get(key)
        if stored is not None and stored[0] == str(current):
            self.kept.keep(key, stored)
            return self._answer(environ, start_response, stored, started)
        return self._from_django(environ, start_response, key)

    @staticmethod
    def _answer(environ, start_response, stored, started):
        _generation, status, headers, body = stored
        request_id = incoming_or_new_id(environ.get("HTTP_X_REQUEST_ID"))
        start_response(
            status, [(name, request_id if value is None else value) for name, value in headers]
        )
        method = environ["REQUEST_METHOD"]
        log_request(method, _path(environ), int(status.split(" ", 1)[0]), started, request_id)
        return [b""] if method == "HEAD" else [body]

    def _from_django(self, environ, start_response, key=None):
        sent = {}

        def remember(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.application(environ, remember)
        generation = getattr(response, "stored_page_generation", None)
        if (
            generation is not None
            and environ["REQUEST_METHOD"] == "GET"
            and sent.get("status", "").startswith("200 ")
            and not getattr(response, "streaming", True)
            and not any(name.lower() == "set-cookie" for name, _value in sent["headers"])
        ):
            self.figure_paths.learn(_figure_path(environ))
            headers = [
                (name, None if name.lower() == HEADER.lower() else value)
                for name, value in sent["headers"]
            ]
            key = key or stored_page_key(environ)
            page = (str(generation), sent["status"], headers, response.content)
            self.kept.keep(key, page)
            try:
                cache.set(key, page, PAGE_TIMEOUT)
            except Exception:  # keeping a copy is optional
                logger.warning("stored pages: the page could not be kept", exc_info=True)
        return response
