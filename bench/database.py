"""The benchmark's database: its own PostgreSQL database, the app's schema through
`manage.py migrate`, the tables' columns read from `information_schema`, and bulk loading with
`COPY ... FROM STDIN` (foreign keys and plain indexes dropped during the load, rebuilt after)."""

import contextlib
import subprocess
import sys
from dataclasses import dataclass

import psycopg

from bench.config import PYTHON, ROOT, Config

COPY_CHUNK = 20_000


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, **kwargs)


def recreate_database(cfg: Config) -> None:
    """Drop and create the benchmark's own database (never any other)."""
    if not cfg.database.replace("_", "").isalnum():
        raise SystemExit(f"BENCH_DB must be a plain name, not {cfg.database!r}")
    with connect(cfg.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg.database}"')


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`manage.py <args>` against the benchmark database, output captured."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise SystemExit(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result


def has_command(name: str) -> bool:
    """Whether one of the apps has a management command (it may not exist yet); read from
    the file tree rather than by starting Django, which costs seconds on a busy machine."""
    return any(ROOT.glob(f"*/management/commands/{name}.py"))


def prepare_schema(env: dict) -> None:
    """The app's schema and its reference data (regions, states, offices, themes, figures),
    in one Django process."""
    manage(
        env,
        "shell",
        "-c",
        "from django.core.management import call_command\n"
        "from cases.reference import load_reference_data\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "load_reference_data()",
    )


@dataclass
class Column:
    name: str
    data_type: str
    nullable: bool
    has_default: bool


def table_columns(conn, table: str) -> list[Column]:
    rows = conn.execute(
        """
        SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL
            OR is_identity = 'YES'
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s
        ORDER BY ordinal_position
        """,
        [table],
    ).fetchall()
    if not rows:
        raise SystemExit(f"Table {table} is missing: did the migrations run?")
    return [Column(*row) for row in rows]


NEUTRAL = {
    "boolean": "f",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "text": "",
    "character varying": "",
    "jsonb": "{}",
    "json": "{}",
    "date": "2017-04-01",
    "timestamp with time zone": "2017-04-01 00:00:00+00",
}


def column_plan(conn, table: str, known: list[str]) -> tuple[list[str], list[str]]:
    """The columns to COPY: the known ones the table has, plus neutral constants for any
    NOT NULL column without a default that this generator does not know about."""
    columns = table_columns(conn, table)
    names = {column.name for column in columns}
    written = [name for name in known if name in names]
    extra_values = []
    for column in columns:
        if column.name in known or column.nullable or column.has_default:
            continue
        if column.data_type not in NEUTRAL:
            raise SystemExit(
                f"{table}.{column.name} ({column.data_type}) is NOT NULL without a default and "
                "the benchmark's generator does not know it: teach bench/dataset.py about it."
            )
        log(f"warning: {table}.{column.name} is new to the generator; writing a neutral value")
        written.append(column.name)
        extra_values.append(NEUTRAL[column.data_type])
    return written, extra_values


@contextlib.contextmanager
def bulk_load(cursor, tables):
    """Load the way PostgreSQL's manual recommends for bulk loads: drop the foreign keys and
    the plain (non-unique) indexes, COPY, then build the indexes once and add the foreign keys
    back, which checks every row in one join instead of one trigger call per row.

    Runs inside the caller's transaction, so a failure leaves the schema as it was.
    """
    foreign_keys = cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """,
        [list(tables)],
    ).fetchall()
    indexes = cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique
            AND NOT i.indisprimary
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        """,
        [list(tables)],
    ).fetchall()
    for table, name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def text_value(value) -> str:
    """A value in COPY's text format: backslash, newline, carriage return and tab escaped (a
    search document joins its fields with newlines)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).translate(_COPY_ESCAPES)


def copy_lines(cursor, target: str, lines: list[str]) -> None:
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for start in range(0, len(lines), COPY_CHUNK * 4):
            copy.write("\n".join(lines[start : start + COPY_CHUNK * 4]) + "\n")


def flush_cache(cfg: Config) -> None:
    """Empty the benchmark's Redis database: a new generation for every cached figure."""
    import redis

    client = redis.Redis.from_url(cfg.cache_url)
    try:
        client.flushdb()
    finally:
        client.close()
