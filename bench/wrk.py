"""Running wrk (the Debian package) and reading its summary.

`wrk --latency` prints the requests/s, the latency percentiles (50/75/90/99), socket errors
and "Non-2xx or 3xx responses". wrk counts a 3xx as a success, so every URL the suite loads
is first fetched once and must answer 200 itself (no redirect); see `check_ok()`.

Beside wrk's figures each run records what the app's workers spent: their CPU time (user +
system, from /proc/<pid>/stat) over the run divided by the requests served, which does not
depend on what else the machine was doing, the load average when the run started, and the
share of the CPU time the host of a virtual machine took during the run (steal). A
page is measured `cfg.runs` times and the run with the median requests/s is kept (all of
them are listed in the report).
"""

import http.client
import os
import re
import statistics
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.config import Config

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
HEADERS = {"Accept-Encoding": "gzip, br", "Accept-Language": "en"}


@dataclass
class WrkResult:
    name: str
    url: str
    connections: int
    duration: int
    requests: int = 0
    rps: float = 0.0
    latency_ms: dict = field(default_factory=dict)  # {"50": ms, "75": ..., "99": ...}
    socket_errors: dict = field(default_factory=dict)
    non_2xx: int = 0
    raw: str = ""
    # The workers' CPU time per request (ms) and the 1-minute load average at the start.
    cpu_ms: float | None = None
    load: float | None = None
    # The share of the machine's CPU time its host took during the run (steal, %): on a
    # virtual machine whose host caps it below its cores, a saturated run stalls in
    # steps of ~100 ms, which a p99 shows.
    steal: float | None = None
    # Requests/s of every run of this page, when it was measured more than once.
    rps_runs: list = field(default_factory=list)

    @property
    def p50(self) -> float:
        return self.latency_ms.get("50", float("nan"))

    @property
    def p99(self) -> float:
        return self.latency_ms.get("99", float("nan"))

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.non_2xx

    def summary(self) -> str:
        cpu = f", {self.cpu_ms:.2f} ms CPU/request" if self.cpu_ms is not None else ""
        steal = f", steal {self.steal:.1f} %" if self.steal is not None else ""
        return (
            f"{self.rps:,.0f} req/s, p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, "
            f"{self.errors} errors{cpu}{steal}"
        )


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse(output: str, result: WrkResult) -> WrkResult:
    """Fill `result` from wrk's text output."""
    result.raw = output
    match = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not match:
        raise ValueError(f"wrk printed no Requests/sec:\n{output}")
    result.rps = float(match.group(1))
    match = re.search(r"^\s*(\d+) requests in", output, re.M)
    result.requests = int(match.group(1)) if match else 0
    for percentile, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M):
        result.latency_ms[percentile] = _milliseconds(value)
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if match:
        result.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
        )
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result.non_2xx = int(match.group(1)) if match else 0
    return result


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None for a process gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def machine_ticks(path: str = "/proc/stat") -> tuple[int, int] | None:
    """(steal, all) clock ticks of the machine's CPUs so far, from the first line of
    /proc/stat (user nice system idle iowait irq softirq steal ...; guest time is counted in
    user), or None where there is no such file."""
    try:
        with open(path) as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(values) < 8:
        return None
    return values[7], sum(values[:8])


def steal_share(before, after) -> float | None:
    """The percentage of CPU time stolen between two `machine_ticks()` readings."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return 100 * (after[0] - before[0]) / (after[1] - before[1])


def cpu_seconds(pids, master: int | None = None) -> float:
    """User plus system CPU time of these processes so far (a process gone counts 0), plus,
    for `master`, the CPU time of its children that have exited and been reaped.

    gunicorn restarts a worker after max_requests, so the workers at the end of a run are
    not all those of its start. Read the workers alive at each end and the master's reaped
    children at both ends: the difference is what every worker spent during the run (a
    worker that ended has all its time in the master's count, less what it had at the start;
    one that began has all of its own)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    if master is not None and (fields := _stat(master)) is not None:
        total += int(fields[13]) + int(fields[14])  # cutime, cstime (fields 16 and 17)
    return total / ticks


def run(
    cfg: Config,
    name: str,
    url: str,
    *,
    connections: int | None = None,
    duration: int | None = None,
    warmup: bool = True,
    workers=None,
    master: int | None = None,
    script: str | None = None,
) -> WrkResult:
    """A warm-up run (discarded), then `cfg.runs` measured runs; the one with the median
    requests/s is returned, with every run's requests/s. `workers()` gives the pids of the
    app's workers and `master` gunicorn's: their CPU time per request is recorded. `script`
    is a wrk Lua script (e.g. one that varies the path of each request)."""
    connections = connections or cfg.connections
    duration = duration or cfg.duration
    command = [cfg.wrk, f"-t{cfg.threads}", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    for key, value in HEADERS.items():
        command += ["-H", f"{key}: {value}"]
    if warmup and cfg.warmup:
        subprocess.run(
            [*command, f"-c{connections}", f"-d{cfg.warmup}s", url],
            capture_output=True,
            check=True,
        )
        drain(url, cfg.workers)
    results = []
    for number in range(max(1, cfg.runs)):
        if number:
            drain(url, cfg.workers)
        pids = workers() if workers else []
        load = os.getloadavg()[0]
        before = cpu_seconds(pids, master)
        ticks = machine_ticks()
        completed = subprocess.run(
            [*command, f"-c{connections}", f"-d{duration}s", url],
            capture_output=True,
            text=True,
            check=True,
        )
        spent = cpu_seconds(workers() if workers else [], master) - before
        result = parse(completed.stdout, WrkResult(name, url, connections, duration))
        result.load = load
        result.steal = steal_share(ticks, machine_ticks())
        if pids and result.requests:
            result.cpu_ms = spent * 1000 / result.requests
        results.append(result)
    median = statistics.median_low([result.rps for result in results])
    chosen = next(result for result in results if result.rps == median)
    chosen.rps_runs = [result.rps for result in results]
    return chosen


def drain(url: str, count: int) -> None:
    """Wait until the requests the warm-up left queued have been served.

    When wrk stops it drops its connections, but a sync worker still serves every request
    already in the listen queue. A measured run started at once would wait behind them, so
    first `count` concurrent GETs (one per worker) must come back.
    """
    parts = urlsplit(url)

    def get(_):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            conn.getresponse().read()
        finally:
            conn.close()

    with ThreadPoolExecutor(count) as pool:
        list(pool.map(get, range(count)))


def version(cfg: Config) -> str:
    completed = subprocess.run([cfg.wrk, "--version"], capture_output=True, text=True)
    text = (completed.stdout + completed.stderr).strip().splitlines()
    return text[0].split(" Copyright")[0].removeprefix("wrk ") if text else "unknown"
