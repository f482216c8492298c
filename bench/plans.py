"""The case list's query plans at the largest data set, for the report.

Run inside Django against the benchmark database (`python manage.py shell -c "from
bench.plans import main; main()"`): it prints, as JSON, EXPLAIN ANALYZE of the queries the
case browser makes for each listed URL (its page of cases and its count, when the count is
not read from the tallies), and whether a plan reads the cases table through: a sequential
scan of cases_case that reads at least a tenth of its rows. A sequential scan that stops early
is the right plan for some queries (counting up to a search's depth the cases that hold a
common word: no index gives a substring's matches in list order), and is reported with the
rows it read.
"""

import json
import re
import time

# (what, query string of /en/cases/): the default order, each sort, a deep page, a text
# search and the filters people use most.
PLANNED = [
    ("default order (newest first)", ""),
    ("oldest first", "sort=oldest"),
    ("by title", "sort=title"),
    ("by region", "sort=region"),
    ("a deep page (page 500)", "page=500"),
    ("a text search", "q=workshop"),
    ("a rare text search", "q=zzzyx"),
    ("a region and a fiscal year", "region=miami&from=2022&to=2022"),
    ("an early fiscal year", "from=2018&to=2018"),
    ("a wide search by title (listed newest first)", "q=workshop&sort=title"),
    ("a state, by title", "state=TX&sort=title"),
    ("a small state, by title, page 5", "state=MS&sort=title&page=5"),
    ("a state in region order, page 15", "state=PR&sort=region&page=15"),
    ("a theme", "theme=energy"),
    ("two regions (counted up to the depth)", "region=miami&region=houston"),
]
PAGE_SIZE = 20
SEQ_SCAN = "Seq Scan on cases_case "
# A sequential scan reading at least this share of the table reads it through.
THROUGH = 0.1
_ACTUAL = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)")
_REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")


def scanned_rows(plan: str) -> list[int]:
    """The rows each sequential scan of cases_case in an EXPLAIN ANALYZE text read: those it
    kept and those its filter removed, over all its loops."""
    lines = plan.splitlines()
    found = []
    for number, line in enumerate(lines):
        if SEQ_SCAN not in line or not (actual := _ACTUAL.search(line)):
            continue
        kept, loops = int(actual[1]), int(actual[2])
        removed = 0
        for detail in lines[number + 1 :]:
            if "->" in detail:
                break
            if match := _REMOVED.search(detail):
                removed = int(match[1])
        found.append((kept + removed) * loops)
    return found


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _timed(run) -> tuple[str | None, float]:
    """The SQL of the first query `run` makes (None when it makes none), and how long it took
    in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - started) * 1000
    queries = captured.captured_queries
    return (queries[0]["sql"] if queries else None), elapsed


def plan(query: str) -> dict:
    """The plans of the case browser's queries for one query string: its page of cases and,
    when the tallies cannot give it, its count."""
    from django.http import QueryDict

    from cases.filters import CaseFilter
    from cases.listing import DEEP, NEWEST, by_region, list_count, order_for
    from cases.models import Case

    data = QueryDict(query)
    filterset = CaseFilter(data, queryset=Case.objects.public())
    filters = filterset.stats_filters()
    cases = filterset.qs
    page = int(data.get("page", "1"))
    start = (page - 1) * PAGE_SIZE
    asked = data.get("sort") or "newest"
    if order_for(filters, list_count(cases, filters), asked) != asked:
        cases = cases.order_by(*NEWEST)  # a wide search in a costly order: newest first
    elif asked == "region" and (ordered := by_region(cases, filters)):
        cases = ordered  # read a region at a time, as the case browser reads it
    elif start >= DEEP:
        cases = cases.values_list("pk", flat=True)  # a deep page: its ids first
    sql, elapsed = _timed(lambda: list(cases[start : start + PAGE_SIZE]))
    # In region order a page beyond the list reads nothing (the tallies say each region's
    # size): on a small data set (./dev bench --quick) a deep page of one state is such a page.
    page_plan = _explain(sql) if sql else f"No query: page {page} lies beyond this list."
    found = {"page": page_plan, "page_ms": round(elapsed, 1), "count": None}
    if not filters.simple:
        sql, elapsed = _timed(lambda: list_count(filterset.qs, filters))
        found["count"] = _explain(sql)
        found["count_ms"] = round(elapsed, 1)
    scans = scanned_rows(found["page"]) + scanned_rows(found["count"] or "")
    found["scanned_rows"] = scans
    found["seq_scan"] = any(rows >= THROUGH * table_rows() for rows in scans)
    return found


def table_rows() -> int:
    from cases.models import Case

    return Case.objects.count()


def main() -> None:
    results = []
    for what, query in PLANNED:
        results.append(
            {"what": what, "url": "/en/cases/" + (f"?{query}" if query else ""), **plan(query)}
        )
    print(json.dumps(results))
