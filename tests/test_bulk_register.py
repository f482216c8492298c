"""The register's bulk form (`cases.save_many`) is the one-record form in a few statements.

Fed the same changes, the bulk call and `cases.save()` one by one leave the same cases, the
same audit entries and the same figures (a property over random change sequences); the bulk
call's queries do not grow with the number of cases; and the importer and the demo data each
make one bulk call instead of a loop of single ones.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from cases.figures import freshness
from cases.figures.models import CaseTally, ThemeTally, ThemeYearTally
from cases.models import (
    Case,
    CaseFormat,
    CasePartner,
    CaseStatus,
    Partner,
    PartnerKind,
    Publication,
    Region,
    State,
    Theme,
)
from cases.register import Change, Refused, cases

# Region and state pairs the district rule accepts (no split state: no county needed).
PLACES = [("miami", "FL"), ("miami", None), ("new-york", "NY"), ("houston", "TX")]
# Dates on both sides of a fiscal-year boundary, all in the past (a held case may not be future).
DATES = [datetime.date(2024, 3, 31), datetime.date(2024, 4, 1), datetime.date(2023, 10, 1)]
THEMES = ["investment-jobs", "supply-chain", "energy"]
ROLES = ["co-host", "speaker"]
# Fields the clock or the database's sequence sets: they differ between any two runs.
VOLATILE = {"id", "created_at", "updated_at", "published_at", "submitted_at", "import_batch"}


@pytest.fixture
def partners(db):
    return [
        Partner.objects.create(name_en="Bulk Chamber", kind=PartnerKind.CHAMBER),
        Partner.objects.create(name_en="Bulk University", kind=PartnerKind.UNIVERSITY),
    ]


def new_case(number: int, **fields) -> Case:
    values = {
        "title_en": f"Case {number}",
        "title_ja": "",
        "start_date": datetime.date(2024, 10, 1),
        "region": Region.objects.get(code="miami"),
        "state": State.objects.get(code="FL"),
        "format": CaseFormat.WORKSHOP,
        "status": CaseStatus.HELD,
        "external_ref": f"NEW-{number}",
    }
    values.update(fields)
    return Case(**values)


# --- the property: bulk and one by one agree --------------------------------------------------


def edit_strategy(publisher: bool):
    """What one change sets: a title, a date, a place, the status, themes, partner rows and
    (for a publisher) whether the case is listed."""
    return st.fixed_dictionaries(
        {
            "title_en": st.text("abcxyz ", min_size=1, max_size=8).map(str.strip).filter(bool),
            "start_date": st.sampled_from(DATES),
            "place": st.sampled_from(
                PLACES if publisher else [p for p in PLACES if p[0] == "miami"]
            ),
            "status": st.sampled_from([CaseStatus.HELD, CaseStatus.PLANNED, CaseStatus.DRAFT]),
            "themes": st.lists(st.sampled_from(THEMES), unique=True, max_size=3),
            "partners": st.lists(
                st.tuples(st.integers(0, 1), st.sampled_from(ROLES)), unique=True, max_size=3
            ),
            "is_public": st.booleans() if publisher else st.just(False),
        }
    )


def plans():
    """(whose, [(target, edit)]): target None makes a new case, an int changes that base case
    (each at most once: the bulk form takes a case once)."""

    def for_user(publisher: bool):
        targets = st.tuples(
            st.integers(0, 3), st.lists(st.integers(0, 3), unique=True, max_size=3)
        ).map(lambda drawn: [None] * drawn[0] + drawn[1])
        targets = targets.filter(bool).flatmap(st.permutations)
        return targets.flatmap(
            lambda ts: st.tuples(
                st.just("hq" if publisher else "miami"),
                st.tuples(*[st.tuples(st.just(t), edit_strategy(publisher)) for t in ts]).map(
                    list
                ),
            )
        )

    return st.one_of(for_user(True), for_user(False))


def base_cases(make_case, whose: str):
    """Four cases every example starts from: for the consulate editor drafts of Miami (a
    reviewed case would go to HQ's queue, which the bulk form refuses), for HQ a published
    and an approved case (counted: moving them moves the figures) and two drafts."""
    reviewed = whose == "hq"
    return [
        make_case(external_ref="BASE-0", is_public=reviewed, **_draft(not reviewed)),
        make_case(external_ref="BASE-1", is_public=False, **_draft(not reviewed)),
        make_case(external_ref="BASE-2", is_public=False, status=CaseStatus.PLANNED, **_draft()),
        make_case(external_ref="BASE-3", is_public=False, **_draft()),
    ]


def _draft(draft: bool = True) -> dict:
    return {"publication": Publication.DRAFT} if draft else {}


def build(plan, base, partners, themes):
    """The changes of a plan as fresh instances: new cases, or base cases read again."""
    changes = []
    for number, (target, edit) in enumerate(plan):
        case = new_case(100 + number) if target is None else Case.objects.get(pk=base[target].pk)
        region, state = edit["place"]
        case.title_en = edit["title_en"]
        case.start_date = edit["start_date"]
        case.region = Region.objects.get(code=region)
        case.state = State.objects.get(code=state) if state else None
        case.county = None
        case.status = edit["status"]
        case.is_public = edit["is_public"] and edit["status"] == CaseStatus.HELD
        collections = {
            "themes": sorted(themes[slug] for slug in edit["themes"]),
            "partners": [[partners[i].pk, role] for i, role in edit["partners"]],
        }
        changes.append(Change(case, collections))
    return changes


def state_of_register(since: int) -> dict:
    """The cases (by external reference), their collections, the audit entries written since
    `since` and the tallies, without what the clock or a sequence decides."""
    refs = dict(Case.objects.values_list("pk", "external_ref"))

    def clean(values: dict) -> dict:
        return {k: v for k, v in values.items() if k not in VOLATILE}

    rows = {
        case["external_ref"]: clean(case) for case in Case.objects.values() if case["external_ref"]
    }
    for ref, (themes, roles) in {
        case.external_ref: (
            sorted(case.themes.values_list("pk", flat=True)),
            sorted(case.partner_roles.values_list("partner_id", "role")),
        )
        for case in Case.objects.all()
    }.items():
        rows[ref]["themes"], rows[ref]["partners"] = themes, roles
    entries = sorted(
        (
            refs.get(int(entry.object_id), entry.object_id),
            entry.action,
            entry.actor_username,
            entry.source,
            repr(clean(entry.changes)),
            repr(clean(entry.snapshot)),
        )
        for entry in AuditEntry.objects.filter(pk__gt=since, content_type__model="case")
    )
    tallies = [
        sorted((tuple(sorted(clean(row).items())) for row in model.objects.values()), key=repr)
        for model in (CaseTally, ThemeTally, ThemeYearTally)
    ]
    return {"cases": rows, "audit": entries, "tallies": tallies}


def run(path: str, user, plan, base, partners, themes) -> dict:
    """Apply the plan one way inside a savepoint, read the register, and undo it all."""
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        changes = build(plan, base, partners, themes)
        if path == "one by one":
            for change in changes:
                result = cases.save(user, change.obj, collections=change.collections)
                assert result.applied
        else:
            cases.save_many(user, changes, source="admin")
        seen = state_of_register(since)
        transaction.set_rollback(True)
    return seen


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_bulk_and_one_by_one_leave_the_same_cases_audit_and_figures(
    plan, make_case, partners, hq_editor, editor_a
):
    whose, changes = plan
    user = hq_editor if whose == "hq" else editor_a
    themes = dict(Theme.objects.filter(slug__in=THEMES).values_list("slug", "pk"))
    with transaction.atomic():
        base = base_cases(make_case, whose)
        freshness.flush()  # their figures, counted before either path starts
        one_by_one = run("one by one", user, changes, base, partners, themes)
        bulk = run("bulk", user, changes, base, partners, themes)
        transaction.set_rollback(True)
    assert bulk["cases"] == one_by_one["cases"]
    assert bulk["audit"] == one_by_one["audit"]
    assert bulk["tallies"] == one_by_one["tallies"]


# --- what the bulk form refuses, like the one-record form ------------------------------------


@pytest.mark.django_db
def test_a_consulate_editor_cannot_bulk_write_another_district(editor_a):
    before = Case.objects.count()
    with pytest.raises(Refused):
        cases.save_many(
            editor_a,
            [
                Change(
                    new_case(
                        1,
                        region=Region.objects.get(code="houston"),
                        state=State.objects.get(code="TX"),
                    )
                )
            ],
        )
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_a_consulate_editor_cannot_bulk_change_a_reviewed_case(editor_a, make_case):
    case = make_case(title_en="Published")
    case.title_en = "Renamed in bulk"
    with pytest.raises(Refused):
        cases.save_many(editor_a, [Change(case)])
    assert Case.objects.get(pk=case.pk).title_en == "Published"


@pytest.mark.django_db
def test_the_bulk_form_checks_the_district_rule(hq_editor):
    wrong = new_case(1, state=State.objects.get(code="NY"))  # New York is not Miami's
    with pytest.raises(ValidationError, match="not in the district of"):
        cases.save_many(hq_editor, [new_case(2), wrong])
    assert not Case.objects.filter(external_ref__in=["NEW-1", "NEW-2"]).exists()


# --- a fixed number of queries ----------------------------------------------------------------


def bulk_queries(user, changes, **options) -> int:
    with CaptureQueriesContext(connection) as captured:
        cases.save_many(user, changes, **options)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_bulk_form_runs_the_same_queries_for_ten_cases_or_a_hundred(
    hq_editor, partners, django_assert_num_queries
):
    theme = Theme.objects.get(slug="energy")

    def batch(start, count):
        return [
            Change(
                new_case(start + n, is_public=bool(n % 2)),
                {"themes": [theme.pk], "partners": [[partners[n % 2].pk, "co-host"]]},
            )
            for n in range(count)
        ]

    bulk_queries(hq_editor, batch(0, 1), approve=True)  # warm: permissions, content types
    ten = bulk_queries(hq_editor, batch(10, 10), approve=True)
    hundred = batch(100, 100)
    with django_assert_num_queries(ten):
        cases.save_many(hq_editor, hundred, approve=True)
    assert Case.objects.counted().count() == 111

    # ...and changing them (a new title, other themes and partners) costs the same for both.
    def changed(start, count):
        found = Case.objects.filter(external_ref__in=[f"NEW-{start + n}" for n in range(count)])
        return [
            Change(
                case,
                {"themes": [], "partners": [[partners[0].pk, "speaker"]]},
            )
            for case in found
            if not setattr(case, "title_en", case.title_en + " (changed)")
        ]

    ten = bulk_queries(hq_editor, changed(10, 10))
    hundred = changed(100, 100)
    with django_assert_num_queries(ten):
        cases.save_many(hq_editor, hundred)
    assert Case.objects.filter(title_en__endswith="(changed)").count() == 110
    assert CasePartner.objects.filter(role="speaker").count() == 110


# --- every bulk writer makes one bulk call ----------------------------------------------------


@pytest.fixture
def register_calls(monkeypatch):
    """Counts of the register's bulk and one-record calls (still made)."""
    seen = {"save_many": 0, "save": 0}
    for name in seen:
        original = getattr(cases, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            seen[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(cases, name, spy)
    return seen


@pytest.mark.django_db
def test_an_import_is_one_bulk_call(register_calls, partners):
    from exchange.importing import apply_import
    from tests.test_import import case_row, csv_file

    rows = [
        case_row(external_ref=f"ONE-{n}", title_en=f"Imported {n}", partners="") for n in range(12)
    ]
    apply_import(csv_file(rows), "one.csv")
    assert register_calls == {"save_many": 1, "save": 0}
    assert Case.objects.filter(external_ref__startswith="ONE-").count() == 12


@pytest.mark.django_db
def test_the_demo_data_is_one_bulk_call(register_calls):
    from demo.writer import load_demo_data

    load_demo_data()
    assert register_calls == {"save_many": 1, "save": 0}
    assert Case.objects.counted().count() >= 1292
