"""Exports and imports against PostgreSQL's own bulk paths, on the same rows.

- Downloads: the public CSV and XLSX of the case browser (`/en/cases/export.csv|xlsx`) for a
  fiscal-year slice of about `export_rows` public cases, read to the last byte over HTTP,
  against `COPY (SELECT the same rows and columns) TO STDOUT` read through psycopg. The time to
  the first byte of the body is kept beside the whole time, and the worker's memory is sampled
  during each download. The server's workers have a 10-second timeout
  (`Config.worker_timeout`), and a download must take less (issue 14): a sync worker's timeout
  counts a whole response, and only the heartbeat of a streamed download
  (exchange/heartbeat.py) keeps a longer one from being cut half way.
- Import: a valid CSV in the import template's format, applied by `exchange.importing` in a
  Django process (its start-up not counted), against `COPY FROM` of the same rows into the
  register's real tables: the cases the import wrote, with their theme and partner rows, copied
  into cases_case, cases_case_themes and cases_casepartner (every index, key and constraint
  checked at once) under fresh ids and references, in a transaction rolled back afterwards.

COPY baselines are the median of three runs; each app figure is one run after a warm-up.

`python -m bench.dataflow [CASES]` measures only the downloads, on a data set of its own
(BENCH_DB, default grassroots_bench, is dropped and built with CASES cases, default 125,000:
about 100,000 public ones), and prints them.
"""

import csv
import http.client
import io
import json
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from psycopg import sql as psycopg_sql

from bench.config import PYTHON, ROOT, Config
from bench.database import connect, log
from bench.dataset import Generator
from bench.server import MemoryWatch, Server

# The same rows and columns as the public download (exchange/columns.py), in its order.
EXPORT_SQL = """
SELECT c.external_ref, c.title_en, c.title_ja, c.summary_en, c.summary_ja, c.start_date,
    c.end_date, c.fiscal_year, r.code AS region, s.code AS state, c.city_en, c.city_ja, c.format,
    c.status,
    CASE WHEN c.is_public THEN 'yes' ELSE 'no' END AS is_public,
    CASE WHEN c.is_best_practice THEN 'yes' ELSE 'no' END AS is_best_practice,
    c.participants,
    (SELECT string_agg(t.slug, '; ' ORDER BY t."group", t.sort_order, t.slug)
        FROM cases_case_themes ct JOIN cases_theme t ON t.id = ct.theme_id
        WHERE ct.case_id = c.id) AS themes,
    (SELECT string_agg(p.name_en || ' (' || cp.role || ')', '; ' ORDER BY cp.role, p.name_en)
        FROM cases_casepartner cp JOIN cases_partner p ON p.id = cp.partner_id
        WHERE cp.case_id = c.id) AS partners,
    c.id
FROM cases_case c
JOIN cases_region r ON r.id = c.region_id
LEFT JOIN cases_state s ON s.id = c.state_id
WHERE c.status = 'held' AND c.is_public AND c.fiscal_year BETWEEN {first} AND {last}
ORDER BY c.start_date DESC, c.id DESC
"""

# exchange.reading.MAX_IMPORT_BYTES: the largest file the importer accepts.
IMPORT_LIMIT = 5 * 1024 * 1024

IMPORT_KEYS = [
    "external_ref",
    "title_en",
    "title_ja",
    "summary_en",
    "summary_ja",
    "start_date",
    "end_date",
    "fiscal_year",
    "region",
    "state",
    "county",
    "city_en",
    "city_ja",
    "format",
    "status",
    "is_public",
    "is_best_practice",
    "participants",
    "themes",
    "partners",
    "id",
]


@dataclass
class Download:
    kind: str
    url: str
    rows: int
    status: int = 0
    seconds: float = float("nan")
    first_byte_seconds: float = float("nan")
    bytes: int = 0
    copy_seconds: float = float("nan")
    copy_bytes: int = 0
    memory_growth_kb: int = 0
    peak_kb: int = 0
    error: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.copy_seconds if self.copy_seconds else float("nan")


@dataclass
class Import:
    rows: int
    seconds: float = float("nan")
    copy_seconds: float = float("nan")
    created: int = 0
    bytes: int = 0
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.seconds / self.copy_seconds if self.copy_seconds else float("nan")


def export_slice(cfg: Config) -> tuple[int, int, int]:
    """The run of fiscal years whose public cases come closest to `export_rows`."""
    with connect(cfg.database_url) as conn:
        counts = dict(
            conn.execute(
                "SELECT fiscal_year, count(*) FROM cases_case "
                "WHERE status = 'held' AND is_public GROUP BY fiscal_year"
            ).fetchall()
        )
    years = sorted(counts)
    best = (years[0], years[0], counts[years[0]])
    for i, first in enumerate(years):
        total = 0
        for last in years[i:]:
            total += counts[last]
            if abs(total - cfg.export_rows) < abs(best[2] - cfg.export_rows):
                best = (first, last, total)
    return best


def copy_out_seconds(cfg: Config, first: int, last: int, runs: int = 3) -> tuple[float, int]:
    """Median seconds (and bytes) of COPY of the export's rows to this process."""
    sql = EXPORT_SQL.format(first=int(first), last=int(last))
    timings, size = [], 0
    with connect(cfg.database_url) as conn:
        for _ in range(runs):
            size = 0
            started = time.perf_counter()
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy,
            ):
                for block in copy:
                    size += len(block)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), size


@dataclass
class Fetched:
    status: int
    bytes: int
    seconds: float
    first_byte_seconds: float
    lines: int


def fetch(server: Server, path: str, timeout: float = 600) -> Fetched:
    """A GET read to the last byte, no content encoding: its status, size, time, time to the
    first byte of the body, and lines."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    started = time.perf_counter()
    first_byte = float("nan")
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = conn.getresponse()
        size = lines = 0
        while chunk := (response.read1(256 * 1024) if not size else response.read(256 * 1024)):
            if not size:
                first_byte = time.perf_counter() - started
                # A CSV opens with lines saying what it holds (provenance) and a blank line:
                # count only the table's lines.
                end = chunk.find(b"\r\n\r\n")
                if end >= 0 and path.split("?")[0].endswith(".csv"):
                    lines -= chunk[: end + 4].count(b"\n")
            size += len(chunk)
            lines += chunk.count(b"\n")
        return Fetched(response.status, size, time.perf_counter() - started, first_byte, lines)
    finally:
        conn.close()


def xlsx_rows(data: bytes) -> int:
    """The data rows of a streamed case workbook's first sheet (its last <row r="N">, less the
    header), or -1 when the file is not a whole zip."""
    import re
    import zipfile

    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            archive.open("xl/worksheets/sheet1.xml") as sheet,
        ):
            tail = b""
            while block := sheet.read(1 << 20):
                tail = (tail + block)[-4096:]
    except (zipfile.BadZipFile, KeyError, EOFError):
        return -1
    numbers = re.findall(rb'<row r="(\d+)"', tail)
    return int(numbers[-1]) - 1 if numbers else 0


def fetch_body(server: Server, path: str, timeout: float = 600) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        return conn.getresponse().read()
    except http.client.IncompleteRead as cut:
        return cut.partial
    finally:
        conn.close()


def measure_downloads(cfg: Config, server: Server) -> list[Download]:
    first, last, rows = export_slice(cfg)
    query = urlencode({"from": first, "to": last})
    log(f"exports: FY{first}-FY{last}, {rows:,} public cases")
    copy_seconds, copy_bytes = copy_out_seconds(cfg, first, last)
    results = []
    for kind in ("csv", "xlsx"):
        download = Download(kind, f"/en/cases/export.{kind}?{query}", rows)
        download.copy_seconds, download.copy_bytes = copy_seconds, copy_bytes
        # Warm both workers up on a small download of the same kind first.
        warm = f"/en/cases/export.{kind}?" + urlencode(
            {"from": first, "to": first, "region": "anchorage"}
        )
        for _ in range(cfg.workers * 2):
            fetch(server, warm)
        try:
            with MemoryWatch(server) as watch:
                got = fetch(server, download.url)
            download.status, download.bytes = got.status, got.bytes
            download.seconds, download.first_byte_seconds = got.seconds, got.first_byte_seconds
            download.memory_growth_kb = watch.growth_kb
            download.peak_kb = watch.peak_kb
            if download.status != 200:
                download.error = f"HTTP {download.status}"
            elif kind == "csv" and got.lines != rows + 1:
                # The generated text has no line breaks inside a cell: one line per case.
                download.error = f"{got.lines - 1:,} rows in the CSV, {rows:,} expected"
            elif kind == "xlsx":
                # Read again to check the file is whole: a worker cut half way (by its timeout)
                # has sent a truncated zip with status 200.
                found = xlsx_rows(fetch_body(server, download.url))
                if found != rows:
                    download.error = f"{found:,} rows in the XLSX, {rows:,} expected"
        except (OSError, http.client.HTTPException) as problem:
            download.error = f"{type(problem).__name__}: {problem}"
        log(
            f"  {kind}: first byte {download.first_byte_seconds:.3f} s, "
            f"whole {download.seconds:.2f} s, {download.bytes / 1e6:.1f} MB "
            f"(COPY {copy_seconds:.2f} s, {copy_bytes / 1e6:.1f} MB), "
            f"peak memory +{download.memory_growth_kb / 1024:.1f} MB {download.error}"
        )
        results.append(download)
    return results


def write_import_file(path: Path, rows: list[dict]) -> int:
    """The rows as an import CSV (UTF-8, the template's column keys as headers, which the
    importer reads like the bilingual ones); returns its size in bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_KEYS)
    for row in rows:
        writer.writerow([row[key] for key in IMPORT_KEYS])
    data = buffer.getvalue().encode()
    path.write_bytes(data)
    return len(data)


def copy_in_seconds(cfg: Config, prefix: str, runs: int = 3) -> float:
    """Median seconds of COPY FROM of the rows an import wrote (the cases whose references
    start with `prefix`, and their theme and partner rows) into the real tables, under ids
    and references no case has. Foreign keys are checked as each row goes in (SET
    CONSTRAINTS ALL IMMEDIATE, as the import's commit checks them), and every run is rolled
    back: the database is left as it was."""
    pattern = prefix.replace("%", r"\%").replace("_", r"\_") + "-%"
    with connect(cfg.database_url) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'cases_case' ORDER BY ordinal_position"
            )
        ]
        (offset,) = conn.execute("SELECT coalesce(max(id), 0) FROM cases_case").fetchone()
        expressions = {"id": f"c.id + {int(offset)}", "external_ref": "'COPY-' || c.external_ref"}
        selects = {
            "cases_case ({})".format(", ".join(columns)): (
                "SELECT {} FROM cases_case c WHERE c.external_ref LIKE %(pattern)s".format(
                    ", ".join(expressions.get(name, f"c.{name}") for name in columns)
                )
            ),
            "cases_case_themes (case_id, theme_id)": (
                f"SELECT t.case_id + {int(offset)}, t.theme_id FROM cases_case_themes t "
                "JOIN cases_case c ON c.id = t.case_id WHERE c.external_ref LIKE %(pattern)s"
            ),
            "cases_casepartner (case_id, partner_id, role)": (
                f"SELECT p.case_id + {int(offset)}, p.partner_id, p.role "
                "FROM cases_casepartner p JOIN cases_case c ON c.id = p.case_id "
                "WHERE c.external_ref LIKE %(pattern)s"
            ),
        }
        blobs = {}
        for target, select in selects.items():
            sql = select % {"pattern": psycopg_sql.Literal(pattern).as_string(conn)}
            with conn.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                blobs[target] = b"".join(bytes(block) for block in copy)
        if not blobs["cases_case ({})".format(", ".join(columns))]:
            raise RuntimeError(f"no imported cases with references {prefix}-… to copy")
        timings = []
        for _ in range(runs):
            with conn.transaction(force_rollback=True), conn.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                started = time.perf_counter()
                for target, data in blobs.items():
                    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                        copy.write(data)
                timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure_import(cfg: Config, env: dict, generator: Generator, workdir: Path) -> Import:
    run_tag = time.strftime("%H%M%S")
    path = workdir / "bench-import.csv"
    warm_path = workdir / "bench-import-warmup.csv"
    rows = generator.import_rows(cfg.import_rows, f"IMPORT-{run_tag}")
    result = Import(rows=len(rows))
    result.bytes = write_import_file(path, rows)
    if result.bytes > IMPORT_LIMIT:
        log(f"warning: the import file is {result.bytes:,} bytes, over the importer's limit")
    write_import_file(warm_path, generator.import_rows(20, f"WARMUP-{run_tag}"))
    completed = subprocess.run(
        [str(PYTHON), "-m", "bench.importer", str(path), "--warmup", str(warm_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        result.error = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
        result.error = " ".join(result.error) or f"exit status {completed.returncode}"
    else:
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        result.seconds = report["seconds"]
        result.created = report["created"]
        # The baseline copies the very rows the import wrote, so it runs after the import.
        result.copy_seconds = copy_in_seconds(cfg, f"IMPORT-{run_tag}")
    log(
        f"import: {result.rows:,} rows ({result.bytes / 1e6:.1f} MB) in {result.seconds:.2f} s, "
        f"COPY FROM into the tables {result.copy_seconds * 1000:.0f} ms {result.error}"
    )
    return result


def main(argv: list[str]) -> int:
    """Only the downloads, on a data set of their own: `python -m bench.dataflow [CASES]`."""
    import tempfile

    from bench import dataset
    from bench.server import base_env, collect_static

    size = int(argv[0]) if argv else 125_000
    cfg = Config(sizes=(size,), page_size=size)
    with tempfile.TemporaryDirectory(prefix="bench-dataflow-") as folder:
        workdir = Path(folder)
        env = base_env(cfg, workdir / "static")
        collect_static(env)
        generator = dataset.build_stage(cfg, env, size, None)
        try:
            with Server(cfg, env, workdir) as server:
                downloads = measure_downloads(cfg, server)
        finally:
            generator.conn.close()
    failed = [d for d in downloads if d.error]
    for d in downloads:
        print(
            f"{d.kind}: {d.rows:,} rows, first byte {d.first_byte_seconds:.3f} s, whole "
            f"{d.seconds:.2f} s, {d.bytes / 1e6:.1f} MB; COPY {d.copy_seconds:.2f} s; "
            f"ratio {d.ratio:.2f}; worker memory +{d.memory_growth_kb / 1024:.1f} MB "
            f"(worker timeout {cfg.worker_timeout} s) {d.error}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
