"""Filling the tallies from the case table, in the database, in one statement per table.

`refresh()` empties the tallies and counts every counted case again (`Case.objects.counted()`,
the one definition of what the figures count); `refresh(groups)` does the same for a few
(fiscal year, region) groups only, which is what a single save needs: at a million cases one
group holds a few thousand cases, found through the case table's (status, fiscal_year, region)
index, so an edit stays quick however large the register grows.

A refresh runs in the caller's transaction (or a transaction of its own), so a reader sees the
tallies before or after it, never half-way. On PostgreSQL refreshes take turns (a
transaction-scoped advisory lock): two writers recounting the same group at once would
otherwise each delete the rows they could see and both insert, counting the group twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from cases.figures.models import (
    CaseTally,
    FigureChange,
    FormatTally,
    PartnerKindTally,
    ThemeTally,
    ThemeYearTally,
)
from cases.models import Case, CasePartner, Partner

# Above this many groups one full rebuild is cheaper than many small ones.
MAX_GROUPS = 40
# The advisory lock's key: any constant of our own ("tallies" in ASCII).
LOCK_KEY = 0x74616C6C696573


def _in_groups(groups: list[tuple[int, int]] | None) -> Q:
    """The condition selecting the rows of these (fiscal year, region id) groups (None: all)."""
    if groups is None:
        return Q()
    by_year: dict[int, list[int]] = defaultdict(list)
    for fiscal_year, region_id in groups:
        by_year[fiscal_year].append(region_id)
    return reduce(
        or_,
        (
            Q(fiscal_year=year, region_id__in=sorted(regions))
            for year, regions in sorted(by_year.items())
        ),
    )


def _insert_select(cursor, model, columns: list[str], queryset) -> None:
    """INSERT INTO the model's table the rows the queryset selects (same column order)."""
    quote = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(quote(name) for name in columns)
    cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)


def refresh(groups: Iterable[tuple[int, int]] | None = None, *, national: bool = True) -> None:
    """Count the counted cases of these (fiscal year, region) groups again (None: all of them).

    Runs in the caller's transaction, so the tallies commit or roll back with the change.
    `national=False` leaves out the theme-by-year tally.
    """
    if groups is not None:
        groups = sorted(
            {(int(year), int(region)) for year, region in groups if None not in (year, region)}
        )
        if not groups:
            return
    stamped = groups
    if groups is not None and len(groups) > MAX_GROUPS:
        groups = None
    where = _in_groups(groups)
    counted = Case.objects.counted().filter(where).order_by()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        stamp(stamped)
        for model in (CaseTally, ThemeTally, FormatTally, PartnerKindTally):
            stale = model.objects.filter(where)
            stale._raw_delete(stale.db)
        _insert_select(
            cursor,
            CaseTally,
            ["fiscal_year", "region_id", "state_id", "public", "cases"],
            counted.values_list("fiscal_year", "region_id", "state_id", "is_public").annotate(
                n=Count("pk")
            ),
        )
        # (case, theme) pairs are unique in the through table, so counting rows counts cases.
        through = Case.themes.through
        _insert_select(
            cursor,
            ThemeTally,
            ["fiscal_year", "region_id", "state_id", "theme_id", "public", "cases"],
            through.objects.filter(case__in=counted.values("pk"))
            .order_by()
            .values_list(
                "case__fiscal_year",
                "case__region_id",
                "case__state_id",
                "theme_id",
                "case__is_public",
            )
            .annotate(n=Count("pk")),
        )
        grain = ["fiscal_year", "region_id", "state_id", "public"]
        _insert_select(
            cursor,
            FormatTally,
            [*grain, "format", "cases"],
            counted.values_list(
                "fiscal_year", "region_id", "state_id", "is_public", "format"
            ).annotate(n=Count("pk")),
        )
        # A case counts once under each kind of partner it has.
        _insert_select(
            cursor,
            PartnerKindTally,
            [*grain, "kind", "cases"],
            CasePartner.objects.filter(case__in=counted.values("pk"))
            .order_by()
            .values_list(
                "case__fiscal_year",
                "case__region_id",
                "case__state_id",
                "case__is_public",
                "partner__kind",
            )
            .annotate(n=Count("case_id", distinct=True)),
        )
        if not national:
            return
        # The national theme-by-year rows of the fiscal years touched, from the theme tally
        # just written (a few thousand rows at most, whatever the size of the register).
        years = Q() if groups is None else Q(fiscal_year__in=sorted({y for y, _r in groups}))
        stale = ThemeYearTally.objects.filter(years)
        stale._raw_delete(stale.db)
        _insert_select(
            cursor,
            ThemeYearTally,
            ["fiscal_year", "theme_id", "cases"],
            ThemeTally.objects.filter(years)
            .order_by()
            .values_list("fiscal_year", "theme_id")
            .annotate(n=Sum("cases")),
        )


def stamp(groups: Iterable[tuple[int, int]] | None, when=None) -> None:
    """Record that these (fiscal year, region id) groups' figures changed now (None: all).

    The data date of a figure is the latest stamp of the groups it counts (or of "all").
    """
    when = when or timezone.now()
    keys = [(FigureChange.ALL, FigureChange.ALL)] if groups is None else list(groups)
    FigureChange.objects.bulk_create(
        [FigureChange(fiscal_year=y, region_id=r, changed_at=when) for y, r in keys],
        update_conflicts=True,
        unique_fields=["fiscal_year", "region_id"],
        update_fields=["changed_at"],
    )


# --- Adding new cases without counting their groups again ---------------------------------


def add(new_cases) -> set[tuple[int, int]]:
    """Add cases just created in this transaction to the tallies, from the values they were
    written with, without counting their groups again; returns the (fiscal year, region id)
    groups that moved, stamped as changed now.

    `new_cases` are the counted ones (held and reviewed: the register's `counts()`), as
    (case, theme ids, [partner id, role] rows) as written. An
    import of 10,000 cases touches nearly every group: counting those again read the whole
    case table (1.6 s at 100,000 cases, 7 s at a million); adding reads only the tally rows
    of the groups it touches. The rows are those a count would give (tests/test_tallies_add.py).
    """
    counted = [
        (case, themes, partners)
        for case, themes, partners in new_cases
        if None not in (case.fiscal_year, case.region_id)
    ]
    if not counted:
        return set()
    kinds = dict(
        Partner.objects.filter(
            pk__in={int(row[0]) for _c, _t, partners in counted for row in partners or ()}
        ).values_list("pk", "kind")
    )
    deltas = {model: defaultdict(int) for model in (CaseTally, ThemeTally, FormatTally)}
    deltas[PartnerKindTally] = defaultdict(int)
    deltas[ThemeYearTally] = defaultdict(int)
    for case, themes, partners in counted:
        grain = (case.fiscal_year, case.region_id, case.state_id, case.is_public)
        deltas[CaseTally][grain] += 1
        deltas[FormatTally][(*grain, case.format)] += 1
        for theme in set(themes or ()):
            deltas[ThemeTally][(*grain, int(theme))] += 1
            deltas[ThemeYearTally][(case.fiscal_year, int(theme))] += 1
        for kind in {kinds[int(row[0])] for row in partners or ()}:
            deltas[PartnerKindTally][(*grain, kind)] += 1
    groups = {(case.fiscal_year, case.region_id) for case, _t, _p in counted}
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Taking turns with refresh(): a count running beside this would miss these cases
            # or count them twice.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        stamp(groups)
        where = _in_groups(sorted(groups))
        years = Q(fiscal_year__in=sorted({year for year, _r in groups}))
        for model, grain in _GRAINS.items():
            _merge(model, grain, deltas[model], where if model is not ThemeYearTally else years)
    return groups


# Each tally's columns of one row, as add() keys its deltas.
_GRAINS = {
    CaseTally: ["fiscal_year", "region_id", "state_id", "public"],
    ThemeTally: ["fiscal_year", "region_id", "state_id", "public", "theme_id"],
    FormatTally: ["fiscal_year", "region_id", "state_id", "public", "format"],
    PartnerKindTally: ["fiscal_year", "region_id", "state_id", "public", "kind"],
    ThemeYearTally: ["fiscal_year", "theme_id"],
}


def _merge(model, grain: list[str], delta: dict, where: Q) -> None:
    """Add `delta` (grain values -> cases) to the model's rows of the groups touched (`where`):
    those rows are read, deleted and written again with the delta added, as refresh() writes a
    group (one row per grain). Three statements whatever the number of cases; the rows of the
    groups touched are at most the tally's few thousand."""
    merged = defaultdict(int)
    for *key, cases in model.objects.filter(where).values_list(*grain, "cases"):
        merged[tuple(key)] += cases
    for key, n in delta.items():
        merged[key] += n
    stale = model.objects.filter(where)
    stale._raw_delete(stale.db)
    _write_rows(model, [*grain, "cases"], [(*key, n) for key, n in merged.items()])


def _write_rows(model, names: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (values in the order of the fields `names`) into the model's table:
    with COPY on PostgreSQL, one executemany elsewhere. A model object per row cost more than
    the rest of add() together."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif rows:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
