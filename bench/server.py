"""The production stack on loopback: gunicorn with the repo's configuration, PostgreSQL, Redis.

The server runs as it would in production (debug off, compressed hashed static files,
the shared Redis cache, the repo's gunicorn.conf.py when there is one) with only what a
benchmark needs on top: loopback, 2 workers, a throwaway secret key, the hello-world view
(bench.settings), and optionally the figure cache switched off (PORTAL_FIGURE_CACHE=0) to
measure what every uncached request costs.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.config import GUNICORN, ROOT, Config
from bench.database import log, manage


def base_env(cfg: Config, static_root: Path) -> dict:
    """The environment of every manage.py command and of gunicorn."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "REDIS_", "WEB_CONCURRENCY"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=cfg.database_url,
        REDIS_URL=cfg.cache_url,
        # The portal's settings with the benchmark's URLconf (adds /bench/hello).
        DJANGO_SETTINGS_MODULE="bench.settings",
        WEB_CONCURRENCY=str(cfg.workers),
        GUNICORN_TIMEOUT=str(cfg.worker_timeout),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def collect_static(env: dict) -> None:
    """Hashed, compressed static files, as a deployment builds them."""
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


class ServerFailed(RuntimeError):
    """gunicorn did not start or did not answer; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master with its workers; `start()` waits until it answers."""

    def __init__(self, cfg: Config, env: dict, workdir: Path, figure_cache: bool = True):
        self.cfg = cfg
        self.env = dict(env)
        if not figure_cache:
            self.env["PORTAL_FIGURE_CACHE"] = "0"
        self.figure_cache = figure_cache
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.config_file = ROOT / "gunicorn.conf.py"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [str(GUNICORN)]
        if self.config_file.exists():
            command += ["--config", str(self.config_file)]
        # The command line wins over the configuration file: loopback, our port, 2 workers.
        command += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.cfg.workers),
            # gunicorn 27's control socket has one default path per user: leave it alone.
            "--no-control-socket",
            "--pid",
            str(self.workdir / f"gunicorn-{self.port}.pid"),
            "grassroots.wsgi:application",
        ]
        return command

    def start(self, timeout: float = 90) -> None:
        log(
            f"starting gunicorn on {self.base_url} "
            f"({'figure cache on' if self.figure_cache else 'PORTAL_FIGURE_CACHE=0'}"
            f"{', ' + self.config_file.name if self.config_file.exists() else ', no config'})"
        )
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise ServerFailed(f"gunicorn exited with {code}:\n{self.log_tail()}")
            try:
                status, _, _ = self.get("/bench/hello")
                if status == 200 and len(self.worker_pids()) >= self.cfg.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerFailed(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Graceful stop of this master (and so its workers), by its own pid."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # Its own session, so its process group is this master and its workers only.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self.log_file.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def worker_class(self) -> str:
        """The worker type gunicorn reports in its log ("sync", "gthread"...)."""
        match = re.search(r"Using worker: (\S+)", self.log_path.read_text(errors="replace"))
        return match.group(1) if match else "unknown"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def get(self, path: str, headers: dict | None = None, timeout: float = 30):
        """(status, headers, body) of one GET, without decoding any content encoding."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    # --- Workers and their memory ----------------------------------------------------------

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def memory(self) -> dict[int, dict[str, int]]:
        """{worker pid: {"VmRSS": kB, "VmHWM": kB}} for every live worker."""
        result = {}
        for pid in self.worker_pids():
            status = read_status(pid)
            if status:
                result[pid] = status
        return result


def children(pid: int) -> list[int]:
    """The direct children of a process, from /proc (the gunicorn workers of a master)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(part) for part in text.split())
    except OSError:
        pass
    return sorted(set(found))


def read_status(pid: int) -> dict[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def make_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="grassroots-bench-"))


class MemoryWatch:
    """Samples every worker's VmRSS and VmHWM while a request runs.

    Sampling (rather than reading once before and once after) still sees a worker that exits
    at the end of the request, as gunicorn's max_requests recycling may make it do. Growth is
    the largest rise of a worker's peak (VmHWM) over its value when the watch began (or when
    the worker first appeared).
    """

    def __init__(self, server: Server, interval: float = 0.05):
        self.server = server
        self.interval = interval
        self.first: dict[int, dict[str, int]] = {}
        self.last: dict[int, dict[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid, values in self.server.memory().items():
            self.first.setdefault(pid, values)
            self.last[pid] = values

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def growth_kb(self) -> int:
        return max(
            (self.last[pid]["VmHWM"] - self.first[pid]["VmHWM"] for pid in self.last),
            default=0,
        )

    @property
    def peak_kb(self) -> int:
        return max((values["VmHWM"] for values in self.last.values()), default=0)

    @property
    def rss_before_kb(self) -> int:
        return max((values["VmRSS"] for values in self.first.values()), default=0)
