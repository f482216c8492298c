"""The importer writes in bulk: its queries do not grow with the rows, yet every rule holds.

No timings here (the benchmark in bench/ measures them); these tests pin what makes an import
fast (no query per row while planning, set-based writes) and what the bulk writes must still
do that `save()` used to do for them.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CasePartner, Partner, PartnerKind
from exchange.importing import ImportInvalid, apply_import, plan_import
from exchange.models import ImportBatch
from tests.test_import import case_row, csv_file


@pytest.fixture
def partners(db):
    return [
        Partner.objects.create(
            name_en="Greater Miami Chamber of Commerce", kind=PartnerKind.CHAMBER
        ),
        Partner.objects.create(
            name_en="Florida International University", kind=PartnerKind.UNIVERSITY
        ),
    ]


@pytest.fixture
def calls(monkeypatch):
    """What the importer told the figures and the history, instead of telling them (their
    own costs are theirs to pin). The before-state is reduced to the title."""
    from audit import recorder
    from cases.figures import freshness

    seen = {"changed": 0, "bulk": []}
    monkeypatch.setattr(recorder, "snapshot", lambda case: {"title_en": case.title_en})
    monkeypatch.setattr(freshness, "cases_changed", lambda: seen.__setitem__("changed", 1))
    monkeypatch.setattr(
        freshness, "groups_changed", lambda groups: seen.__setitem__("changed", len(groups))
    )
    monkeypatch.setattr(
        freshness,
        "cases_added",
        lambda added: seen.__setitem__(
            "changed", len({(c.fiscal_year, c.region_id) for c, *_ in added})
        ),
    )
    monkeypatch.setattr(
        recorder,
        "record_bulk",
        lambda action, instances, before=None: seen["bulk"].append(
            (action, [case.pk for case in instances], before)
        ),
    )
    # New cases written in sets (PostgreSQL) are recorded from the rows staged.
    monkeypatch.setattr(
        recorder,
        "record_written",
        lambda instances, collections: seen["bulk"].append(
            ("create", [case.pk for case in instances], None)
        ),
    )
    return seen


def rows(count: int, start: int = 0, **overrides) -> list[dict]:
    """`count` valid rows: Miami cases in FY2024, with a state, themes and a partner each."""
    return [
        case_row(
            **{
                "external_ref": f"BULK-{number:05d}",
                "title_en": f"Case {number}",
                "start_date": str(
                    datetime.date(2024, 4, 1) + datetime.timedelta(days=number % 300)
                ),
                **overrides,
            }
        )
        for number in range(start, start + count)
    ]


def queries_to_import(data: bytes) -> int:
    with CaptureQueriesContext(connection) as captured:
        apply_import(data, "bulk.csv")
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_planning_runs_the_same_queries_for_ten_rows_or_three_hundred(partners, calls):
    def planned(count):
        with CaptureQueriesContext(connection) as captured:
            plan = plan_import(csv_file(rows(count)), "plan.csv")
        assert plan.is_valid
        assert plan.created == count
        return len(captured.captured_queries)

    assert planned(10) == planned(300)


@pytest.mark.django_db
def test_an_import_runs_the_same_queries_for_ten_rows_or_three_hundred(partners, calls):
    few = queries_to_import(csv_file(rows(10)))
    many = queries_to_import(csv_file(rows(300, start=10)))
    assert few == many
    assert Case.objects.count() == 310
    # ...and an update of all of them costs the same again: no query per updated row.
    changed = rows(300, start=10, title_ja="更新", themes="energy", partners="")
    assert queries_to_import(csv_file(changed)) <= many + 8


@pytest.mark.django_db
def test_bulk_written_cases_get_what_save_would_have_given_them(partners, calls, hq_editor):
    result = apply_import(csv_file(rows(3, is_public="yes")), "bulk.csv", user=hq_editor)

    case = Case.objects.get(external_ref="BULK-00001")
    assert case.fiscal_year == 2024
    assert case.created_at is not None
    assert case.updated_at is not None
    assert (case.created_by, case.updated_by) == (hq_editor, hq_editor)
    assert case.import_batch == result.batch
    assert case.is_public
    assert case.publication == "published"
    assert case.published_at is not None
    assert sorted(case.themes.values_list("slug", flat=True)) == [
        "investment-jobs",
        "transport-infrastructure",
    ]
    assert list(case.partner_roles.values_list("partner__name_en", "role")) == [
        ("Greater Miami Chamber of Commerce", "co-host")
    ]
    assert calls["changed"] == 1  # one (fiscal year, region) group: FY2024, Miami
    assert calls["bulk"][0][:2] == ("create", sorted(Case.objects.values_list("pk", flat=True)))


@pytest.mark.django_db
def test_a_bulk_update_changes_only_what_differs_and_tells_the_history(partners, calls):
    apply_import(csv_file(rows(2)), "v1.csv")
    case = Case.objects.get(external_ref="BULK-00000")
    kept = case.partner_roles.get()
    stamp = case.updated_at
    calls["bulk"].clear()

    changed = rows(
        1,
        title_en="Renamed",
        themes="energy; investment-jobs",
        partners="Greater Miami Chamber of Commerce (co-host); "
        "Florida International University (speaker)",
        is_public="no",
    )
    result = apply_import(csv_file(changed + rows(1, start=1)), "v2.csv")

    assert (result.batch.updated, result.batch.unchanged) == (1, 1)
    case.refresh_from_db()
    assert case.title_en == "Renamed"
    assert case.updated_at > stamp
    assert case.import_batch == result.batch
    assert not case.is_public
    assert case.publication == "approved"  # withdrawn from the list by the system: still counted
    assert sorted(case.themes.values_list("slug", flat=True)) == ["energy", "investment-jobs"]
    roles = CasePartner.objects.filter(case=case).order_by("role")
    assert [(r.partner.name_en, r.role) for r in roles] == [
        ("Greater Miami Chamber of Commerce", "co-host"),
        ("Florida International University", "speaker"),
    ]
    assert roles[0].pk == kept.pk  # an unchanged partner role keeps its row
    action, pks, before = calls["bulk"][1]
    assert (action, pks) == ("change", [case.pk])
    assert before[case.pk]["title_en"] == "Case 0"  # the state before the import
    assert Case.objects.get(external_ref="BULK-00001").updated_at < case.updated_at


@pytest.mark.django_db
def test_the_district_rule_is_checked_without_a_query_a_row(partners, calls):
    bad = [*rows(50), case_row(external_ref="FAR", state="CA")]
    with CaptureQueriesContext(connection) as captured:
        plan = plan_import(csv_file(bad), "far.csv")
    # The districts are read once, whatever the number of rows.
    assert sum("jurisdiction" in q["sql"] for q in captured.captured_queries) == 1
    (error,) = plan.errors
    assert (error.row, error.column) == (52, "state")
    assert "not in the district of" in error.message


@pytest.mark.django_db
def test_a_bad_last_row_of_many_leaves_the_register_unchanged(partners, calls):
    apply_import(csv_file(rows(5)), "first.csv")
    before = (Case.objects.count(), CasePartner.objects.count(), ImportBatch.objects.count())
    data = csv_file([*rows(200, start=5), case_row(external_ref="BAD", region="atlantis")])
    with pytest.raises(ImportInvalid):
        apply_import(data, "bad.csv")
    assert (Case.objects.count(), CasePartner.objects.count(), ImportBatch.objects.count()) == (
        before
    )


@pytest.mark.django_db
def test_each_row_is_checked_against_the_rules_once_and_written_as_checked(partners, monkeypatch):
    """The plan checks every case with the model's full rules; the register, given the very
    cases the plan checked (their text already as it keeps it), does not check them again.
    An invalid row still changes nothing."""
    checked = []
    full_clean = Case.full_clean

    def counting(self, *args, **kwargs):
        checked.append(self.external_ref)
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Case, "full_clean", counting)
    rows = [
        case_row(external_ref=f"MIA-{n:03d}", summary_en=f"Line one\r\nline two {n}  ")
        for n in range(5)
    ]
    apply_import(csv_file(rows), "cases.csv")
    assert sorted(checked) == [f"MIA-{n:03d}" for n in range(5)]
    written = Case.objects.get(external_ref="MIA-003")
    assert written.summary_en == "Line one\nline two 3"
    checked.clear()
    with pytest.raises(ImportInvalid):
        apply_import(csv_file([case_row(external_ref="MIA-900", state="TX")]), "bad.csv")
    assert not Case.objects.filter(external_ref="MIA-900").exists()
