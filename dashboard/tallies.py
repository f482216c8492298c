"""Filling the tallies from the case table, in the database, in one statement per table.

`refresh()` empties the tallies and counts every held case again; `refresh(groups)` does the
same for a few (fiscal year, region) groups only, which is what a single save needs: at a
million cases one group holds a few thousand cases, found through the case table's
(status, fiscal_year, region) index, so an edit stays quick however large the register grows.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from cases.models import Case, CaseStatus
from dashboard.models import CaseTally, ThemeTally, ThemeYearTally

# Above this many groups one full rebuild is cheaper than many small ones.
MAX_GROUPS = 40


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "case": quote(Case._meta.db_table),
        "case_themes": quote(Case.themes.through._meta.db_table),
        "case_tally": quote(CaseTally._meta.db_table),
        "theme_tally": quote(ThemeTally._meta.db_table),
        "theme_year_tally": quote(ThemeYearTally._meta.db_table),
    }


def _where(groups: list[tuple[int, int]] | None) -> tuple[str, list]:
    """SQL restricting `c` (the case table) to the groups, with its parameters."""
    if groups is None:
        return "", []
    by_year: dict[int, list[int]] = defaultdict(list)
    for fiscal_year, region_id in groups:
        by_year[fiscal_year].append(region_id)
    clauses, params = [], []
    for fiscal_year, regions in sorted(by_year.items()):
        marks = ", ".join(["%s"] * len(regions))
        clauses.append(f"(c.fiscal_year = %s AND c.region_id IN ({marks}))")
        params += [fiscal_year, *sorted(regions)]
    return " AND (" + " OR ".join(clauses) + ")", params


def refresh(groups: Iterable[tuple[int, int]] | None = None, *, national: bool = True) -> None:
    """Count the held cases of these (fiscal year, region) groups again (None: all of them).

    Runs in the caller's transaction, so the tallies commit or roll back with the change.
    `national=False` leaves out the theme-by-year tally, for the data migration that ran before
    that table existed.
    """
    if groups is not None:
        groups = sorted(
            {(int(year), int(region)) for year, region in groups if None not in (year, region)}
        )
        if not groups:
            return
        if len(groups) > MAX_GROUPS:
            groups = None
    tables = _tables()
    where, params = _where(groups)
    delete_where = where.replace("c.", "") if where else ""
    with connection.cursor() as cursor:
        for table in (tables["case_tally"], tables["theme_tally"]):
            cursor.execute(f"DELETE FROM {table} WHERE 1 = 1{delete_where}", params)
        cursor.execute(
            f"INSERT INTO {tables['case_tally']} (fiscal_year, region_id, state_id, cases) "
            f"SELECT c.fiscal_year, c.region_id, c.state_id, COUNT(*) FROM {tables['case']} c "
            f"WHERE c.status = %s{where} "
            "GROUP BY c.fiscal_year, c.region_id, c.state_id",
            [CaseStatus.HELD.value, *params],
        )
        # (case, theme) pairs are unique in the through table, so COUNT(*) counts cases.
        cursor.execute(
            f"INSERT INTO {tables['theme_tally']} "
            "(fiscal_year, region_id, state_id, theme_id, cases) "
            "SELECT c.fiscal_year, c.region_id, c.state_id, t.theme_id, COUNT(*) "
            f"FROM {tables['case']} c JOIN {tables['case_themes']} t ON t.case_id = c.id "
            f"WHERE c.status = %s{where} "
            "GROUP BY c.fiscal_year, c.region_id, c.state_id, t.theme_id",
            [CaseStatus.HELD.value, *params],
        )
        # The national theme-by-year rows of the fiscal years touched, from the theme tally
        # just written (a few thousand rows at most, whatever the size of the register).
        if not national:
            return
        if groups is None:
            years_where, year_params = "", []
        else:
            years = sorted({year for year, _region in groups})
            years_where = f" WHERE fiscal_year IN ({', '.join(['%s'] * len(years))})"
            year_params = years
        cursor.execute(f"DELETE FROM {tables['theme_year_tally']}{years_where}", year_params)
        cursor.execute(
            f"INSERT INTO {tables['theme_year_tally']} (fiscal_year, theme_id, cases) "
            f"SELECT fiscal_year, theme_id, SUM(cases) FROM {tables['theme_tally']}"
            f"{years_where} GROUP BY fiscal_year, theme_id",
            year_params,
        )
