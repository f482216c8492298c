"""What one benchmark run does: the sizes, durations and where PostgreSQL and Redis are.

Everything comes from the command line (`python -m bench --quick`) and a few environment
variables, so anyone can re-run the suite on their own machine:

- BENCH_PG_URL: the PostgreSQL server, as a URL without the database name
  (default postgres://postgres@127.0.0.1:5432). The suite drops and creates BENCH_DB there.
- BENCH_DB: the database it owns (default grassroots_bench). Never point it at real data.
- BENCH_REDIS_URL: the Redis server without a database number (default redis://127.0.0.1:6379).
- BENCH_REDIS_DB: the Redis database the suite flushes and uses (default 13).
- BENCH_WRK: the wrk binary (default /usr/bin/wrk, the Debian package).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


@dataclass
class Config:
    quick: bool = False
    # Data sets, smallest first: each stage tops the same database up to the next size.
    sizes: tuple[int, ...] = (1_000, 100_000, 1_000_000)
    # The stage whose page figures the targets use ("100k cases").
    page_size: int = 100_000
    # Rows in the export measurement (a fiscal-year slice of the largest data set).
    export_rows: int = 100_000
    import_rows: int = 10_000
    duration: int = 10
    warmup: int = 3
    # Measured runs per page; the run with the median requests/s is reported.
    runs: int = 3
    threads: int = 2
    connections: int = 16
    burst_connections: int = 64
    burst_duration: int = 30
    workers: int = 2
    # GUNICORN_TIMEOUT of the servers: the largest download must take less (issue 14: "a
    # 100,000-row XLSX download completes under a 10-second worker timeout"). A sync worker's
    # timeout counts a whole response unless it beats (exchange/heartbeat.py); a page takes
    # milliseconds.
    worker_timeout: int = 10
    seed: int = 20170401
    pg_url: str = field(
        default_factory=lambda: os.environ.get(
            "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"
        ).rstrip("/")
    )
    database: str = field(default_factory=lambda: os.environ.get("BENCH_DB", "grassroots_bench"))
    redis_url: str = field(
        default_factory=lambda: os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip(
            "/"
        )
    )
    redis_db: int = field(default_factory=lambda: int(os.environ.get("BENCH_REDIS_DB", "13")))
    wrk: str = field(default_factory=lambda: os.environ.get("BENCH_WRK", "/usr/bin/wrk"))
    output: Path = ROOT / "docs" / "performance.md"
    write_doc: bool = True

    @classmethod
    def quick_run(cls) -> "Config":
        """A smoke run: tiny data, short wrk runs; every step runs, no target is asserted."""
        return cls(
            quick=True,
            sizes=(300, 3_000),
            page_size=3_000,
            export_rows=1_000,
            import_rows=500,
            duration=2,
            warmup=1,
            runs=1,
            burst_duration=3,
        )

    @property
    def database_url(self) -> str:
        return f"{self.pg_url}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"{self.pg_url}/postgres"

    @property
    def cache_url(self) -> str:
        return f"{self.redis_url}/{self.redis_db}"
