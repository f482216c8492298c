"""`python -m bench [--quick]`: build the data sets, serve them, measure, write the report.

The full run takes about a quarter of an hour (the 1M data set included) and writes
docs/performance.md; it exits with status 1 when any target is missed. `--quick` is a smoke
run of every step on tiny data with 2-second wrk runs (about two minutes): it prints the
table, asserts no target, and fails only when a step does not work.

Needs PostgreSQL (it drops and creates its own database, BENCH_DB), Redis (it empties its
own database number, BENCH_REDIS_DB) and wrk (`apt-get install wrk`); see bench/config.py.
"""

import argparse
import datetime
import shlex
import shutil
import sys
import time
from pathlib import Path

from bench import database, dataflow, dataset, lists, machine, report, transfer, wrk
from bench.config import ROOT, Config
from bench.database import log
from bench.server import Server, ServerFailed, base_env, collect_static, make_workdir

PAGES = {
    "dashboard": "/en/dashboard/",
    "case browser": "/en/cases/",
    "api list": "/api/v1/cases/",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny data, short runs")
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the report (default docs/performance.md; a --quick run only "
        "prints it unless this is given)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    return parser.parse_args(argv)


def preflight(cfg: Config) -> None:
    """Fail early, with a clear message, when a prerequisite is missing."""
    if not shutil.which(cfg.wrk):
        raise SystemExit(f"wrk not found at {cfg.wrk}: apt-get install wrk (or set BENCH_WRK)")
    try:
        with database.connect(cfg.admin_url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as problem:
        raise SystemExit(f"cannot reach PostgreSQL at {cfg.admin_url}: {problem}") from None
    import redis

    try:
        redis.Redis.from_url(cfg.cache_url, socket_connect_timeout=5).ping()
    except Exception as problem:
        raise SystemExit(f"cannot reach Redis at {cfg.cache_url}: {problem}") from None


def measure_page(cfg, results, server, size, mode, name, path, **options) -> None:
    """One wrk run, after checking the page answers 200 itself (wrk counts 3xx as success)."""
    status, _, _ = server.get(path, headers=wrk.HEADERS)
    if status != 200:
        results.problems.append(f"{path} answered {status} ({mode}, {size:,} cases)")
        log(f"  {name}: {path} answered {status}; not measured")
        return
    run = wrk.run(
        cfg,
        name,
        server.base_url + path,
        workers=server.worker_pids,
        master=server.process.pid,
        **options,
    )
    results.runs[(size, mode, name)] = run
    log(f"  {name} ({mode}, {size:,}): {run.summary()}")


def serve(cfg, results, env, workdir, size: int, cached: bool) -> None:
    """Start a server on the data set and take every measurement that belongs to it.

    The cached server (the configuration as deployed) measures every page type; the server
    with PORTAL_FIGURE_CACHE=0 measures what an uncached dashboard request costs. A server
    that does not start is a problem in the report, not the end of the run.
    """
    mode = "cached" if cached else "uncached"
    try:
        with Server(cfg, env, workdir, figure_cache=cached) as server:
            results.worker_class = server.worker_class()
            measure_page(cfg, results, server, size, mode, "hello", "/bench/hello")
            measure_page(cfg, results, server, size, mode, "dashboard", PAGES["dashboard"])
            if not cached:
                lists.measure(cfg, results, server, size, workdir)
                if size == max(cfg.sizes):
                    results.plans = lists.plans(env)
                return
            if size == cfg.page_size:
                for name in ("case browser", "api list"):
                    measure_page(cfg, results, server, size, mode, name, PAGES[name])
                measure_page(
                    cfg,
                    results,
                    server,
                    size,
                    mode,
                    "burst",
                    PAGES["dashboard"],
                    connections=cfg.burst_connections,
                    duration=cfg.burst_duration,
                )
                results.weight = transfer.measure(server)
                if not results.weight.ok:
                    results.problems.append("a dashboard asset did not answer 200")
            if size == max(cfg.sizes):
                results.downloads = dataflow.measure_downloads(cfg, server)
                results.problems += [
                    f"{d.kind} download: {d.error}" for d in results.downloads if d.error
                ]
    except ServerFailed as failure:
        log(str(failure))
        first_line = str(failure).splitlines()[0]
        last_line = str(failure).strip().splitlines()[-1]
        results.problems.append(f"{mode} server at {size:,} cases: {first_line} {last_line}")


def main(argv=None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    cfg = Config.quick_run() if options.quick else Config()
    output = options.output or (None if cfg.quick else cfg.output)
    preflight(cfg)
    command = "python -m bench" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    results = report.Results(cfg, command, datetime.datetime.now(datetime.UTC))
    workdir = make_workdir()
    env = base_env(cfg, workdir / "static")
    log(f"work folder {workdir}; collecting static files")
    collect_static(env)
    try:
        _run_stages(cfg, results, env, workdir)
    finally:
        if not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    results.finished = datetime.datetime.now(datetime.UTC)
    return _report(cfg, results, output)


def _run_stages(cfg, results, env, workdir) -> None:
    """Grow the data set stage by stage; at each size measure the pages with the figure cache
    on and off, and at the page size the import."""
    generator = None
    try:
        for size in cfg.sizes:
            started = time.perf_counter()
            before = 0 if generator is None else generator.count()
            generator = dataset.build_stage(cfg, env, size, generator)
            results.build[size] = dict(generator.last_timings, added=size - before)
            results.build[size]["copy"] = generator.last_copy_seconds
            log(f"data set of {size:,} ready in {time.perf_counter() - started:.0f} s")

            serve(cfg, results, env, workdir, size, cached=True)
            serve(cfg, results, env, workdir, size, cached=False)
            if size == cfg.page_size:
                results.importing = dataflow.measure_import(cfg, env, generator, workdir)
                if results.importing.error:
                    results.problems.append(f"import: {results.importing.error}")
    finally:
        if generator is not None:
            generator.conn.close()


def _report(cfg, results, output) -> int:
    """Print and write the report; 1 when something failed or a target was missed."""
    rows = report.targets(results)
    versions = machine.versions(cfg)
    # The last report, when it was taken at this very commit, keeps its targets beside these.
    previous = []
    if output and output.exists():
        previous = report.previous_targets(output.read_text(), versions.get("git commit", ""))
    text = report.markdown(results, rows, machine.machine(), versions, previous)
    print(text)
    if output:
        output.write_text(text)
        log(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if results.problems:
        log("problems: " + "; ".join(results.problems))
        return 1
    if not cfg.quick and any(row.passed is False for row in rows):
        log("some targets were missed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
