"""New cases written in bulk are added to the tallies, not counted again with their groups.

An import of thousands of new cases touches nearly every (fiscal year, region) group; counting
those groups again read the whole case table (1.6 s at 100,000 cases, 7 s at a million).
`cases.figures.tallies.add` adds the new cases from the values written instead. Its rows must
be the rows a count gives, whoever writes, and it must not read the case table.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.figures import freshness, tallies
from cases.figures.models import (
    CaseTally,
    FigureChange,
    FormatTally,
    PartnerKindTally,
    ThemeTally,
    ThemeYearTally,
)
from cases.models import (
    Case,
    CaseFormat,
    CaseStatus,
    Partner,
    PartnerKind,
    Publication,
    Region,
    State,
    Theme,
)
from cases.register import Change, cases

TABLES = {
    CaseTally: ["fiscal_year", "region_id", "state_id", "public", "cases"],
    ThemeTally: ["fiscal_year", "region_id", "state_id", "theme_id", "public", "cases"],
    FormatTally: ["fiscal_year", "region_id", "state_id", "public", "format", "cases"],
    PartnerKindTally: ["fiscal_year", "region_id", "state_id", "public", "kind", "cases"],
    ThemeYearTally: ["fiscal_year", "theme_id", "cases"],
}


def rows() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list(*columns), key=repr)
        for model, columns in TABLES.items()
    }


def counted_again() -> dict:
    """The tallies as a full count gives them (undone afterwards)."""
    with transaction.atomic():
        tallies.refresh()
        found = rows()
        transaction.set_rollback(True)
    return found


@pytest.fixture
def partners(db):
    return [
        Partner.objects.create(name_en="Add Chamber", kind=PartnerKind.CHAMBER),
        Partner.objects.create(name_en="Add University", kind=PartnerKind.UNIVERSITY),
        Partner.objects.create(name_en="Add College", kind=PartnerKind.UNIVERSITY),
    ]


def new_changes(partners, count: int, start: int = 0, **fields) -> list[Change]:
    """New cases spread over two fiscal years, three regions (one without a state), public
    and not, two formats, zero to two themes and partners of one or two kinds."""
    places = [("miami", "FL"), ("miami", None), ("new-york", "NY"), ("houston", "TX")]
    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True)[:3])
    made = []
    for n in range(start, start + count):
        region, state = places[n % len(places)]
        values = {
            "title_en": f"Added {n}",
            "start_date": datetime.date(2024, 10, 1) if n % 3 else datetime.date(2023, 5, 1),
            "region": Region.objects.get(code=region),
            "state": State.objects.get(code=state) if state else None,
            "format": CaseFormat.WORKSHOP if n % 2 else CaseFormat.SEMINAR,
            "status": CaseStatus.HELD,
            "is_public": bool(n % 2),
            "external_ref": f"ADD-{n}",
        }
        values.update(fields)
        chosen = [partners[n % 3]] + ([partners[(n + 1) % 3]] if n % 4 == 0 else [])
        made.append(
            Change(
                Case(**values),
                {
                    "themes": themes[: n % 3],
                    "partners": [[partner.pk, "co-host"] for partner in chosen],
                },
            )
        )
    return made


@pytest.mark.django_db
def test_new_cases_leave_the_rows_a_count_gives(hq_editor, partners, make_case):
    # Rows already there grow; new rows are made; other groups are left as they are.
    make_case(external_ref="THERE-1", region="new-york", state="NY")
    make_case(external_ref="THERE-2", region="chicago", state="IL", is_public=False)
    freshness.flush(bump=False)
    with CaptureQueriesContext(connection) as captured:
        result = cases.save_many(hq_editor, new_changes(partners, 24), approve=True)
    assert len(result.created) == 24
    assert rows() == counted_again()
    assert sum(n for *_key, n in rows()["CaseTally"]) == Case.objects.counted().count() == 26
    # Not one statement counted the case table again.
    recounts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert recounts == []


@pytest.mark.django_db
def test_cases_the_figures_do_not_count_add_nothing(editor_a, partners):
    before = rows()
    miami = Region.objects.get(code="miami")
    drafts = new_changes(partners, 6, region=miami, state=None, is_public=False)
    cases.save_many(editor_a, drafts)  # a consulate's new cases are drafts
    assert Case.objects.filter(publication=Publication.DRAFT).count() == 6
    assert rows() == before == counted_again()
    assert not FigureChange.objects.exists()


@pytest.mark.django_db
def test_planned_cases_are_added_only_when_held(hq_editor, partners):
    later = timezone.localdate() + datetime.timedelta(days=60)
    planned = new_changes(partners, 4, status=CaseStatus.PLANNED, start_date=later)
    cases.save_many(hq_editor, planned + new_changes(partners, 4, start=4), approve=True)
    assert rows() == counted_again()
    assert sum(n for *_key, n in rows()["CaseTally"]) == 4


@pytest.mark.django_db
def test_groups_waiting_to_be_counted_are_not_counted_twice(hq_editor, partners, make_case):
    """A case saved outside the register leaves its group waiting on this thread; the new
    cases added to it now are in the case table when the group is counted."""
    make_case(external_ref="WAITING", start_date=datetime.date(2024, 10, 1))
    cases.save_many(hq_editor, new_changes(partners, 8), approve=True)
    freshness.flush(bump=False)
    assert rows() == counted_again()


@pytest.mark.django_db
def test_every_added_group_is_stamped_and_the_generation_moves_on_commit(
    hq_editor, partners, django_capture_on_commit_callbacks
):
    before = freshness.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cases.save_many(hq_editor, new_changes(partners, 8), approve=True)
    assert callbacks
    stamped = set(FigureChange.objects.values_list("fiscal_year", "region_id"))
    assert stamped == set(
        Case.objects.counted().values_list("fiscal_year", "region_id").distinct()
    )
    assert freshness.generation() != before


@pytest.mark.django_db
def test_an_import_adds_its_cases(hq_editor, partners):
    from exchange.importing import apply_import
    from tests.test_import import case_row, csv_file

    Partner.objects.create(name_en="Greater Miami Chamber of Commerce", kind=PartnerKind.CHAMBER)
    data = csv_file(
        [case_row(external_ref=f"IMP-{n}", title_en=f"Imported {n}") for n in range(5)]
    )
    apply_import(data, "cases.csv", user=hq_editor)
    assert Case.objects.counted().count() == 5
    assert rows() == counted_again()
