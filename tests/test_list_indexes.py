"""The public list's sorts under a state filter are read in order from an index of their own.

At a million cases a state holds one case in fifty. By title through the title index alone,
page 5 of a small state stepped over 20,000 cases of other states (66 ms); in region order,
PostgreSQL took the district filter for independent of the state and read the district's
100,000 cases (47 ms). `case_public_state_title_{en,ja}_idx` and the statistics
`case_place_stats` (migration cases 0017) serve both; the benchmark records their plans at a
million cases (docs/performance.md). Here, on PostgreSQL, with the planner kept from sorting or
scanning the table, the queries the case browser makes must be able to use them: an index
whose expression differs from the list's order by one character would never be used.
"""

import re

import pytest
from django.db import connection, transaction

from bench import plans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


@pytest.fixture
def other_states(make_case):
    """Cases of another state, and fresh statistics: with a table the planner believes empty,
    the title index filtered by state costs it the same as the state's own."""
    for n in range(40):
        make_case(title_en=f"Everglades {n}", title_ja=f"エバーグレーズ {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


def planned(query: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in (
            "enable_seqscan",
            "enable_bitmapscan",
            "enable_sort",
            "enable_incremental_sort",
        ):
            cursor.execute(f"SET LOCAL {setting} = off")
        found = plans.plan(query)
        transaction.set_rollback(True)
    return found["page"]


def test_a_state_by_title_reads_the_state_title_index(make_case, other_states):
    make_case(state="MS", region="nashville", title_en="Magnolia")
    assert "case_public_state_title_en_idx" in planned("state=MS&sort=title&page=1")


def test_a_state_by_japanese_title_reads_the_japanese_one(make_case, other_states):
    from django.utils import translation

    make_case(state="MS", region="nashville", title_ja="マグノリア")
    with translation.override("ja"):
        assert "case_public_state_title_ja_idx" in planned("state=MS&sort=title&page=1")


def test_the_place_statistics_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'case_place_stats'")
        assert cursor.fetchall() in ([("{f}",)], [(["f"],)])


# A deep page (read by its ids first, cases.listing.window) of a list by theme or by several
# districts is found in the date or region index alone (migration cases 0019): at a million
# cases, page 35 of one theme passes 14,000 cases, 20 ms through the table, 4 ms in the index.
@pytest.mark.parametrize(
    "query",
    [
        "theme=culture&page=40",
        "theme=culture&sort=oldest&page=40",
        "theme=culture&theme=energy&from=2023&to=2024&page=40",
        "region=miami&region=houston&sort=oldest&page=40",
        "state=FL&state=NY&page=40",
        "region=miami&theme=culture&page=40",
    ],
)
def test_a_deep_page_by_theme_or_districts_is_read_from_the_index_alone(
    make_case, other_states, query
):
    found = planned(query)
    assert re.search(r"Index Only Scan (Backward )?using case_public_(date|region)_idx", found), (
        found
    )
