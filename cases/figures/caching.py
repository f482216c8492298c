"""Figure pages and figure API answers: an ETag, a 304, and a whole-response cache.

Everything a figure page shows follows from the data (the generation), the language, the
path and the query string. So:

- the ETag is a digest of those four: a browser or proxy asking again with `If-None-Match`
  gets a bodiless 304 for the price of one cache read (the generation), and a new ETag as soon
  as any case changes anywhere;
- an anonymous visitor's page is kept whole in the shared cache under the other three,
  together with the generation it was made for, and read in the same round trip as the
  generation: a repeat visit by anyone costs one cache round trip and no query, and a page
  whose stored generation is not the current one is made again.

A page is only cached when it holds nothing particular to one visitor: no signed-in user, no
messages, no CSRF token, no cookie set. `settings.PORTAL_FIGURE_CACHE = False` turns the
response cache off (to measure the uncached cost); ETags and 304s stay.
"""

import functools
import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.text import compress_string

from cases.figures.freshness import GENERATION_KEY, flush, generation, request_generation
from cases.figures.reference import request_scope
from grassroots.language import page_language

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
PAGE_TIMEOUT = 24 * 3600  # stale generations are never read again; let them expire
# Headers a view sets that a cached copy must carry too (middleware adds the rest each time).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin", "Vary")


def cache_enabled() -> bool:
    return bool(getattr(settings, "PORTAL_FIGURE_CACHE", True))


def normalised_query(request) -> str:
    """The query string with its parameters in a fixed order, so equal queries share a key."""
    items = sorted((key, value) for key, values in request.GET.lists() for value in values)
    return "&".join(f"{key}={value}" for key, value in items)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def _address(request) -> tuple[str, ...]:
    """Language, scheme and host, path and normalised query: what a page is, apart from the data.

    The host and scheme count because some answers hold absolute URLs (the API's links, the
    embed code), which must not be served to a client that reached another host name."""
    return (
        page_language(),
        request.scheme,
        request.get_host(),
        request.path,
        normalised_query(request),
    )


def response_key(request) -> str:
    """A digest of generation, language, scheme and host, path and normalised query."""
    return _digest(request_generation(request), *_address(request))


def page_key(request) -> str:
    """The cache key of a stored page: its address without the generation.

    The generation is stored with the page instead, so the page and the current generation can
    be read in one round trip (`_read_page`); a key holding the generation could only be built
    after a first round trip for the generation."""
    return "figures:page:" + _digest(*_address(request))


def _read_page(request):
    """The stored page `(generation, compressed body, headers)`, or None; sets the generation.

    One `get_many` reads the generation and the page together. A missing generation (a fresh
    or flushed cache) is left to `generation()`, which starts a new one. A page stored for
    another generation is stale and not returned."""
    key = page_key(request)
    current = getattr(request, "_figures_generation", None)
    if current is not None:  # already read (a revalidation that did not match)
        stored = cache.get(key)
    else:
        # generation() counts this thread's pending changes first; so must a combined read.
        flush()
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        current = generation() if current is None else str(current)
        request._figures_generation = current
        stored = found.get(key)
    if stored is None or stored[0] != current:
        return None
    return stored


def etag_for(request) -> str:
    return f'"{response_key(request)}"'


def _matches(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    # Weak comparison (RFC 9110 13.1.2): a gzip-encoded copy carries the weak form of the tag.
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or etag.removeprefix("W/") in tags


def _personal(request) -> bool:
    """Whether the request may see something of its own (a user menu, messages)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return bool(request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")))


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_messages", None)
    )


def _accepts_gzip(request) -> bool:
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _compressed(response) -> bytes:
    """The response's body gzip-compressed, as the cache keeps it: a view that already sent it
    compressed (`cases.figures.assembled` does for clients that accept gzip) gives its bytes
    as they are; compressing them again would keep a copy no browser can read."""
    if response.get("Content-Encoding") == "gzip":
        return response.content
    return compress_string(response.content)


def _from_cache(request, stored) -> HttpResponse:
    """A response from a cached copy, which is kept gzip-compressed: compressed once when it is
    stored, it is sent as it is to every client that accepts gzip (nearly all), so a cached
    page costs neither compression nor a large transfer, and unpacked for the others."""
    _generation, compressed, headers = stored
    if _accepts_gzip(request):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed))
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def last_known_page(request) -> HttpResponse | None:
    """The stored copy of this page whatever generation it was made for, or None: what can
    still be shown when the database cannot be asked (grassroots.outage)."""
    if not cache_enabled():
        return None
    stored = cache.get(page_key(request))
    return _from_cache(request, stored) if stored else None


def figure_response(*, per_user: bool = True):
    """Decorate a GET view whose answer depends only on the figures, language, path and query.

    `per_user=True` (HTML pages, whose header shows who is signed in): ETags and the cache are
    for anonymous visitors only. `per_user=False` (the JSON API): the same for everyone.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or (per_user and _personal(request)):
                with request_scope(request_generation(request)):
                    response = view(request, *args, **kwargs)
                if per_user and not response.has_header("Cache-Control"):
                    # A signed-in person's copy is theirs: no shared cache may keep it.
                    patch_cache_control(response, private=True, no_cache=True)
                    patch_vary_headers(response, ["Cookie"])
                return response
            use_cache = cache_enabled()
            revalidating = bool(request.META.get("HTTP_IF_NONE_MATCH"))
            # A revalidation mostly ends in a 304, for which the generation alone is enough.
            stored = _read_page(request) if use_cache and not revalidating else None
            etag = etag_for(request)
            if _matches(request, etag):
                response = HttpResponseNotModified()
                response["ETag"] = etag
                _revalidate(response, per_user)
                return response
            if use_cache and revalidating:
                stored = _read_page(request)
            if stored is None:
                with request_scope(request_generation(request)):
                    response = view(request, *args, **kwargs)
                if use_cache and _storable(request, response):
                    headers = [
                        (name, response[name])
                        for name in KEPT_HEADERS
                        if response.has_header(name)
                    ]
                    stored = (request_generation(request), _compressed(response), headers)
                    cache.set(page_key(request), stored, PAGE_TIMEOUT)
                    response = _from_cache(request, stored)
            else:
                response = _from_cache(request, stored)
            if stored is not None:
                # The same answer for every anonymous visitor of this address and generation:
                # grassroots.stored_pages may keep it whole and answer before Django next time.
                response.stored_page_generation = stored[0]
            if response.status_code == 200:
                encoded = response.get("Content-Encoding") == "gzip"
                response["ETag"] = f"W/{etag}" if encoded else etag
                _revalidate(response, per_user)
            return response

        return wrapper

    return decorate


def shared_cache_seconds() -> int:
    """How long a shared cache (a reverse proxy such as deploy/nginx, a CDN) may answer with
    its copy of an anonymous page before asking again with the ETag."""
    return max(1, int(getattr(settings, "PORTAL_SHARED_CACHE_SECONDS", 10)))


def _revalidate(response, per_user: bool) -> None:
    """Browsers keep the page but ask each time (`max-age=0`, with the ETag), so a change
    shows on their next request. A shared cache may keep it too (`public`) and answer for
    `s-maxage` seconds before it revalidates; a page that differs for a signed-in user varies
    on the cookie, and a signed-in user's copy is private (see `figure_response`)."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=shared_cache_seconds(),
        must_revalidate=True,
    )
    if per_user:
        patch_vary_headers(response, ["Cookie"])
