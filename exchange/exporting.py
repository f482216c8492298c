"""Exporters: a header plus a row generator. `exchange.writers` turns them into files.

An exporter never loads everything. There are two ways to read the rows, giving the same
values:

- the portable one (`rows()`): the queryset walked in chunks (`iterator(chunk_size)`), as
  model instances; each case's themes come from its own row (`theme_tags`) and the reference
  themes, and a chunk's partners are read in one query (`with_collections`);
- on PostgreSQL, one flat query (`export_sql()`): every column computed by the database,
  themes and partners aggregated with `string_agg`. `copy_csv()` streams it as CSV with
  `COPY (...) TO STDOUT`, the database's own bulk path: the CSV download then costs about what
  the query costs, with no Python per cell. `table_rows()` (the XLSX writer) runs the same
  query a chunk of ids at a time, reading the next chunks in a thread while the writer works
  (`flat_rows`).

Both are built from the same filtered queryset, so the filters live in one place.
"""

import datetime
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import batched

from django.db import connections
from django.db.models import OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from cases.figures import reference
from cases.listing import NEWEST
from cases.models import Case, CasePartner, County, Partner, Region, State, Theme
from exchange.columns import COLUMNS, Column

CHUNK_SIZE = 500
# Rows a server-side cursor hands over at a time on the flat path (tuples, not instances).
FLAT_CHUNK_SIZE = 2000
# Bytes gathered from COPY before a chunk is handed to the response.
COPY_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class PartnerCell:
    """A partner's part in a case, as a spreadsheet writes it: "Name (role)"."""

    name: str
    role: str

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


def export_queryset(queryset):
    """The queryset with what a case row needs joined (its region, state and county), newest
    first unless the queryset is ordered already (a case browser sort). Its themes (on its row)
    and its partners are attached a list at a time (`with_collections`)."""
    queryset = queryset.select_related("region", "state", "county")
    if not queryset.query.order_by:
        queryset = queryset.order_by(*NEWEST)
    return queryset


def with_collections(cases):
    """The cases (a list), each with its theme slugs and partner cells attached: the themes
    from its own row (`theme_tags`) and the reference themes, read once for the list (a list
    of fifty cases prefetched about 130 theme instances, with a manager for each case); the
    partners in one query."""
    themes = reference.themes()
    partners = partners_of([case.pk for case in cases])
    for case in cases:
        case.theme_list = theme_keys(case.theme_tags, themes)
        case.partner_list = partners.get(case.pk, [])
    return cases


def partners_of(pks: list) -> dict[int, list[PartnerCell]]:
    """The partner cells of these cases, by case, each case's by role then name: one query.

    Each row's partner name is looked up by its key (a subquery), not joined: joined, PostgreSQL
    hashed the whole partner table to name the fifty-odd rows of a page (at a million cases
    with 5,000 partners, 1.3 ms where the lookups take 0.6)."""
    found: dict[int, list] = {}
    rows = CasePartner.objects.filter(case_id__in=pks).order_by()
    named = Partner.objects.filter(pk=OuterRef("partner_id")).order_by().values("name_en")
    for pk, role, name in rows.values_list("case_id", "role", Subquery(named)):
        found.setdefault(pk, []).append((role, name))
    return {
        pk: [PartnerCell(name, role) for role, name in sorted(pairs)]
        for pk, pairs in found.items()
    }


def theme_keys(tags: str, themes=None) -> list[str]:
    """The theme slugs a case's `theme_tags` names, in the register's theme order (group,
    order, slug); `themes` is `reference.themes()`, read by the caller once for a list."""
    return [theme.key for theme in (themes or reference.themes()).of_tags(tags)]


def theme_slugs(case) -> list[str]:
    """A case's theme slugs in the register's theme order (group, order, slug)."""
    if (slugs := case.__dict__.get("theme_list")) is not None:
        return slugs
    return theme_keys(case.theme_tags)


def partner_cells(case) -> list[PartnerCell]:
    """A case's partners with their roles, by role then name."""
    if (cells := case.__dict__.get("partner_list")) is not None:
        return cells
    return with_collections([case])[0].partner_list


def case_values(case) -> dict:
    """One case as {column key: value}: str, int, date, bool, None or a list for themes and
    partners. The same values the importer reads back."""
    return {
        "external_ref": case.external_ref,
        "title_en": case.title_en,
        "title_ja": case.title_ja,
        "summary_en": case.summary_en,
        "summary_ja": case.summary_ja,
        "start_date": case.start_date,
        "end_date": case.end_date,
        "fiscal_year": case.fiscal_year,
        "region": case.region.code,
        "state": case.state.code if case.state_id else None,
        "county": case.county.name_en if case.county_id else None,
        "city_en": case.city_en,
        "city_ja": case.city_ja,
        "format": case.format,
        "status": case.status,
        "is_public": case.is_public,
        "is_best_practice": case.is_best_practice,
        "participants": case.participants,
        "themes": theme_slugs(case),
        "partners": partner_cells(case),
        "id": case.pk,
    }


# `case_values` read as values instead of model instances, for lists that need nothing else
# (the API's case list): {column key: field path}, in `case_values`' order up to the themes.
# A page of fifty cases with their region, state and county as instances cost about 6 ms of
# Python; as rows of these columns about 1.5.
VALUE_PATHS = {
    "external_ref": "external_ref",
    "title_en": "title_en",
    "title_ja": "title_ja",
    "summary_en": "summary_en",
    "summary_ja": "summary_ja",
    "start_date": "start_date",
    "end_date": "end_date",
    "fiscal_year": "fiscal_year",
    "region": "region__code",
    "state": "state__code",
    "county": "county__name_en",
    "city_en": "city_en",
    "city_ja": "city_ja",
    "format": "format",
    "status": "status",
    "is_public": "is_public",
    "is_best_practice": "is_best_practice",
    "participants": "participants",
}


def value_rows(queryset):
    """The queryset as rows for `values_of`: (pk, theme_tags, *VALUE_PATHS' fields)."""
    return queryset.values_list("pk", "theme_tags", *VALUE_PATHS.values())


def values_of(rows) -> list[dict]:
    """`case_values` of each row of `value_rows` (a list), the partners in one query."""
    themes = reference.themes()
    partners = partners_of([row[0] for row in rows])
    keys = tuple(VALUE_PATHS)
    found = []
    for pk, tags, *values in rows:
        record = dict(zip(keys, values, strict=True))
        record["themes"] = theme_keys(tags, themes)
        record["partners"] = partners.get(pk, [])
        record["id"] = pk
        found.append(record)
    return found


class CaseExporter:
    """The case list: one row per case, the columns of the import template.

    Give it any queryset of cases (public ones for the public downloads, a region's held cases
    for a regional report); `rows()` yields lists of values in `columns` order.
    """

    columns: list[Column] = COLUMNS

    def __init__(self, queryset, chunk_size: int = CHUNK_SIZE):
        self.queryset = export_queryset(queryset)
        self.chunk_size = chunk_size

    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def cases(self) -> Iterator[Case]:
        for chunk in batched(self.queryset.iterator(chunk_size=self.chunk_size), self.chunk_size):
            yield from with_collections(list(chunk))

    def rows(self) -> Iterator[list]:
        keys = self.keys()
        for case in self.cases():
            values = case_values(case)
            yield [values[key] for key in keys]

    @property
    def flat(self) -> bool:
        """Whether this exporter reads its rows through one flat query (PostgreSQL)."""
        return uses_flat_path(self.queryset)

    def table_rows(self) -> Iterator[list]:
        """The rows as `rows()` gives them, by the fastest path the database offers.

        On PostgreSQL one flat query read through a server-side cursor: tuples, no model
        instances, no prefetching; themes and partners as "; "-joined text, which a writer
        writes as it writes the lists `rows()` gives.
        """
        if not self.flat:
            yield from self.rows()
            return
        for row in flat_rows(self.queryset):
            yield list(row)

    def copy_rows(self) -> Iterator[bytes]:
        """The CSV rows (no header) streamed by PostgreSQL's COPY; only when `flat`."""
        return copy_csv(self.queryset)

    def records(self) -> Iterator[dict]:
        """Rows as {key: JSON value}: dates as ISO strings, partners as {name, role}."""
        keys = self.keys()
        for row in self.rows():
            yield {key: json_value(value) for key, value in zip(keys, row, strict=True)}


def uses_flat_path(queryset) -> bool:
    """Whether the database can compute a whole export row itself (PostgreSQL can; SQLite's
    group_concat cannot order its items before 3.44, so SQLite keeps the portable path)."""
    return connections[queryset.db].vendor == "postgresql"


# --- the flat path (PostgreSQL) ---------------------------------------------------------------

# Per-statement settings of an export query: sorts of a whole export fit in memory instead of
# spilling to disk, and no JIT compilation (it costs a second and saves nothing here).
EXPORT_SETTINGS = {"work_mem": "64MB", "jit": "off"}


def _neutralised(sql: str) -> str:
    """SQL twin of `writers.neutralise()` for a text expression without parameters."""
    from exchange.writers import FORMULA_TRIGGERS

    triggers = ", ".join(f"chr({ord(character)})" for character in FORMULA_TRIGGERS)
    return f"CASE WHEN left({sql}, 1) IN ({triggers}) THEN chr(39) || {sql} ELSE {sql} END"


def _ids_sql(queryset) -> tuple[str, tuple]:
    """The queryset (filters, sort) compiled as it is into its case ids, each with its place
    in the queryset's order, numbered by the database, so the planner knows how many rows to
    expect (and hashes rather than probes an index per case)."""
    ordering = list(queryset.query.order_by) or list(NEWEST)
    ids = (
        queryset.select_related(None)
        .prefetch_related(None)
        .annotate(export_position=Window(RowNumber(), order_by=ordering))
        .order_by()
        .values_list("pk", "export_position")
    )
    return ids.query.get_compiler(using=queryset.db).as_sql()


def _column_sql(csv: bool) -> dict[str, str]:
    """Each export column's SQL expression over the aliases of `export_sql()`'s joins: typed
    values for the XLSX writer, or with `csv` the text the Python CSV writer makes."""

    def text(sql: str) -> str:
        return f"NULLIF({_neutralised(sql)}, '')" if csv else sql

    def date(sql: str) -> str:
        return f"to_char({sql}, 'YYYY-MM-DD')" if csv else sql

    def yes_no(sql: str) -> str:
        return f"CASE WHEN {sql} THEN 'yes' ELSE 'no' END" if csv else sql

    return {
        "external_ref": text("c.external_ref"),
        "title_en": text("c.title_en"),
        "title_ja": text("c.title_ja"),
        "summary_en": text("c.summary_en"),
        "summary_ja": text("c.summary_ja"),
        "start_date": date("c.start_date"),
        "end_date": date("c.end_date"),
        "fiscal_year": "c.fiscal_year",
        "region": text("r.code"),
        "state": text("s.code"),
        "county": text("co.name_en"),
        "city_en": text("c.city_en"),
        "city_ja": text("c.city_ja"),
        "format": text("c.format"),
        "status": text("c.status"),
        "is_public": yes_no("c.is_public"),
        "is_best_practice": yes_no("c.is_best_practice"),
        "participants": "c.participants",
        "themes": text("t.text"),
        "partners": text("p.text"),
        "id": "c.id",
    }


def export_sql(queryset, csv: bool = False, picked: tuple[str, tuple] | None = None):
    """One SELECT giving the export's rows in `COLUMNS` order, in the queryset's order.

    The queryset (filters, sort) is compiled as it is into the list of case ids, so filtering
    lives in one place; the rest is joins: region and state codes, and themes and partners
    aggregated once per case with `string_agg` in derived tables (hash joins, not a subquery
    per row). Lists are ordered by code point (COLLATE "C"), as Python sorts them.

    With `csv=False` values keep their types (dates, booleans, numbers) and themes and partners
    come as "; "-joined text: what the XLSX writer needs. With `csv=True` every value is the
    text `writers.text_cell()` makes of it (ISO dates, yes/no, neutralised text, NULL for an
    empty cell, because COPY writes "" for an empty string), so COPY writes the bytes the
    Python CSV writer writes.

    `picked` replaces the queryset's (id, position) rows with other SQL giving them: the
    rows of one chunk of ids (`flat_rows`).
    """
    from exchange.writers import LIST_SEPARATOR as separator

    ids_sql, params = picked or _ids_sql(queryset)
    quote = connections[queryset.db].ops.quote_name
    case, region, state, county = (
        quote(model._meta.db_table) for model in (Case, Region, State, County)
    )
    theme, case_theme = quote(Theme._meta.db_table), quote(Case.themes.through._meta.db_table)
    partner, case_partner = quote(Partner._meta.db_table), quote(CasePartner._meta.db_table)
    columns = _column_sql(csv)
    select = ",\n  ".join(columns[column.key] for column in COLUMNS)
    sql = f"""WITH picked (id, position) AS MATERIALIZED (
  {ids_sql}
)
SELECT
  {select}
FROM picked
JOIN {case} c ON c.id = picked.id
JOIN {region} r ON r.id = c.region_id
LEFT JOIN {state} s ON s.id = c.state_id
LEFT JOIN {county} co ON co.id = c.county_id
LEFT JOIN (
  SELECT ct.case_id, string_agg(th.slug, '{separator}'
    ORDER BY th."group" COLLATE "C", th.sort_order, th.slug COLLATE "C") AS text
  FROM {case_theme} ct JOIN {theme} th ON th.id = ct.theme_id
  WHERE ct.case_id IN (SELECT id FROM picked)
  GROUP BY ct.case_id
) t ON t.case_id = c.id
LEFT JOIN (
  SELECT cp.case_id, string_agg(pa.name_en || ' (' || cp.role || ')', '{separator}'
    ORDER BY cp.role COLLATE "C", pa.name_en COLLATE "C") AS text
  FROM {case_partner} cp JOIN {partner} pa ON pa.id = cp.partner_id
  WHERE cp.case_id IN (SELECT id FROM picked)
  GROUP BY cp.case_id
) p ON p.case_id = c.id
ORDER BY picked.position"""
    return sql, tuple(params)


class _export_settings:
    """EXPORT_SETTINGS for the session while an export query runs, then back to the defaults
    (the connection serves later requests). Sent on the driver's own cursor: settings, not
    queries, so they are not counted among a page's queries."""

    def __init__(self, cursor):
        self.cursor = cursor.cursor

    def __enter__(self):
        settings = ", ".join("set_config(%s, %s, false)" for _name in EXPORT_SETTINGS)
        values = [item for pair in EXPORT_SETTINGS.items() for item in pair]
        self.cursor.execute(f"SELECT {settings}", values)

    def __exit__(self, *exc_info):
        self.cursor.execute("; ".join(f"RESET {name}" for name in EXPORT_SETTINGS))


# The (id, position) rows of one chunk of a flat export: its ids, in their order.
_CHUNK_IDS_SQL = "SELECT id, position FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, position)"


def flat_rows(queryset, chunk_size: int = FLAT_CHUNK_SIZE) -> Iterator[tuple]:
    """`export_sql()` rows with their types, a chunk of ids at a time, read ahead in a thread.

    The ids come in the queryset's order through a server-side cursor; each chunk of them is
    made into its rows by `export_sql()` over just those ids. At 1M cases one query for all
    100,000 rows of a large export worked for three seconds before its first row (every join
    and the final sort run to the end first), and the writer then worked while the database
    waited. A chunk takes tens of milliseconds, and `read_ahead` fetches the next chunks in a
    thread while the caller writes the rows it has: the database and the writer work on the
    machine's two cores at once. Only that thread uses the connection until the rows are read
    or the generator is closed; the cursors are opened here, in the caller's thread.
    """
    connection = connections[queryset.db]
    ids = queryset.select_related(None).prefetch_related(None).values_list("pk")
    if not ids.query.order_by:
        ids = ids.order_by(*NEWEST)
    ids_sql, ids_params = ids.query.get_compiler(using=queryset.db).as_sql()
    rows_sql, _ = export_sql(queryset, picked=(_CHUNK_IDS_SQL, ()))
    with (
        connection.cursor() as plain,
        _export_settings(plain),
        connection.chunked_cursor() as ids_cursor,
    ):
        ids_cursor.execute(ids_sql, ids_params)

        def chunks() -> Iterator[list[tuple]]:
            while chunk := ids_cursor.fetchmany(chunk_size):
                plain.execute(rows_sql, [[pk for (pk,) in chunk]])
                yield plain.fetchall()

        for rows in read_ahead(chunks()):
            yield from rows


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()
# How often a waiting side looks whether the other has given up (seconds).
_POLL = 0.05


def read_ahead(items: Iterator, depth: int = 2) -> Iterator:
    """What `items` yields, in order, while a thread reads up to `depth` items ahead.

    For an iterator that mostly waits (rows from the database, which releases the GIL while
    it waits): the caller works on one item while the next is read. An error in `items` is
    raised to the caller. When the caller stops early (closes the generator), the thread
    finishes the item it is reading and stops; the generator returns only once it has, so
    nothing else is still using what `items` uses (a database connection).
    """
    queue_ = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue_.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the caller, raised there
            put(_Failed(error))
        else:
            put(_DONE)

    thread = threading.Thread(target=work, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = queue_.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


def copy_csv(queryset) -> Iterator[bytes]:
    """The rows of a CSV export (no header) streamed by PostgreSQL's `COPY ... TO STDOUT`.

    Bytes identical to what `writers.csv_chunks()` writes for the same rows. COPY ends a row
    with "\\n" where our files (RFC 4180) end it with "\\r\\n"; the protocol sends every row in
    its own message, so the last byte of each message is the row's end and can be swapped
    without parsing the quotes. Chunks of about COPY_CHUNK_BYTES go to the response.

    A generator: the query runs when the response is consumed. Closing it early (a client that
    disconnects) cancels the COPY and leaves the connection usable.
    """
    connection = connections[queryset.db]
    sql, params = export_sql(queryset, csv=True)
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER false)"
    with connection.cursor() as cursor, _export_settings(cursor):
        if connection.queries_logged:
            # Counted like any other query (assertNumQueries, the debug toolbar).
            connection.queries_log.append({"sql": statement, "time": "0.000"})
        with cursor.cursor.copy(statement, params or None) as copy:
            buffer, size = [], 0
            for row in copy:
                row = bytes(row)
                buffer.append(row[:-1])
                buffer.append(b"\r\n")
                size += len(row) + 1
                if size >= COPY_CHUNK_BYTES:
                    yield b"".join(buffer)
                    buffer, size = [], 0
            if buffer:
                yield b"".join(buffer)


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [
            {"name": item.name, "role": item.role} if isinstance(item, PartnerCell) else item
            for item in value
        ]
    return value
