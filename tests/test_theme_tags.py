"""A case's themes are repeated on its own row (`theme_tags`), and the row never disagrees
with the (case, theme) table, whoever writes the themes: the register one case at a time or
in bulk (both paths), a restore, the ORM from either side, a deleted theme, the migration that
filled the column, the benchmark's loader. Lists filtered by theme read the column."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from cases import rules
from cases.models import Case, Theme
from cases.register import Change, cases
from cases.stats import Filters

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set path (COPY) exists on PostgreSQL only"
)


def theme_ids(*slugs) -> list[int]:
    ids = sorted(Theme.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    assert len(ids) == len(slugs)
    return ids


def assert_tags_follow_themes():
    """Every case's stored tags are those of its rows in the (case, theme) table."""
    themes: dict = {}
    for case_id, theme_id in Case.themes.through.objects.values_list("case_id", "theme_id"):
        themes.setdefault(case_id, []).append(theme_id)
    stored = dict(Case._base_manager.values_list("pk", "theme_tags"))
    assert stored, "no cases to compare"
    assert stored == {pk: rules.theme_tags(themes.get(pk, [])) for pk in stored}


def stored_tags(case) -> str:
    return Case._base_manager.values_list("theme_tags", flat=True).get(pk=case.pk)


def test_the_tags_are_the_sorted_ids_between_slashes():
    assert rules.theme_tags([12, 3, 7, 3]) == "/3/7/12/"
    assert rules.theme_tags([5]) == "/5/"
    assert rules.theme_tags([]) == ""


def test_a_save_by_the_register_writes_the_tags_with_the_themes(make_case, hq_editor):
    case = make_case()
    energy, stem = theme_ids("energy"), theme_ids("stem-women")
    cases.save(hq_editor, case, collections={"themes": energy + stem})
    assert stored_tags(case) == case.theme_tags == rules.theme_tags(energy + stem)
    cases.save(hq_editor, case, collections={"themes": stem})
    assert stored_tags(case) == rules.theme_tags(stem)
    # A save without its themes keeps them, and their tags.
    case.title_en = "Renamed"
    cases.save(hq_editor, case)
    assert stored_tags(case) == rules.theme_tags(stem)
    cases.save(hq_editor, case, collections={"themes": []})
    assert stored_tags(case) == ""
    assert_tags_follow_themes()


def test_a_save_that_keeps_the_themes_mends_tags_that_disagree(make_case, hq_editor):
    energy = theme_ids("energy")
    case = make_case(themes=energy)
    Case._base_manager.filter(pk=case.pk).update(theme_tags="/999/")
    case.theme_tags = "/999/"
    cases.save(hq_editor, case, collections={"themes": energy})
    assert stored_tags(case) == rules.theme_tags(energy)


@pytest.mark.parametrize("sets", [False, pytest.param(True, marks=on_postgresql)])
def test_the_bulk_form_writes_the_tags_on_the_rows_it_writes(make_case, hq_editor, sets):
    energy, stem = theme_ids("energy"), theme_ids("stem-women")
    kept = make_case(title_en="Keeps its themes", themes=energy)
    changed = make_case(title_en="Changes its themes", themes=energy)
    template = make_case(title_en="Template")
    new = [
        Case(
            title_en=f"New {n}",
            start_date=template.start_date,
            region_id=template.region_id,
            state_id=template.state_id,
            county_id=template.county_id,
            city_en=template.city_en,
            format=template.format,
            status=template.status,
        )
        for n in range(3)
    ]
    kept.title_en = "Keeps its themes, renamed"
    result = cases.save_many(
        hq_editor,
        [
            Change(new[0], {"themes": energy + stem}),
            Change(new[1], {"themes": []}),
            Change(new[2]),
            Change(kept),
            Change(changed, {"themes": stem}),
        ],
        sets=sets,
    )
    assert len(result.created) == 3
    assert len(result.updated) == 2
    assert stored_tags(new[0]) == rules.theme_tags(energy + stem)
    assert stored_tags(new[1]) == stored_tags(new[2]) == ""
    assert stored_tags(kept) == rules.theme_tags(energy)
    assert stored_tags(changed) == rules.theme_tags(stem)
    assert_tags_follow_themes()


def test_the_tags_are_no_change_of_their_own_in_the_history(make_case, hq_editor):
    """Staff see the themes change, not the column that repeats them."""
    case = make_case()
    cases.save(hq_editor, case, collections={"themes": theme_ids("energy")})
    entry = AuditEntry.objects.filter(object_id=str(case.pk)).latest("pk")
    assert "themes" in entry.changes
    assert "theme_tags" not in entry.changes


def test_a_restored_version_brings_back_its_themes_tags(make_case, hq_editor):
    energy, stem = theme_ids("energy"), theme_ids("stem-women")
    case = make_case()
    cases.save(hq_editor, case, collections={"themes": energy})
    version = cases.snapshot(Case.objects.get(pk=case.pk), {"themes": energy})
    cases.save(hq_editor, case, collections={"themes": stem})
    cases.restore(hq_editor, case.pk, version, current=Case.objects.get(pk=case.pk))
    assert stored_tags(case) == rules.theme_tags(energy)
    assert_tags_follow_themes()


def test_themes_written_through_the_orm_from_either_side_move_the_tags(make_case):
    energy, stem = Theme.objects.get(slug="energy"), Theme.objects.get(slug="stem-women")
    first, second = make_case(), make_case()
    first.themes.add(energy, stem)
    assert first.theme_tags == stored_tags(first) == rules.theme_tags([energy.pk, stem.pk])
    first.themes.remove(stem)
    assert stored_tags(first) == rules.theme_tags([energy.pk])
    stem.cases.add(first, second)
    assert stored_tags(second) == rules.theme_tags([stem.pk])
    assert_tags_follow_themes()
    stem.cases.remove(second)
    assert stored_tags(second) == ""
    stem.cases.clear()
    assert stored_tags(first) == rules.theme_tags([energy.pk])
    first.themes.clear()
    assert first.theme_tags == stored_tags(first) == ""
    assert_tags_follow_themes()


def test_a_deleted_theme_leaves_the_tags_of_its_cases(make_case):
    gone = Theme.objects.create(slug="gone", group="topic", name_en="Gone", name_ja="廃止")
    energy = Theme.objects.get(slug="energy")
    case = make_case(themes=[gone, energy])
    gone.delete()
    assert stored_tags(case) == rules.theme_tags([energy.pk])
    assert_tags_follow_themes()


def test_the_migration_fills_the_tags_from_the_table(make_case):
    energy, stem = theme_ids("energy"), theme_ids("stem-women")
    make_case(themes=energy + stem)
    make_case(themes=stem)
    make_case()
    Case._base_manager.update(theme_tags="")
    migration = importlib.import_module("cases.migrations.0018_theme_tags")
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)
    assert_tags_follow_themes()


def test_a_theme_filter_lists_the_cases_the_table_gives(make_case):
    energy, stem, culture = (
        Theme.objects.get(slug=s) for s in ("energy", "stem-women", "culture")
    )
    make_case(themes=[energy])
    make_case(themes=[energy, stem])
    make_case(themes=[stem])
    make_case(themes=[culture])
    make_case(is_public=False, themes=[energy])
    make_case()
    for themes in (("energy",), ("stem-women",), ("energy", "stem-women"), ("culture", "energy")):
        for public in (False, True):
            filters = Filters(theme=themes, public=public)
            listed = Case.objects.public() if public else Case.objects.counted()
            rows = Case.themes.through.objects.filter(theme__slug__in=themes)
            by_table = listed.filter(pk__in=rows.values("case_id"))
            assert set(filters.cases().values_list("pk", flat=True)) == set(
                by_table.values_list("pk", flat=True)
            )
            assert filters.cases().exists()


def test_a_list_filtered_by_theme_does_not_look_the_themes_up(make_case):
    make_case(themes=Theme.objects.filter(slug="energy"))
    with CaptureQueriesContext(connection) as queries:
        found = list(Filters(theme="energy", public=True).cases().values_list("pk", flat=True))
    assert len(found) == 1
    assert not any("cases_case_themes" in query["sql"] for query in queries.captured_queries)
    assert any("theme_tags" in query["sql"] for query in queries.captured_queries)


def test_an_unknown_theme_lists_nothing(make_case):
    make_case(themes=Theme.objects.filter(slug="energy"))
    assert not Filters(theme="no-such-theme").narrow(Case.objects.all()).exists()


@on_postgresql
def test_the_benchmark_s_cases_carry_their_themes_tags(db):
    """The benchmark lists by theme at a million cases from rows its loader writes with COPY:
    without the tags every theme page would be empty, and fast."""
    from bench.config import Config
    from bench.dataset import Generator

    connection.ensure_connection()
    generator = Generator(connection.connection, Config())
    assert generator.top_up(40) == 40
    assert_tags_follow_themes()
