"""Faults under load, against the production stack the test starts for itself.

A PostgreSQL cluster (initdb into a temporary folder) and a redis-server of the test's own, on
free ports; two gunicorn workers running the portal against them; a few threads requesting
public pages all the time. Then each part is stopped and started again while the requests go
on, and the answers are counted:

- Redis stopped: every public page is still a 200 (0 5xx), and the cache is used again once
  Redis is back, without a restart;
- PostgreSQL stopped: pages in the cache are still 200s (marked stale when the data may have
  changed), the others 503s with Retry-After, never a 500; after PostgreSQL is back every page
  is a 200 again without a restart;
- a staff member saving a case while PostgreSQL stops: every save the server acknowledged is
  in the database, each whole (the case and its audit entry), and none of the refused ones is.

The numbers of a longer run (30 s, 64 connections, wrk) are in docs/faults.md: `./dev faults`.
"""

import collections
import re
import threading
import time

import pytest

from tests import stack
from tests.isolation import RUN_ID

pytestmark = pytest.mark.standalone

PASSWORD = "faults-Passw0rd-long!"
CACHED = ["/en/dashboard/", "/ja/dashboard/", "/en/cases/", "/api/v1/cases/",
          "/api/v1/stats/region/"]  # fmt: skip
UNCACHED = ["/en/about/"]

SEED = """
import datetime
import os
from django.contrib.auth import get_user_model
from django.core.management import call_command
from cases.models import Case, CaseFormat, CaseStatus, Region, State
call_command("create_staff", "hq", "--role", "hq", stdout=open(os.devnull, "w"))
hq = get_user_model().objects.get(username="hq")
hq.set_password({password!r})
hq.save()
miami, florida = Region.objects.get(code="miami"), State.objects.get(code="FL")
for n in range(20):
    case = Case.objects.create(
        title_en=f"Fault case {{n}}", start_date=datetime.date(2024, 10, 1 + n),
        status=CaseStatus.HELD, is_public=True, region=miami, state=florida,
        format=CaseFormat.WORKSHOP,
    )
print(case.pk)
"""


@pytest.fixture(scope="module")
def faults_stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"faults-{RUN_ID}")
    postgres = stack.PrivatePostgres("faults")
    redis = stack.PrivateRedis(folder)
    server = None
    try:
        environ = stack.start_portal_services(
            postgres, redis, folder, f"faults-{RUN_ID}", DATABASE_CONN_MAX_AGE="60"
        )
        stack.run_python(stack.PREPARE, environ)
        case_pk = int(stack.run_python(SEED.format(password=PASSWORD), environ).split()[-1])
        server = stack.Gunicorn(environ, folder / "gunicorn.log", workers=2)
        server.start()
        yield {"postgres": postgres, "redis": redis, "server": server, "case": case_pk}
    finally:
        if server is not None:
            server.stop()
        redis.stop()
        postgres.remove()


class Load:
    """Threads requesting the given pages round and round, counting what comes back."""

    def __init__(self, port: int, paths: list[str], threads: int = 4):
        self.port, self.paths = port, paths
        self.statuses: collections.Counter = collections.Counter()
        self.by_path: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.stale = 0
        self.errors = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]

    def run(self, offset: int):
        n = offset
        while not self.stopping.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                status, headers, _body = stack.get(
                    self.port, path, {"Accept-Encoding": "gzip"}, timeout=15
                )
            except OSError:
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)
                continue
            with self.lock:
                self.statuses[status] += 1
                self.by_path[path][status] += 1
                self.stale += "X-Portal-Stale" in headers

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)

    def server_errors(self, paths=None) -> int:
        counters = [self.by_path[p] for p in (paths or self.paths)]
        return sum(count for c in counters for status, count in c.items() if status >= 500)


def warm(port: int, paths: list[str]) -> None:
    for path in paths:
        for _ in range(2):
            status, _headers, _body = stack.get(port, path, {"Accept-Encoding": "gzip"})
            assert status == 200, path


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def health(port: int) -> dict:
    import json

    status, _headers, body = stack.get(port, "/healthz")
    return {**json.loads(body), "http": status}


def test_redis_down_no_5xx_and_back_without_a_restart(faults_stack):
    port, redis = faults_stack["server"].port, faults_stack["redis"]
    warm(port, CACHED + UNCACHED)
    with Load(port, CACHED + UNCACHED) as load:
        time.sleep(1)
        redis.stop()
        time.sleep(4)
        during = health(port)
        redis.start()
        assert wait_for(lambda: health(port)["cache"] == "ok", 20)
        time.sleep(1)
    assert during["http"] == 200, during
    assert during["cache"] == "degraded", during
    assert load.server_errors() == 0, dict(load.by_path)
    assert load.errors == 0
    assert load.statuses[200] > 20
    for path in CACHED:
        assert stack.get(port, path)[0] == 200


def test_database_down_cached_pages_served_others_503_and_back_without_a_restart(faults_stack):
    port, postgres = faults_stack["server"].port, faults_stack["postgres"]
    warm(port, CACHED)
    with Load(port, CACHED + UNCACHED) as load:
        time.sleep(1)
        postgres.stop()
        time.sleep(4)
        during = health(port)
        uncached = stack.get(port, "/en/cases/?q=outage")
        postgres.start()
        assert wait_for(lambda: health(port)["http"] == 200, 30)
        time.sleep(1)
    assert during["http"] == 503
    assert during["database"] == "error"
    assert uncached[0] == 503
    assert uncached[1]["Retry-After"] == "30"
    assert load.statuses[500] == 0, dict(load.by_path)
    assert load.server_errors(CACHED) == 0, dict(load.by_path)
    assert set(load.by_path["/en/about/"]) <= {200, 503}
    assert load.errors == 0
    for path in CACHED + UNCACHED + ["/en/cases/?q=outage"]:
        assert stack.get(port, path)[0] == 200, path


def test_saves_during_a_database_outage_are_whole_or_absent(faults_stack):
    from tests.test_two_servers import Browser, as_pairs, form_fields

    port, postgres, pk = (faults_stack[k] for k in ("server", "postgres", "case"))
    port = port.port
    browser = Browser(port)
    browser.request = plain_http(browser)
    status, _h, page = browser.get("/en/admin/login/")
    fields = form_fields(page, "login-form")
    fields.update(username=["hq"], password=[PASSWORD])
    status, _h, page = browser.post("/en/admin/login/?next=/en/admin/", as_pairs(fields))
    assert status == 302, page[:1000]
    change = f"/en/admin/cases/case/{pk}/change/"
    status, _h, page = browser.get(change)
    assert status == 200
    fields = form_fields(page, "case_form")
    before = int(postgres.psql(_AUDIT_COUNT.format(pk=pk), "portal"))

    acknowledged, refused, other = [], [], []
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            form = dict(fields)
            form.update(title_en=[f"Save {n}"], summary_en=[f"Summary of save {n}"], _save=[""])
            try:
                status, _headers, _page = browser.post(change, as_pairs(form))
            except OSError:
                other.append(n)
                continue
            (acknowledged if status == 302 else refused if status == 503 else other).append(
                (n, status)
            )
            time.sleep(0.05)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(1.5)
    postgres.stop()
    time.sleep(3)
    postgres.start()
    assert wait_for(lambda: health(port)["http"] == 200, 30)
    time.sleep(1.5)
    stop.set()
    writer.join(30)

    assert acknowledged, (acknowledged, refused, other)
    assert refused, (acknowledged, refused, other)
    assert not [status for _n, status in other if status >= 500], other
    last = max(n for n, _status in acknowledged)
    row = postgres.psql(
        f"SELECT title_en || '|' || summary_en FROM cases_case WHERE id={pk}", "portal"
    )
    assert row == f"Save {last}|Summary of save {last}"
    after = int(postgres.psql(_AUDIT_COUNT.format(pk=pk), "portal"))
    assert after - before == len(acknowledged)


_AUDIT_COUNT = (
    "SELECT count(*) FROM audit_auditentry WHERE object_id = '{pk}' AND action = 'change'"
)


def plain_http(browser):
    """The servers run without the https redirect: talk plain http, no forwarded header."""
    from http.client import HTTPConnection
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    def request(method, path, form=None, referer=None):
        headers = {"Host": f"127.0.0.1:{browser.port}"}
        if browser.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{browser.port}{referer or path}"
        connection = HTTPConnection("127.0.0.1", browser.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                browser.cookies[name] = morsel.value
        return response.status, response.headers, content

    return request


def test_the_stack_used_its_own_services(faults_stack):
    """The app ran against the test's own PostgreSQL and Redis, nothing shared."""
    assert faults_stack["postgres"].port != 5432
    assert faults_stack["redis"].port != 6379
    assert re.fullmatch(r"\d+", str(faults_stack["server"].port))
