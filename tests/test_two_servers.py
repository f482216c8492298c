"""Two app servers, one PostgreSQL, one Redis: a change made through one shows on the other.

This is the production topology the README describes: two gunicorn servers (one worker each)
started exactly as `./dev prod` starts one, sharing a dedicated database and a Redis database,
behind a (pretend) load balancer that ends TLS and says so in X-Forwarded-Proto. A staff user
signs in to server 1's admin, marks a planned case as held and then publishes it; server 2's
very next request must show the new totals on the dashboard, in the API figures and in the
public case list, although server 2 had those pages cached.

It needs PostgreSQL and Redis on loopback (as CI and the benchmark do) and no pytest database.
"""

import gc
import html
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.isolation import cache_key_prefix, database_name, delete_redis_keys

PROJECT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("TWO_SERVERS_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = database_name("twoservers")
REDIS_URL = os.environ.get("TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/9")
# The servers' cache keys carry this run's own prefix: the test removes them, and only them.
CACHE_PREFIX = cache_key_prefix("twoservers")
PASSWORD = "two-servers-Passw0rd!"

# Everything `./dev prod` does before starting gunicorn, then the test's own data, in one
# interpreter: each Django start-up costs seconds on a busy machine.
PREPARE = """
import datetime
import os
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
call_command("load_reference")

from django.contrib.auth import get_user_model
from cases.models import Case, CaseFormat, CaseStatus, Region, State

call_command("create_staff", "hq", "--role", "hq", stdout=open(os.devnull, "w"))
hq = get_user_model().objects.get(username="hq")
hq.set_password({password!r})
hq.save()
miami, florida = Region.objects.get(code="miami"), State.objects.get(code="FL")
common = dict(region=miami, state=florida, format=CaseFormat.WORKSHOP)
Case.objects.create(
    title_en="Already held", start_date=datetime.date(2024, 10, 1),
    status=CaseStatus.HELD, is_public=True, **common,
)
planned = Case.objects.create(
    title_en="Planned, then held", start_date=datetime.date(2024, 11, 5),
    status=CaseStatus.PLANNED, is_public=False, **common,
)
print(planned.pk)
"""


def services_or_skip():
    """Fail fast (skip) when PostgreSQL or Redis is not running on this machine."""
    import psycopg
    import redis

    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (psycopg.OperationalError, redis.exceptions.ConnectionError) as error:
        message = f"needs PostgreSQL and Redis on loopback: {error}"
        # CI sets PORTAL_REQUIRE_SERVICES: there a missing service is a failure, not a skip.
        if os.environ.get("PORTAL_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)


def create_database():
    """This run's own database; nothing else on the server is touched."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def remove_database_and_keys():
    """Drop the database this run created and delete the cache keys under its prefix."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    delete_redis_keys(REDIS_URL, CACHE_PREFIX)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough of a browser for the admin, on http.client: cookies, CSRF, no redirects.

    Every request says it came through a TLS-ending load balancer (X-Forwarded-Proto), so the
    servers run with their production settings: https redirects and secure cookies on.
    """

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, form=None, referer=None):
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.origin + (referer or path)
        connection = HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form, referer=None):
        return self.request("POST", path, form=form, referer=referer)


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with the given id (no scripts run)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and "disabled" not in attributes:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, html.unescape(self._text).removeprefix("\n")))
            self._textarea = None


def form_fields(page: str, form_id: str) -> dict[str, list[str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    assert fields, f"no form #{form_id} on the page"
    return fields


def as_pairs(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in fields.items() for value in values]


def figures(browser: Browser) -> dict[str, int]:
    """What a visitor of this server sees: the dashboard headline, the API's figures and the
    number of public cases."""
    status, _headers, page = browser.get("/en/dashboard/")
    assert status == 200, page[:500]
    headline = re.search(r'class="figure-number">([\d,]+)<', page)
    assert headline, "no headline figure on the dashboard"
    status, _headers, stats = browser.get("/api/v1/stats/fiscal-year/")
    assert status == 200
    status, _headers, listing = browser.get("/api/v1/cases/")
    assert status == 200
    return {
        "dashboard": int(headline.group(1).replace(",", "")),
        "api_total": int(re.search(r'"total":\s*(\d+)', stats).group(1)),
        "public_cases": int(re.search(r'"count":\s*(\d+)', listing).group(1)),
    }


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Prepare the shared database once (as `./dev prod` does), start two gunicorn servers,
    wait until both answer /healthz, and always stop them."""
    services_or_skip()
    create_database()
    folder = tmp_path_factory.mktemp("two_servers")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="two-servers-test-key-" + "s" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        DJANGO_CACHE_KEY_PREFIX=CACHE_PREFIX,
        WEB_CONCURRENCY="1",
    )

    servers = []
    try:
        yield from _prepare_and_serve(environ, folder, servers)
    finally:
        for process, _port, _log in servers:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process, _port, log in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        remove_database_and_keys()


def _prepare_and_serve(environ, folder, servers):
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE.format(password=PASSWORD)],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert prepared.returncode == 0, prepared.stderr
    planned_pk = int(prepared.stdout.split()[-1])
    for number in (1, 2):
        port = free_port()
        log = open(folder / f"server{number}.log", "w")  # noqa: SIM115 (closed by the fixture)
        process = subprocess.Popen(
            [str(PROJECT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "grassroots.wsgi"],
            cwd=PROJECT,
            env={**environ, "BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append((process, port, log))
    for process, port, log in servers:
        wait_until_healthy(process, port, log.name)
    yield [Browser(port) for _process, port, _log in servers], planned_pk


def wait_until_healthy(process, port, log_name, seconds=120.0):
    # Generous: a loaded two-core machine takes a while to import pandas and plotly; this is
    # a deadline against a hung server, not a measure of start-up time.
    browser = Browser(port)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {port} exited:\n{Path(log_name).read_text()}")
        try:
            status, _headers, body = browser.get("/healthz")
        except OSError:
            time.sleep(0.1)
            continue
        assert status == 200, body
        return
    pytest.fail(f"gunicorn on {port} not healthy in {seconds} s:\n{Path(log_name).read_text()}")


def sign_in(browser: Browser):
    status, _headers, page = browser.get("/en/admin/login/")
    assert status == 200
    fields = form_fields(page, "login-form")
    fields.update(username=["hq"], password=[PASSWORD])
    status, headers, page = browser.post(
        "/en/admin/login/?next=/en/admin/", as_pairs(fields), referer="/en/admin/login/"
    )
    assert status == 302, page[:2000]
    assert urlsplit(headers["Location"]).path == "/en/admin/"


def test_both_servers_report_healthy_with_the_shared_database_and_redis(two_servers):
    browsers, _planned = two_servers
    for browser in browsers:
        status, headers, body = browser.get("/healthz")
        assert status == 200
        assert '"database": "ok"' in body
        assert '"cache": "ok"' in body
        assert headers["X-Request-ID"]


def test_a_change_through_one_server_shows_on_the_other_at_the_next_request(two_servers):
    (first, second), planned_pk = two_servers
    before = figures(second)
    assert figures(second) == before  # the second reading comes from server 2's cache
    assert before == {"dashboard": 1, "api_total": 1, "public_cases": 1}

    sign_in(first)
    change = f"/en/admin/cases/case/{planned_pk}/change/"
    status, _headers, page = first.get(change)
    assert status == 200
    fields = form_fields(page, "case_form")
    assert fields["status"] == ["planned"]
    fields["status"] = ["held"]
    fields["_save"] = [""]
    status, _headers, page = first.post(change, as_pairs(fields))
    errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page, re.S)
    assert status == 302, errors or page[:2000]

    # Held but not yet reviewed: nothing reaches the figures before HQ approves or publishes.
    held = figures(second)
    assert held == before

    # Publish it from the case list, as HQ does, and the public list grows on server 2 too.
    changelist = "/en/admin/cases/case/"
    status, _headers, page = first.get(changelist)
    assert status == 200
    actions = re.findall(r'<option value="([\w-]+)"', page)
    publish = next(
        action
        for action in actions
        if ("publish" in action or "public" in action)
        and not action.startswith("un")
        and "not" not in action
    )
    fields = form_fields(page, "changelist-form")
    form = [
        ("csrfmiddlewaretoken", fields["csrfmiddlewaretoken"][0]),
        ("action", publish),
        ("_selected_action", str(planned_pk)),
        ("index", "0"),
        ("select_across", "0"),
    ]
    status, _headers, page = first.post(changelist, form)
    assert status == 302, page[:2000]

    published = figures(second)
    assert published == {"dashboard": 2, "api_total": 2, "public_cases": 2}


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    for name in ("BIND", "HOST", "GUNICORN_THREADS", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert config["bind"] == ["127.0.0.1:9123"]
    assert config["workers"] == 3
    assert config["worker_class"] == "sync"
    assert config["preload_app"] is True
    assert config["accesslog"] is None  # the request log is Django's, with the request id
    # Recycled for leaks, but rarely: a new worker's first answers are slow (bench: burst p99).
    assert config["max_requests"] >= 100_000
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["control_socket_disable"] is True  # two servers on one host must not clash
    # The master's imported objects are frozen before each fork (no full collection walks
    # them in a worker).
    try:
        config["pre_fork"](None, None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

    monkeypatch.setenv("BIND", "10.0.0.11:8000")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.delenv("WEB_CONCURRENCY")
    config = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    assert config["bind"] == ["10.0.0.11:8000"]
    assert config["worker_class"] == "gthread"
    assert 1 <= config["workers"] <= 8
