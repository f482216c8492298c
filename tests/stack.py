"""Private services for the tests that run the production stack: a PostgreSQL cluster and a
Redis server of the test's own (on free ports, in a temporary folder, stopped and removed
afterwards), gunicorn servers running the portal against them, and nginx in front.

Nothing here touches a service it did not start: the clusters live in the test's folder, the
processes are stopped by their own pid, and the folders are removed by pytest's tmp_path.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

import pytest

from tests.isolation import RUN_ID

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing(message: str):
    """Skip, or fail where CI says every service must be there (PORTAL_REQUIRE_SERVICES)."""
    if os.environ.get("PORTAL_REQUIRE_SERVICES"):
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(port: int, seconds: float, process=None, what="server") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {seconds} s")


class PrivateRedis:
    """redis-server on a free port, no persistence; stop() and start() simulate an outage."""

    def __init__(self, folder: Path):
        if not shutil.which("redis-server"):
            missing("needs redis-server (Debian package redis-server)")
        self.folder = folder
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, 10, self.process, "redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of its own: initdb into a temporary folder, a free port, trust
    authentication on loopback only. Run as the `postgres` system user when the tests run as
    root (PostgreSQL refuses to run as root)."""

    def __init__(self, purpose: str = "pg"):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            missing("needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
        self.bin = Path(binaries[-1]).parent
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix=f"grassroots-{purpose}-{RUN_ID}-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root needs a 'postgres' system user for initdb")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args, check=True, timeout=120):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, timeout=timeout
        )

    def init(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
            os.chown(self.sockets, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=60 -c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        """Stop the server if it runs and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-Atc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()


def portal_environment(**settings) -> dict:
    """The environment a production app server runs with, nothing inherited that could point
    it at another database or cache."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="stack-test-key-" + "s" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
    )
    environ.update({key: str(value) for key, value in settings.items()})
    return environ


def start_portal_services(postgres, redis, folder, prefix: str, **settings) -> dict:
    """Start a private PostgreSQL (with an empty `portal` database) and Redis, and give the
    environment an app server of the portal runs with against them (no TLS redirect, static
    files in `folder`, cache keys under `prefix`)."""
    postgres.init()
    postgres.start()
    redis.start()
    postgres.psql("CREATE DATABASE portal")
    return portal_environment(
        DATABASE_URL=postgres.url("portal"),
        REDIS_URL=redis.url,
        DJANGO_CACHE_KEY_PREFIX=prefix,
        DJANGO_STATIC_ROOT=folder / "static",
        DJANGO_SECURE_SSL_REDIRECT="0",
        **settings,
    )


def run_python(code: str, environ: dict) -> str:
    """Run code in a fresh interpreter with Django set up; its stdout, or the test fails."""
    done = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


PREPARE = """
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
call_command("load_reference")
"""


class Gunicorn:
    """One app server: gunicorn as `./dev prod` starts it, on a free port, logging to a file."""

    def __init__(self, environ: dict, log: Path, workers: int = 1, port: int | None = None):
        self.port = port or free_port()
        self.log_path = log
        self.environ = {
            **environ,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self.process = None

    def start(self, wait: float = 120.0) -> None:
        self.log = open(self.log_path, "a")  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            [str(PROJECT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "grassroots.wsgi"],
            cwd=PROJECT,
            env=self.environ,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                status, _headers, _body = get(self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn not healthy in {wait} s:\n{self.log_path.read_text()[-3000:]}"
        )

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.process = None


def get(port: int, path: str, headers: dict | None = None, timeout: float = 10.0):
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()
