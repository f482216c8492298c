"""`./dev faults`: each fault under a 30 s, 64-connection wrk load, counted.

Starts a PostgreSQL cluster and a redis-server of its own (tests/stack.py: initdb into a
temporary folder, free ports), gunicorn against them (WEB_CONCURRENCY workers, default 2),
and for each fault runs wrk over a mix of public pages (the dashboard in both languages, the
case list, the API's case list and figures, the about page) while a staff member keeps saving
a case through the admin. Five seconds in, the fault starts:

- cache: redis-server stopped for 10 s, then started again;
- database: PostgreSQL stopped (immediate) for 9 s, then started again;
- worker: one gunicorn worker killed (SIGKILL); gunicorn starts a new one.

For each: requests, 5xx, 503, stale answers (X-Portal-Stale), socket errors, the saves the
server acknowledged and refused, and the rows of the case and audit tables before and after
(acknowledged saves must equal new audit rows: nothing lost, nothing half-written). The
results are printed and written to docs/faults.md.

    ./dev faults [--duration 30] [--connections 64] [--only cache,database,worker]
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests import stack
from tests.isolation import RUN_ID

PATHS = [
    "/en/dashboard/",
    "/ja/dashboard/",
    "/en/cases/",
    "/api/v1/cases/",
    "/api/v1/stats/region/",
    "/en/about/",
]
PASSWORD = "faults-Passw0rd-long!"

LUA = """
local paths = {%(paths)s}
local threads = {}
function setup(thread) table.insert(threads, thread) end
local n = 0
s5, s503, stale, s200 = 0, 0, 0, 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
response = function(status, headers, body)
  if status >= 500 then s5 = s5 + 1 end
  if status == 503 then s503 = s503 + 1 end
  if status == 200 then s200 = s200 + 1 end
  if headers["X-Portal-Stale"] then stale = stale + 1 end
end
done = function(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("s5"); b = b + t:get("s503"); c = c + t:get("stale"); d = d + t:get("s200")
  end
  io.write(string.format(
    "RESULT requests=%%d s5xx=%%d s503=%%d stale=%%d s200=%%d " ..
    "connect=%%d read=%%d write=%%d timeout=%%d p99ms=%%.1f\\n",
    summary.requests, a, b, c, d, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(99) / 1000))
end
"""

SEED = """
import datetime
from django.contrib.auth import get_user_model
from cases.models import Case, CaseFormat, CaseStatus, Region, State
get_user_model().objects.create_superuser("hq", "hq@example.org", {password!r})
regions = list(Region.objects.order_by("code"))
for n in range(400):
    region = regions[n % len(regions)]
    case = Case.objects.create(
        title_en=f"Fault case {{n}}",
        start_date=datetime.date(2018 + n % 8, 4 + n % 9, 1 + n % 27),
        status=CaseStatus.HELD, is_public=n % 5 != 0, region=region,
        format=CaseFormat.WORKSHOP,
    )
print(case.pk)
"""

COUNT_ROWS = (
    "SELECT (SELECT count(*) FROM cases_case) || ' ' || (SELECT count(*) FROM audit_auditentry)"
)


class Writer(threading.Thread):
    """A staff member saving one case through the admin, again and again."""

    def __init__(self, port: int, pk: int):
        super().__init__()
        from tests.test_faults import plain_http
        from tests.test_two_servers import Browser, as_pairs, form_fields

        self.as_pairs = as_pairs
        self.browser = Browser(port)
        self.browser.request = plain_http(self.browser)
        _s, _h, page = self.browser.get("/en/admin/login/")
        fields = form_fields(page, "login-form")
        fields.update(username=["hq"], password=[PASSWORD])
        status, _h, _page = self.browser.post("/en/admin/login/?next=/en/admin/", as_pairs(fields))
        assert status == 302, status
        self.change = f"/en/admin/cases/case/{pk}/change/"
        _s, _h, page = self.browser.get(self.change)
        self.fields = form_fields(page, "case_form")
        self.stopping = threading.Event()
        self.acknowledged = self.refused = self.other = 0
        self.n = 0

    def run(self):
        while not self.stopping.is_set():
            self.n += 1
            form = dict(self.fields)
            form.update(title_en=[f"Save {RUN_ID} {self.n}"], _save=[""])
            try:
                status, _h, _page = self.browser.post(self.change, self.as_pairs(form))
            except OSError:
                self.other += 1
                time.sleep(0.2)
                continue
            if status == 302:
                self.acknowledged += 1
            elif status == 503:
                self.refused += 1
            else:
                self.other += 1
            time.sleep(0.2)


def run_fault(name, start, stop, *, port, postgres, pk, duration, connections, folder):
    script = folder / "mix.lua"
    script.write_text(LUA % {"paths": ", ".join(f'"{p}"' for p in PATHS)})
    for path in PATHS:  # warm the page cache
        for _ in range(2):
            stack.get(port, path, {"Accept-Encoding": "gzip"})
    rows_before = postgres.psql(COUNT_ROWS, "portal")
    writer = Writer(port, pk)
    writer.start()
    wrk = subprocess.Popen(
        ["wrk", "-t", "4", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(5)
    fault_started = time.monotonic()
    start()
    healthz_during = stack.get(port, "/healthz")[0]
    stop()
    recovered_after = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if stack.get(port, "/healthz")[0] == 200:
                recovered_after = time.monotonic() - fault_started
                break
        except OSError:
            pass
        time.sleep(0.2)
    output, _ = wrk.communicate(timeout=duration + 60)
    writer.stopping.set()
    writer.join(30)
    time.sleep(0.5)
    rows_after = postgres.psql(COUNT_ROWS, "portal")
    match = re.search(r"RESULT (.*)", output)
    result = dict(pair.split("=") for pair in match.group(1).split()) if match else {}
    cases_before, audit_before = map(int, rows_before.split())
    cases_after, audit_after = map(int, rows_after.split())
    return {
        "fault": name,
        **result,
        "healthz_during": healthz_during,
        "recovered_s": f"{recovered_after:.1f}" if recovered_after else "no",
        "saves_acknowledged": writer.acknowledged,
        "saves_refused": writer.refused,
        "saves_other": writer.other,
        "cases_before": cases_before,
        "cases_after": cases_after,
        "audit_before": audit_before,
        "audit_after": audit_after,
        "nothing_lost": audit_after - audit_before == writer.acknowledged
        and cases_after == cases_before,
    }


def _options(argv):
    parser = argparse.ArgumentParser(prog="./dev faults")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--only", default="cache,database,worker")
    parser.add_argument("--output", default=str(stack.PROJECT / "docs" / "faults.md"))
    return parser.parse_args(argv)


def _prepare(postgres, redis, folder) -> tuple[dict, int]:
    """Start the private services, create and seed the portal's database; returns the
    portal's environment and the seeded case's id."""
    environ = stack.start_portal_services(postgres, redis, folder, f"faults-{RUN_ID}")
    print("Preparing the database ...", flush=True)
    stack.run_python(stack.PREPARE, environ)
    pk = int(stack.run_python(SEED.format(password=PASSWORD), environ).split()[-1])
    return environ, pk


def _faults(redis, postgres, server) -> dict:
    """Each fault: how to cause it and how to end it."""
    return {
        "cache": (redis.stop, lambda: (time.sleep(10), redis.start())),
        "database": (postgres.stop, lambda: (time.sleep(9), postgres.start())),
        "worker": (
            lambda: os.kill(server.worker_pids()[0], signal.SIGKILL),
            lambda: None,
        ),
    }


def main(argv=None):
    options = _options(argv)
    folder = Path(tempfile.mkdtemp(prefix=f"grassroots-faults-{RUN_ID}-"))
    postgres = stack.PrivatePostgres("faults-bench")
    redis = stack.PrivateRedis(folder)
    server = None
    results = []
    try:
        environ, pk = _prepare(postgres, redis, folder)
        server = stack.Gunicorn(environ, folder / "gunicorn.log", workers=options.workers)
        server.start()
        common = {
            "port": server.port,
            "postgres": postgres,
            "pk": pk,
            "duration": options.duration,
            "connections": options.connections,
            "folder": folder,
        }
        faults = _faults(redis, postgres, server)
        for name in options.only.split(","):
            print(f"Fault: {name} ...", flush=True)
            start, stop = faults[name]
            result = run_fault(name, start, stop, **common)
            print(result, flush=True)
            results.append(result)
    finally:
        if server is not None:
            server.stop()
        redis.stop()
        postgres.remove()
        shutil.rmtree(folder, ignore_errors=True)
    write_report(results, options, Path(options.output))


def write_report(results, options, path: Path):
    columns = [
        ("fault", "fault"),
        ("requests", "requests"),
        ("s5xx", "5xx"),
        ("s503", "503"),
        ("stale", "stale"),
        ("s200", "200"),
        ("connect", "socket errors (connect/read/timeout)"),
        ("healthz_during", "/healthz during"),
        ("recovered_s", "healthy again after (s)"),
        ("saves_acknowledged", "saves acknowledged"),
        ("saves_refused", "saves refused (503)"),
        ("rows", "cases before→after"),
        ("audit", "audit rows before→after"),
        ("nothing_lost", "nothing lost"),
    ]
    lines = [
        "# Faults under load",
        "",
        f"`./dev faults` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: "
        f"wrk, {options.duration} s, {options.connections} connections, 4 threads, over "
        f"{', '.join(PATHS)}; gunicorn with {options.workers} sync workers; PostgreSQL and "
        "Redis of the run's own; a staff member saving a case through the admin every 0.2 s. "
        "The fault starts 5 s in: Redis stopped for 10 s, PostgreSQL stopped for 9 s, or one "
        "worker killed.",
        "",
        "| " + " | ".join(title for _key, title in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for result in results:
        cells = []
        for key, _title in columns:
            if key == "connect":
                value = "/".join(str(result.get(k, "?")) for k in ("connect", "read", "timeout"))
            elif key == "rows":
                value = f"{result['cases_before']}→{result['cases_after']}"
            elif key == "audit":
                value = f"{result['audit_before']}→{result['audit_after']}"
            else:
                value = str(result.get(key, "?"))
            cells.append(value)
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "5xx counts every status from 500 up, 503 included; stale counts answers carrying "
        "X-Portal-Stale (served from the page cache while the database was unreachable). "
        "Audit rows grow by one per acknowledged save when nothing is lost or half-written.",
        "",
    ]
    path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
