"""The benchmark suite's own pieces that can be checked without a server: the hello-world
view's routing (only in the benchmark's own URLconf) and the reading of wrk's output.
The suite itself runs with `./dev bench`."""

import os

import pytest
from django.db import connection

from bench import wrk
from bench.config import Config

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/en/dashboard/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    1.23ms  20.00ms   80.00%
    Req/Sec     1.50k   100.00     1.70k    70.00%
  Latency Distribution
     50%  750.00us
     75%    5.50ms
     90%    1.20s
     99%    2.00m
  30000 requests in 10.01s, 4.50MB read
  Socket errors: connect 1, read 2, write 0, timeout 5
  Non-2xx or 3xx responses: 12
Requests/sec:   2998.50
Transfer/sec:    460.00KB
"""


@pytest.mark.django_db
def test_hello_world_is_routed_by_the_benchmark_s_urlconf(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response.content == b"hello"
    assert client.get("/en/").status_code == 200


@pytest.mark.django_db
def test_the_portal_s_own_urlconf_has_no_benchmark_route(client):
    assert client.get("/bench/hello").status_code == 404


def test_the_benchmark_serves_with_its_own_settings(tmp_path):
    from bench.server import base_env

    env = base_env(Config(quick=True), tmp_path)
    assert env["DJANGO_SETTINGS_MODULE"] == "bench.settings"
    assert "PORTAL_BENCH" not in env


def test_wrk_output_is_read():
    result = wrk.parse(WRK_OUTPUT, wrk.WrkResult("page", "http://x/", 16, 10))
    assert result.rps == pytest.approx(2998.5)
    assert result.requests == 30000
    assert result.latency_ms == pytest.approx({"50": 0.75, "75": 5.5, "90": 1200, "99": 120000})
    assert result.socket_errors == {"connect": 1, "read": 2, "write": 0, "timeout": 5}
    assert result.non_2xx == 12
    assert result.errors == 20


def test_the_host_s_steal_is_read_from_proc_stat(tmp_path):
    """A virtual machine's host may take CPU time from it (steal): each run records its share,
    since on a capped machine a saturated run stalls in steps of ~100 ms that a p99 shows."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  1000 10 200 5000 20 0 30 40 7 0\ncpu0 500 5 100 2500 10 0 15 20 0 0\n")
    before = wrk.machine_ticks(str(stat))
    assert before == (40, 1000 + 10 + 200 + 5000 + 20 + 0 + 30 + 40)
    stat.write_text("cpu  1900 10 300 5000 20 0 30 140 9 0\n")
    after = wrk.machine_ticks(str(stat))
    assert wrk.steal_share(before, after) == pytest.approx(100 * 100 / 1100)
    assert wrk.steal_share(None, after) is None
    assert wrk.machine_ticks(str(tmp_path / "missing")) is None
    run = wrk.parse(WRK_OUTPUT, wrk.WrkResult("page", "http://x/", 16, 10))
    run.steal = 4.25
    assert run.summary().endswith("steal 4.2 %")


def test_wrk_output_without_errors_has_none():
    output = WRK_OUTPUT.replace("  Socket errors: connect 1, read 2, write 0, timeout 5\n", "")
    output = output.replace("  Non-2xx or 3xx responses: 12\n", "")
    result = wrk.parse(output, wrk.WrkResult("page", "http://x/", 16, 10))
    assert result.errors == 0


def test_unreadable_wrk_output_is_an_error():
    with pytest.raises(ValueError, match="Requests/sec"):
        wrk.parse("wrk: connection refused", wrk.WrkResult("page", "http://x/", 16, 10))


def test_quick_run_is_small():
    quick = Config.quick_run()
    assert quick.quick
    assert max(quick.sizes) <= 10_000
    assert quick.page_size in quick.sizes
    assert Config().sizes == (1_000, 100_000, 1_000_000)


def test_the_workers_cpu_time_is_read_from_proc():
    import time

    before = wrk.cpu_seconds([os.getpid()])
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert wrk.cpu_seconds([os.getpid()]) - before >= 0.03
    assert wrk.cpu_seconds([2**22 + 12345]) == 0  # a process that is gone counts nothing


def test_the_run_with_the_median_requests_is_kept_with_every_runs_figures(monkeypatch):
    import subprocess

    outputs = iter([WRK_OUTPUT.replace("2998.50", rps) for rps in ("900.0", "1100.0", "1000.0")])

    def fake(command, **kwargs):
        return subprocess.CompletedProcess(command, 0, stdout=next(outputs), stderr="")

    monkeypatch.setattr(wrk.subprocess, "run", fake)
    monkeypatch.setattr(wrk, "drain", lambda url, count: None)
    cfg = Config(runs=3, warmup=0)
    result = wrk.run(cfg, "page", "http://127.0.0.1:1/", workers=lambda: [os.getpid()])
    assert result.rps == 1000.0
    assert result.rps_runs == [900.0, 1100.0, 1000.0]
    assert result.cpu_ms is not None
    assert result.load is not None


def test_a_worker_that_ended_during_a_run_counts_through_its_master():
    """gunicorn replaces a worker after max_requests: the time of one that ended is read from
    its master's reaped children, so the run's CPU time never goes down."""
    import subprocess
    import sys

    before = wrk.cpu_seconds([], master=os.getpid())
    burn = "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    assert wrk.cpu_seconds([], master=os.getpid()) - before >= 0.15


@pytest.mark.django_db
def test_generated_cases_and_partners_carry_the_search_document_the_register_would_store():
    """The benchmark's text searches meet real matches: its synthetic rows hold the document
    the register itself writes (cases.search), not an empty column."""
    from django.db import connection

    from bench.dataset import Generator
    from cases.models import Case, Partner
    from cases.search import FIELDS, document_of

    connection.ensure_connection()
    generator = Generator(connection.connection, Config())
    case = generator.case_values(7)
    partner = generator.partner_values(7)
    expected = {
        "cases.case": document_of(Case(**{n: case[n] for n in FIELDS["cases.case"]})),
        "cases.partner": document_of(Partner(**{n: partner[n] for n in FIELDS["cases.partner"]})),
    }
    assert case["search_document"] == expected["cases.case"]
    assert partner["search_document"] == expected["cases.partner"]
    assert "(7)" in case["search_document"]
    assert "00007" in partner["search_document"]


def test_copy_text_values_are_escaped():
    from bench.database import text_value

    assert text_value("title\nタイトル") == "title\\nタイトル"
    assert text_value("a\tb\\c\r") == "a\\tb\\\\c\\r"
    assert text_value(None) == "\\N"
    assert text_value(True) == "t"
    assert text_value(3) == "3"


def test_a_plan_s_sequential_scans_are_measured_by_the_rows_they_read():
    from bench.plans import scanned_rows

    stopped = """Aggregate  (cost=1.0..2.0 rows=1 width=8) (actual time=12.6..12.6 rows=1 loops=1)
  ->  Limit  (cost=9.4..11.4 rows=1001 width=8) (actual time=0.05..12.6 rows=1001 loops=1)
        ->  Seq Scan on cases_case  (cost=9..13 rows=47) (actual time=0.05..12 rows=1001 loops=1)
              Filter: (is_public AND (search_document ~~ '%workshop%'::text))
              Rows Removed by Filter: 11136
              SubPlan 1
                ->  Index Scan using x on cases_partner  (actual time=0.1..0.1 rows=0 loops=1)
                      Rows Removed by Filter: 99
"""
    assert scanned_rows(stopped) == [12137]
    index_only = "Index Scan using case_idx on cases_case  (actual time=0.1..0.5 rows=20 loops=1)"
    assert scanned_rows(index_only) == []


def test_the_first_visit_counts_the_documents_svg_outlines_come_from():
    from bench.transfer import AssetFinder

    finder = AssetFinder()
    finder.feed(
        '<link rel="stylesheet" href="/static/a.css"><svg>'
        '<use href="/maps/us-1.svg#s-FL" fill="#fff"/><use href="/maps/us-1.svg#s-GA"/>'
        '<use href="#local"/></svg><script src="/static/b.js"></script>'
    )
    assert finder.urls == ["/static/a.css", "/maps/us-1.svg", "/static/b.js"]


def test_a_second_run_at_the_same_commit_keeps_the_first_runs_targets():
    from bench.report import previous_targets

    earlier = "\n".join(
        [
            "# Performance",
            "",
            "- Date: 2026-12-05 01:30 UTC, 20.1 minutes",
            "- Versions: Python 3.13.0, git commit abc1234",
            "",
            "## Targets",
            "",
            "| what | target | measured | ratio | result |",
            "| --- | --- | --- | --- | --- |",
            "| dashboard | ≥ 1.20 | 1 vs 1 | 1.30 | PASS |",
            "",
            "1 passed, 0 failed.",
            "",
            "## The previous run at this commit",
            "",
            "an older table",
            "",
            "## Every wrk run",
            "",
        ]
    )
    kept = previous_targets(earlier, "abc1234")
    assert kept[0] == "## The previous run at this commit"
    assert "2026-12-05 01:30 UTC" in kept[2]
    assert "| dashboard | ≥ 1.20 | 1 vs 1 | 1.30 | PASS |" in kept[4]
    assert "an older table" not in "\n".join(kept)  # only the run just before
    assert previous_targets(earlier, "def5678") == []
    dirty = earlier.replace("abc1234", "abc1234 (with uncommitted changes)")
    assert previous_targets(dirty, "abc1234 (with uncommitted changes)") == []
    assert previous_targets(dirty, "abc1234") == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE is PostgreSQL's")
def test_a_planned_page_beyond_its_list_is_reported_not_a_crash(make_case):
    """`./dev bench --quick` plans page 15 of one state in region order on a few thousand
    cases: read a region at a time from the tallies' sizes, such a page makes no query."""
    from bench import plans
    from cases.figures import freshness

    make_case(state="PR", region="new-york")
    freshness.flush(bump=False)
    found = plans.plan("state=PR&sort=region&page=15")
    assert found["page"] == "No query: page 15 lies beyond this list."
    assert found["seq_scan"] is False
    assert plans.plan("state=PR&sort=region")["page"]  # the first page is planned as before
