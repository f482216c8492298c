"""An import written in sets is the import written row by row.

On PostgreSQL the register's bulk form (`cases.save_many`) stages new cases and their theme
and partner rows with COPY and moves them in with INSERT … SELECT, and makes the audit entries
from the rows it staged; elsewhere it bulk-creates them and reads the rows back for the audit.
The same file imported both ways must leave the same cases, themes, partners, audit entries
and tallies, and a bad file must be refused with the same errors. Both paths run on
PostgreSQL (the set path needs COPY), so these tests run in the PostgreSQL pass of the suite.
"""

import functools

import pytest
from django.db import connection, transaction

from audit.models import AuditEntry
from cases.figures import freshness
from cases.figures.models import CaseTally, ThemeTally, ThemeYearTally
from cases.models import (
    Case,
    CasePartner,
    County,
    Partner,
    PartnerKind,
    Publication,
    Region,
    Theme,
)
from cases.register import cases
from exchange.importing import ImportInvalid, apply_import
from tests.test_import import case_row, csv_file

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set path (COPY) exists on PostgreSQL only"
)
# What the clock, the sequences or the batch give: different between any two runs.
VOLATILE = {"created_at", "updated_at", "published_at", "submitted_at", "import_batch"}


@pytest.fixture
def partners(db):
    return [
        Partner.objects.create(
            name_en="Greater Miami Chamber of Commerce", kind=PartnerKind.CHAMBER
        ),
        Partner.objects.create(
            name_en="Florida International University",
            name_ja="フロリダ国際大学",
            kind=PartnerKind.UNIVERSITY,
        ),
    ]


@pytest.fixture
def register(make_case, partners):
    """Stored cases the import changes: a published one whose themes and partners the file
    replaces, and a draft."""
    changed = make_case(external_ref="OLD-1", title_en="Old title")
    changed.themes.set(Theme.objects.filter(slug="energy"))
    CasePartner.objects.create(case=changed, partner=partners[1], role="speaker")
    make_case(external_ref="OLD-2", title_en="Kept", publication=Publication.DRAFT)
    # Counted as their commit would count them: otherwise the first import below would count
    # them in its own transaction, which it then undoes, and the second would not.
    freshness.flush(bump=False)
    return changed


def varied_file() -> bytes:
    """New cases of every shape (Japanese text, quotes, no state, a county of a split state,
    drafts and public ones, no themes or partners) and a change to a stored case."""
    county = County.objects.filter(state__code="CA", region__code="los-angeles").first()
    rows = [
        case_row(external_ref="NEW-1"),
        case_row(
            external_ref="NEW-2",
            title_en='A "quoted", comma title',
            summary_ja="改行\nのある要約",
            state="",
            is_public="no",
            participants="",
            themes="",
            partners="",
        ),
        case_row(
            external_ref="NEW-3",
            region="los-angeles",
            state="CA",
            county=county.fips,
            city_en="Los Angeles",
            start_date="2023-03-31",
            end_date="2023-04-02",
            themes="energy; investment-jobs; energy",
            partners=(
                "Greater Miami Chamber of Commerce (co-host); フロリダ国際大学 (speaker); "
                "Greater Miami Chamber of Commerce (co-host)"
            ),
        ),
        case_row(external_ref="NEW-4", status="planned", start_date="2099-05-01"),
        case_row(
            external_ref="OLD-1",
            title_en="New title",
            themes="supply-chain",
            partners="Greater Miami Chamber of Commerce (sponsor)",
        ),
        case_row(external_ref="OLD-2", title_en="Kept", title_ja="テスト案件", themes=""),
    ]
    for number in range(5, 40):
        rows.append(case_row(external_ref=f"NEW-{number}", title_en=f"Case {number}"))
    return csv_file(rows)


def register_state() -> dict:
    """Everything an import writes, by external reference rather than by id."""
    refs = dict(Case.objects.values_list("pk", "external_ref"))
    found = {}
    for case in Case.objects.order_by("external_ref"):
        values = {
            f.attname: getattr(case, f.attname)
            for f in Case._meta.concrete_fields
            if f.name not in VOLATILE and not f.primary_key
        }
        found[case.external_ref] = values
    themes = sorted(
        (refs[case_id], theme_id)
        for case_id, theme_id in Case.themes.through.objects.values_list("case_id", "theme_id")
    )
    roles = sorted(
        (refs[case_id], partner_id, role)
        for case_id, partner_id, role in CasePartner.objects.values_list(
            "case_id", "partner_id", "role"
        )
    )
    entries = sorted(
        (
            refs.get(int(entry.object_id), entry.object_id),
            entry.object_label,
            entry.action,
            entry.actor_id,
            entry.actor_username,
            entry.source,
            entry.note,
            sorted((k, v) for k, v in entry.changes.items() if k not in VOLATILE),
            sorted((k, v) for k, v in entry.snapshot.items() if k not in VOLATILE),
        )
        for entry in AuditEntry.objects.for_model(Case)
    )
    tallies = [
        list(model.objects.order_by(*columns).values_list(*columns))
        for model, columns in (
            (CaseTally, ["fiscal_year", "region_id", "state_id", "cases"]),
            (ThemeTally, ["fiscal_year", "region_id", "state_id", "theme_id", "cases"]),
            (ThemeYearTally, ["fiscal_year", "theme_id", "cases"]),
        )
    ]
    return {
        "cases": found,
        "themes": themes,
        "partners": roles,
        "entries": entries,
        "tallies": tallies,
    }


def import_with(monkeypatch, sets: bool, data: bytes, **options):
    """Import `data` on the set path or the plain one; returns the register as the import
    left it (or the error it raised), then undoes the import."""
    original = type(cases).save_many
    monkeypatch.setattr(cases, "save_many", functools.partial(original, cases, sets=sets))
    try:
        with transaction.atomic():
            try:
                result = apply_import(data, "cases.csv", **options)
            except ImportInvalid as invalid:
                outcome = ("invalid", [str(error) for error in invalid.plan.errors])
            else:
                outcome = ("written", result.plan.created, result.plan.updated, register_state())
            transaction.set_rollback(True)
    finally:
        monkeypatch.undo()
    return outcome


@on_postgresql
@pytest.mark.django_db
class TestTheSetPathIsThePlainPath:
    def test_a_varied_import_by_hq_leaves_the_same_register(
        self, register, hq_editor, monkeypatch
    ):
        data = varied_file()
        in_sets = import_with(monkeypatch, True, data, user=hq_editor)
        plain = import_with(monkeypatch, False, data, user=hq_editor)
        assert in_sets[0] == "written"
        assert in_sets[1:3] == (39, 2)
        assert in_sets == plain
        state = in_sets[3]
        assert state["cases"]["NEW-3"]["county_id"] is not None
        assert ("NEW-3", "energy") not in state["themes"]  # theme ids, not slugs
        assert len([e for e in state["entries"] if e[2] == "create"]) >= 39

    def test_an_import_by_a_consulate_without_publishing_leaves_the_same_register(
        self, register, editor_a, monkeypatch
    ):
        rows = [case_row(external_ref=f"D-{n}", is_public="no") for n in range(12)]
        data = csv_file(rows)
        options = {"user": editor_a, "allowed_regions": [editor_a_region()], "can_publish": False}
        in_sets = import_with(monkeypatch, True, data, **options)
        assert in_sets[0] == "written"
        assert in_sets == import_with(monkeypatch, False, data, **options)

    def test_a_bad_file_is_refused_with_the_same_errors(self, register, hq_editor, monkeypatch):
        rows = [
            case_row(external_ref="BAD-1", state="CA"),
            case_row(external_ref="BAD-2", end_date="2024-10-01"),
            case_row(external_ref="BAD-2"),
            case_row(external_ref="BAD-3", partners="Nobody Inc (co-host)"),
        ]
        data = csv_file(rows)
        in_sets = import_with(monkeypatch, True, data, user=hq_editor)
        assert in_sets[0] == "invalid"
        assert len(in_sets[1]) == 4
        assert in_sets == import_with(monkeypatch, False, data, user=hq_editor)
        assert not Case.objects.filter(external_ref__startswith="BAD-").exists()


def editor_a_region() -> int:
    return Region.objects.get(code="miami").pk


@pytest.mark.django_db
def test_the_register_takes_the_set_path_on_postgresql_only(hq_editor, partners, monkeypatch):
    """Which path a bulk call takes by default: sets on PostgreSQL, bulk_create elsewhere."""
    taken = []
    original = Case.objects.bulk_create

    def spy(objs, **kwargs):
        taken.append(len(objs))
        return original(objs, **kwargs)

    monkeypatch.setattr(Case.objects, "bulk_create", spy)
    apply_import(csv_file([case_row(external_ref="PATH-1")]), "cases.csv", user=hq_editor)
    assert Case.objects.filter(external_ref="PATH-1").exists()
    assert taken == ([] if connection.vendor == "postgresql" else [1])


def test_only_djangos_own_fields_send_plain_values_unprepared():
    """New cases are staged with their values as they are where Django's own field would
    return them unchanged; anything else (dates, a field class of our own) is prepared."""
    from django.db import models

    from cases.register import sent_as_is

    class Shouting(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    field = {f.name: f for f in Case._meta.concrete_fields}
    assert sent_as_is(field["title_en"]) is str
    assert sent_as_is(field["summary_en"]) is str
    assert sent_as_is(field["region"]) is int
    assert sent_as_is(field["participants"]) is int
    assert sent_as_is(field["is_public"]) is bool
    assert sent_as_is(field["start_date"]) is None
    assert sent_as_is(field["created_at"]) is None
    assert sent_as_is(Shouting(max_length=10)) is None
    assert sent_as_is(models.JSONField()) is None
