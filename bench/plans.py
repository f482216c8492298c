"""The case list's query plans at the largest data set, for the report.

Run inside Django against the benchmark database (`python manage.py shell -c "from
bench.plans import main; main()"`): it prints, as JSON, EXPLAIN ANALYZE of the queries the
case browser makes for each listed URL (its page of cases and its count, when the count is
not read from the tallies), and whether a plan reads the whole cases table (a sequential
scan of cases_case).
"""

import json
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
    ("a state, by title", "state=TX&sort=title"),
    ("a theme", "theme=energy"),
    ("two regions (counted up to the depth)", "region=miami&region=houston"),
]
PAGE_SIZE = 20
SEQ_SCAN = "Seq Scan on cases_case "


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _timed(run) -> tuple[str, float]:
    """The SQL of the one query `run` makes, and how long it took in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - started) * 1000
    return captured.captured_queries[0]["sql"], elapsed


def plan(query: str) -> dict:
    """The plans of the case browser's queries for one query string: its page of cases and,
    when the tallies cannot give it, its count."""
    from django.http import QueryDict

    from cases.filters import CaseFilter
    from cases.listing import DEEP, by_region, list_count
    from cases.models import Case

    data = QueryDict(query)
    filterset = CaseFilter(data, queryset=Case.objects.public())
    filters = filterset.stats_filters()
    cases = filterset.qs
    page = int(data.get("page", "1"))
    start = (page - 1) * PAGE_SIZE
    if data.get("sort") == "region" and (ordered := by_region(cases, filters)):
        cases = ordered  # read a region at a time, as the case browser reads it
    elif start >= DEEP:
        cases = cases.values_list("pk", flat=True)  # a deep page: its ids first
    sql, elapsed = _timed(lambda: list(cases[start : start + PAGE_SIZE]))
    found = {"page": _explain(sql), "page_ms": round(elapsed, 1), "count": None}
    if not filters.simple:
        sql, elapsed = _timed(lambda: list_count(filterset.qs, filters))
        found["count"] = _explain(sql)
        found["count_ms"] = round(elapsed, 1)
    found["seq_scan"] = SEQ_SCAN in found["page"] or SEQ_SCAN in (found["count"] or "")
    return found


def main() -> None:
    results = []
    for what, query in PLANNED:
        results.append(
            {"what": what, "url": "/en/cases/" + (f"?{query}" if query else ""), **plan(query)}
        )
    print(json.dumps(results))
