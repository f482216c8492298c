"""Stored pages answered before Django (`grassroots.stored_pages`): the answer is the one
Django gave, header by header and byte by byte; only a cookieless, credential-free GET or
HEAD of a current stored page gets it; anything else, and any doubt, goes to Django."""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from cases.figures import freshness
from grassroots import stored_pages
from grassroots.stored_pages import StoredPages

PROJECT = Path(__file__).resolve().parent.parent


class Counting:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def django_app():
    # As Django's test client does: neither the start nor the end of a request may close the
    # test's connection (on PostgreSQL it would, and the test's transaction with it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield Counting()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def app(django_app, make_case, settings):
    settings.PORTAL_FIGURE_CACHE = True
    make_case(region="miami", state="FL")
    freshness.flush()
    return StoredPages(django_app)


def call(app, path, query="", method="GET", **headers):
    """(status, headers, body) of one request through the WSGI application."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    sent = {}

    def start_response(status, response_headers, exc_info=None):
        sent["status"], sent["headers"] = status, list(response_headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return sent["status"], sent["headers"], body


PAGES = [
    ("/en/dashboard/", ""),
    ("/ja/dashboard/", "region=miami&from=2024"),
    ("/en/cases/", "sort=title"),
    ("/en/regions/miami/", ""),
    ("/api/v1/stats/region/", ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "query"), PAGES)
@pytest.mark.parametrize("encoding", ["gzip, deflate, br", ""])
def test_the_stored_answer_is_djangos_answer(app, django_app, path, query, encoding):
    headers = {"accept_encoding": encoding, "x_request_id": "req-1"}
    from_django = call(app, path, query, **headers)
    assert django_app.calls == 1
    assert from_django[0] == "200 OK"
    stored = call(app, path, query, **headers)
    assert django_app.calls == 1  # answered before Django
    assert stored == from_django  # status, every header in order, and the body


@pytest.mark.django_db
def test_the_request_id_and_the_log_line_are_the_requests_own(app, django_app, caplog):
    call(app, "/en/dashboard/")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="grassroots.request"):
        _status, headers, _body = call(app, "/en/dashboard/")
        _status, mine, _body = call(app, "/en/dashboard/", x_request_id="abc.DEF-42")
    assert django_app.calls == 1
    first = dict(headers)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert dict(mine)["X-Request-ID"] == "abc.DEF-42"
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("method=GET path=/en/dashboard/ status=200 duration_ms=")
    assert lines[0].endswith(f"request_id={first} user_id=-")
    assert lines[1].endswith("request_id=abc.DEF-42 user_id=-")


@pytest.mark.django_db
def test_head_gets_the_headers_of_get_and_no_body(app, django_app):
    _status, get_headers, _body = call(app, "/en/dashboard/", x_request_id="r")
    django_head = call(StoredPages(django_app.handler), "/en/dashboard/", method="HEAD")
    status, head_headers, body = call(app, "/en/dashboard/", method="HEAD", x_request_id="r")
    assert django_app.calls == 1
    assert (status, body) == ("200 OK", b"")
    assert head_headers == get_headers
    assert django_head[2] == b""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": "sessionid=abc"},
        {"cookie": "messages=x"},
        {"authorization": "Basic eDp5"},
        {"if_none_match": '"anything"'},
    ],
)
def test_a_visitor_with_a_cookie_or_credentials_goes_to_django(app, django_app, headers):
    call(app, "/en/dashboard/")
    call(app, "/en/dashboard/", **headers)
    assert django_app.calls == 2


@pytest.mark.django_db
def test_a_signed_in_user_never_gets_a_stored_page(app, django_app, client, hq_editor):
    call(app, "/en/dashboard/")
    client.force_login(hq_editor)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _status, headers, _body = call(app, "/en/dashboard/", cookie=cookie)
    assert django_app.calls == 2
    assert "ETag" not in dict(headers)  # Django's own answer for a signed-in user
    # What the signed-in user got was not kept for anyone: anonymous visitors get the page
    # stored before, without going to Django.
    call(app, "/en/dashboard/")
    assert django_app.calls == 2


@pytest.mark.django_db
def test_a_new_generation_goes_to_django_and_is_kept_again(app, django_app, make_case):
    call(app, "/en/dashboard/")
    make_case(region="new-york", state="NY")
    freshness.flush()  # the generation moves
    call(app, "/en/dashboard/")
    call(app, "/en/dashboard/")
    assert django_app.calls == 2


@pytest.mark.django_db
def test_pages_that_are_not_stored_figures_always_go_to_django(app, django_app):
    for _ in range(2):
        assert call(app, "/en/about/")[0] in ("200 OK", "301 Moved Permanently", "404 Not Found")
        call(app, "/admin/login/")
    assert django_app.calls == 4


@pytest.mark.django_db
def test_an_unreadable_cache_sends_the_request_to_django(app, django_app, monkeypatch):
    call(app, "/en/dashboard/")

    class Unreachable:
        def get_many(self, keys):
            raise ConnectionError("cache down")

    monkeypatch.setattr(stored_pages, "cache", Unreachable())
    assert call(app, "/en/dashboard/")[0] == "200 OK"
    assert django_app.calls == 2


@pytest.mark.django_db
def test_with_the_figure_cache_off_nothing_is_read_or_kept(app, django_app, settings):
    settings.PORTAL_FIGURE_CACHE = False
    call(app, "/en/dashboard/")
    call(app, "/en/dashboard/")
    assert django_app.calls == 2


def test_the_portal_is_served_through_it():
    from grassroots.wsgi import application

    assert isinstance(application, StoredPages)


def test_the_master_loads_what_a_new_worker_would_load_on_its_first_request():
    """gunicorn imports grassroots.wsgi before forking: a recycled worker must not import the
    cache's client library on its first request (0.4 s: the benchmark's burst saw it as its
    p99), nor may the master open a connection its workers would share."""
    probe = (
        "import sys, grassroots.wsgi\n"
        "from django.core.cache import caches\n"
        "from django.db import connections\n"
        "print(sorted(m for m in ('redis', 'grassroots.cache') if m in sys.modules))\n"
        "print(getattr(caches._connections, 'default', None) is None)\n"
        "print(all(c.connection is None for c in connections.all(initialized_only=True)))\n"
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings",
        # Nothing listens there: a connection attempt would fail loudly.
        REDIS_URL="redis://127.0.0.1:1/0",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:3] == ["['grassroots.cache', 'redis']", "True", "True"]


class CountingCache:
    """The cache, counting the reads the fast path makes."""

    def __init__(self, cache):
        self.cache, self.reads, self.keys, self.methods = cache, 0, [], []

    def _read(self, method, keys, answer):
        self.reads += 1
        self.keys.append(list(keys))
        self.methods.append(method)
        return answer()

    def get_many(self, keys):
        return self._read("get_many", keys, lambda: self.cache.get_many(keys))

    def get(self, key, default=None):
        return self._read("get", [key], lambda: self.cache.get(key, default))

    def watch(self, key, default=None):
        # The Redis backend's read without a round trip; any other cache's get.
        read = getattr(self.cache, "watch", self.cache.get)
        return self._read("watch", [key], lambda: read(key, default))

    def set(self, *args, **kwargs):
        return self.cache.set(*args, **kwargs)


@pytest.fixture
def counting_cache(monkeypatch):
    counting = CountingCache(stored_pages.cache)
    monkeypatch.setattr(stored_pages, "cache", counting)
    return counting


@pytest.mark.django_db
def test_a_page_that_is_never_stored_costs_no_cache_read(app, django_app, counting_cache):
    for _ in range(3):
        call(app, "/en/about/")
        call(app, "/admin/login/")
    assert counting_cache.reads == 0
    assert django_app.calls == 6


@pytest.mark.django_db
def test_a_figure_path_is_looked_up_once_django_has_answered_it(app, django_app, counting_cache):
    call(app, "/en/dashboard/")  # not yet known to this worker: Django answers and teaches it
    assert counting_cache.reads == 0
    call(app, "/en/dashboard/", "from=2024")  # the same path with other filters: looked up
    call(app, "/en/dashboard/", "from=2024")
    assert counting_cache.reads == 2
    assert django_app.calls == 2


def test_the_known_paths_are_bounded():
    known = stored_pages.FigurePaths(limit=2)
    for path in ("/en/dashboard/", "/ja/dashboard/", "/en/cases/"):
        known.learn(path)
    assert "/en/cases/" in known
    assert "/en/dashboard/" not in known  # full: it started again


@pytest.mark.django_db
def test_a_page_the_worker_keeps_costs_only_the_generation_read(app, django_app, counting_cache):
    call(app, "/en/dashboard/")  # Django answers; the page is stored and kept
    first = call(app, "/en/dashboard/", x_request_id="req-1")
    second = call(app, "/en/dashboard/", x_request_id="req-1")
    assert django_app.calls == 1
    assert first == second
    assert counting_cache.keys == [[freshness.GENERATION_KEY]] * 2  # not the page's bytes
    # Read the lean way when the cache offers one (PortalRedisCache.watch).
    assert counting_cache.methods == ["watch", "watch"]


@pytest.mark.django_db
def test_a_page_kept_by_another_worker_is_read_whole_then_kept(app, django_app, counting_cache):
    call(app, "/en/dashboard/")
    other = StoredPages(django_app)  # another worker: it has learnt nothing yet
    other.figure_paths.learn("/en/dashboard/")
    call(other, "/en/dashboard/")
    call(other, "/en/dashboard/")
    assert django_app.calls == 1
    key = counting_cache.keys[0][1]
    assert counting_cache.keys == [[freshness.GENERATION_KEY, key], [freshness.GENERATION_KEY]]


@pytest.mark.django_db
def test_a_kept_page_of_an_old_generation_is_not_served(app, django_app, make_case):
    call(app, "/en/dashboard/")
    before = call(app, "/en/dashboard/")
    make_case(region="new-york", state="NY")
    freshness.flush()
    after = call(app, "/en/dashboard/")
    assert django_app.calls == 2
    assert after[2] != before[2]


def test_the_kept_pages_are_bounded_by_their_bytes():
    kept = stored_pages.KeptPages(limit=10)
    kept.keep("a", ("1", "200 OK", [], b"12345"))
    kept.keep("b", ("1", "200 OK", [], b"12345"))
    assert kept.get("a")  # used last: "b" goes first
    kept.keep("c", ("1", "200 OK", [], b"123"))
    assert kept.get("b") is None
    assert kept.get("a")
    assert kept.get("c")
    assert kept.size == 8
    kept.keep("huge", ("1", "200 OK", [], b"x" * 11))  # larger than everything: not kept
    assert kept.get("huge") is None
    assert kept.size == 8
