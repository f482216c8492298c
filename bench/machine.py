"""What the benchmark ran on: the machine (CPU, cores, memory, OS) and the versions of
everything in the stack, with the git commit."""

import contextlib
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

from bench.config import Config


def machine() -> dict:
    info = {"CPU": platform.processor() or platform.machine(), "cores": str(os.cpu_count())}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["CPU"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
        info["cores"] = f"{os.cpu_count()} ({usable} usable)"
    except AttributeError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["RAM"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info["OS"] = f"{platform.system()} {platform.release()}"
    return info


def versions(cfg: Config) -> dict:
    from bench import wrk
    from bench.database import connect

    found = {"Python": platform.python_version()}
    for package in ("Django", "gunicorn", "psycopg", "whitenoise", "redis"):
        try:
            found[package if package != "redis" else "redis-py"] = importlib.metadata.version(
                package
            )
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        with connect(cfg.admin_url) as conn:
            found["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as problem:
        found["PostgreSQL"] = f"unknown ({problem})"
    try:
        import redis

        client = redis.Redis.from_url(cfg.cache_url)
        found["Redis"] = client.info("server")["redis_version"]
        client.close()
    except Exception as problem:
        found["Redis"] = f"unknown ({problem})"
    found["wrk"] = wrk.version(cfg)
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found["git commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip() + (" (with uncommitted changes)" if _dirty() else "")
    return found


def _dirty() -> bool:
    """Whether anything but the report itself differs from the commit: a second run at the
    same commit finds the first run's docs/performance.md, not yet committed."""
    completed = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":(exclude)docs/performance.md"],
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(completed.stdout.strip())
