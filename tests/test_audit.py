"""Audit history: who changed what and when, restoring earlier versions, and the export log.

Admin changes go through the real admin URLs; an import through the admin's upload flow and the
import command; the demonstration-data command stands for any other command.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit import recorder
from audit.context import audit_context
from audit.exports import log_export
from audit.models import AuditEntry, ExportLog
from cases.models import Case, CasePartner, Partner, PartnerKind, Region, State, Theme
from showcase.models import ShowcasePage
from staff.models import StaffProfile
from staff.roles import CONSULATE_EDITORS, ensure_roles
from tests.test_import import case_row, csv_file, named_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- people and things ------------------------------------------------------------------------


@pytest.fixture
def hq(hq_editor):
    return hq_editor


def consulate_editor(django_user_model, username, *region_codes):
    ensure_roles()
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=CONSULATE_EDITORS))
    profile = StaffProfile.objects.create(user=user)
    profile.regions.set(Region.objects.filter(code__in=region_codes))
    return user


@pytest.fixture
def new_york_client(django_user_model):
    client = Client()
    client.force_login(consulate_editor(django_user_model, "nyc", "new-york"))
    return client


@pytest.fixture
def chamber(db):
    return Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce", kind=PartnerKind.CHAMBER
    )


@pytest.fixture
def university(db):
    return Partner.objects.create(name_en="University of Miami", kind=PartnerKind.UNIVERSITY)


def theme(slug):
    return Theme.objects.get(slug=slug)


def case_url(case_or_pk, view="change"):
    pk = getattr(case_or_pk, "pk", case_or_pk)
    return f"/en/admin/cases/case/{pk}/{view}/"


def entries(model, pk):
    """The object's entries, oldest first."""
    return list(AuditEntry.objects.for_object(model, pk).order_by("at", "pk"))


def state_of(case):
    """Everything a restore must bring back: the form's fields, themes and partner rows."""
    case = Case.objects.get(pk=case.pk)
    return {
        "fields": model_to_dict(case, exclude=["themes", "partners"]),
        "themes": sorted(case.themes.values_list("slug", flat=True)),
        "partners": sorted(case.partner_roles.values_list("partner__name_en", "role")),
    }


# --- the admin form, as the browser would send it back ----------------------------------------


def _value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def form_data(response, partners=None, **changes):
    """The admin form as shown on the page, with `changes`; `partners` replaces the partner
    inline's rows with [(partner, role)], marking the rows there now for deletion."""
    data = {"_save": "Save"}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [_value(item) for item in value]
        elif value is not None:
            data[name] = _value(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        prefix = formset.prefix
        existing = formset.initial_forms
        rows = []
        for index, row in enumerate(existing):
            for name in row.fields:
                value = row[name].value()
                if value is not None and not isinstance(value, bool):
                    data[f"{prefix}-{index}-{name}"] = _value(value)
            if partners is not None:
                data[f"{prefix}-{index}-DELETE"] = "on"
        for partner, role in partners or []:
            index = len(existing) + len(rows)
            rows.append(partner)
            data[f"{prefix}-{index}-partner"] = str(partner.pk)
            data[f"{prefix}-{index}-role"] = role
        data[f"{prefix}-TOTAL_FORMS"] = str(len(existing) + len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    for name, value in changes.items():
        if isinstance(value, list):
            data[name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def admin_add_case(client, partners=(), **fields):
    page = client.get("/en/admin/cases/case/add/")
    assert page.status_code == 200
    values = {
        "title_en": "Transport infrastructure workshop",
        "title_ja": "交通インフラ・ワークショップ",
        "start_date": "2024-10-15",
        "region": Region.objects.get(code="miami"),
        "state": State.objects.get(code="FL"),
        "city_en": "Miami",
        "format": "workshop",
        "status": "held",
        **fields,
    }
    response = client.post(
        "/en/admin/cases/case/add/", form_data(page, partners=list(partners), **values)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Case.objects.order_by("-pk").first()


def admin_change_case(client, case, partners=None, **changes):
    page = client.get(case_url(case))
    assert page.status_code == 200
    response = client.post(case_url(case), form_data(page, partners=partners, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# --- recording admin changes ------------------------------------------------------------------


def test_an_admin_add_is_one_entry_with_the_fields_themes_and_partners(hq_client, hq, chamber):
    case = admin_add_case(
        hq_client,
        partners=[(chamber, "co-host")],
        themes=[theme("investment-jobs"), theme("culture")],
    )
    [entry] = entries(Case, case.pk)
    assert (entry.action, entry.source, entry.actor, entry.actor_username) == (
        "create",
        "admin",
        hq,
        hq.username,
    )
    assert entry.object_label == "Transport infrastructure workshop"
    assert entry.changes["title_en"] == [None, "Transport infrastructure workshop"]
    assert entry.changes["start_date"] == [None, "2024-10-15"]
    assert entry.changes["themes"] == [
        None,
        sorted([theme("investment-jobs").pk, theme("culture").pk]),
    ]
    assert entry.changes["partners"] == [None, [[chamber.pk, "co-host"]]]
    assert entry.snapshot["city_en"] == "Miami"


def test_an_admin_change_is_one_entry_with_each_changed_field_before_and_after(
    hq_client, hq, chamber, university
):
    case = admin_add_case(
        hq_client, partners=[(chamber, "co-host")], themes=[theme("investment-jobs")]
    )
    admin_change_case(
        hq_client,
        case,
        partners=[(university, "speaker")],
        title_en="Transport workshop, revised",
        themes=[theme("culture")],
        participants="80",
    )
    _created, changed = entries(Case, case.pk)
    assert (changed.action, changed.source, changed.actor) == ("change", "admin", hq)
    assert changed.changes == {
        "title_en": ["Transport infrastructure workshop", "Transport workshop, revised"],
        "participants": [None, 80],
        "themes": [[theme("investment-jobs").pk], [theme("culture").pk]],
        "partners": [[[chamber.pk, "co-host"]], [[university.pk, "speaker"]]],
    }


def test_saving_the_admin_form_unchanged_records_nothing(hq_client, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")])
    admin_change_case(hq_client, case)
    assert [entry.action for entry in entries(Case, case.pk)] == ["create"]


def test_an_admin_delete_keeps_the_last_values_with_themes_and_partners(hq_client, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")], themes=[theme("culture")])
    response = hq_client.post(case_url(case, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    deleted = entries(Case, case.pk)[-1]
    assert deleted.action == "delete"
    assert deleted.snapshot["title_en"] == "Transport infrastructure workshop"
    assert deleted.snapshot["themes"] == [theme("culture").pk]
    assert deleted.snapshot["partners"] == [[chamber.pk, "co-host"]]


def test_reference_data_and_partners_are_recorded_too(hq_client, chamber):
    response = hq_client.get(f"/en/admin/cases/partner/{chamber.pk}/change/")
    data = form_data(response, website="https://miamichamber.com/")
    assert hq_client.post(f"/en/admin/cases/partner/{chamber.pk}/change/", data).status_code == 302
    assert entries(Partner, chamber.pk)[-1].changes == {
        "website": ["", "https://miamichamber.com/"]
    }
    region = Region.objects.get(code="miami")
    response = hq_client.get(f"/en/admin/cases/region/{region.pk}/change/")
    data = form_data(response, city_en="Miami, Florida")
    assert hq_client.post(f"/en/admin/cases/region/{region.pk}/change/", data).status_code == 302
    [entry] = entries(Region, region.pk)
    assert entry.changes == {"city_en": ["Miami", "Miami, Florida"]}


def test_the_history_page_lists_the_changes_by_field_name_newest_first(hq_client, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")])
    admin_change_case(hq_client, case, title_en="Transport workshop, revised")
    response = hq_client.get(case_url(case, "history"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["entry"].action for row in rows] == ["change", "create"]
    assert rows[0]["changes"] == [
        {
            "name": "title_en",
            "label": "Title (English)",
            "old": "Transport infrastructure workshop",
            "new": "Transport workshop, revised",
        }
    ]
    # The current version has nothing to restore; the earlier one has.
    assert rows[0]["restore_url"] is None
    assert rows[1]["restore_url"] == restore_url(case, rows[1]["entry"])
    page = response.content.decode()
    assert "Greater Miami Chamber of Commerce (Co-host)" in page
    assert "Restore this version" in page


# --- imports and commands ---------------------------------------------------------------------


def test_an_import_through_the_admin_is_recorded_as_an_import_by_its_user(hq_client, hq, chamber):
    data = csv_file([case_row()])
    preview = hq_client.post(
        "/en/admin/exchange/importbatch/upload/", {"file": named_upload(data, "c.csv")}
    )
    sha256 = preview.context["plan"].sha256
    done = hq_client.post(
        "/en/admin/exchange/importbatch/upload/preview/", {"sha256": sha256, "confirm": "Import"}
    )
    assert done.status_code == 302
    case = Case.objects.get(external_ref="MIA-001")
    [entry] = entries(Case, case.pk)
    assert (entry.action, entry.source, entry.actor, entry.note) == (
        "create",
        "import",
        hq,
        "c.csv",
    )
    assert entry.changes["partners"] == [None, [[chamber.pk, "co-host"]]]

    # A re-import that changes a title and drops the partner is one change entry.
    data = csv_file([case_row(title_en="Renamed workshop", partners="")])
    preview = hq_client.post(
        "/en/admin/exchange/importbatch/upload/", {"file": named_upload(data, "d.csv")}
    )
    hq_client.post(
        "/en/admin/exchange/importbatch/upload/preview/",
        {"sha256": preview.context["plan"].sha256, "confirm": "Import"},
    )
    changed = entries(Case, case.pk)[-1]
    assert changed.source == "import"
    assert changed.changes["title_en"] == ["Transport infrastructure workshop", "Renamed workshop"]
    assert changed.changes["partners"] == [[[chamber.pk, "co-host"]], []]


def test_the_import_command_records_its_cases_as_an_import(tmp_path, chamber, make_staff):
    clerk = make_staff("clerk", "hq")
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file([case_row()]))
    call_command("import_cases", str(path), "--user", "clerk", stdout=None)
    [entry] = entries(Case, Case.objects.get(external_ref="MIA-001").pk)
    assert (entry.action, entry.source, entry.actor) == ("create", "import", clerk)


def test_a_refused_import_leaves_no_entry(chamber):
    from exchange.importing import ImportInvalid, apply_import

    data = csv_file([case_row(), case_row(external_ref="MIA-002", region="nowhere")])
    with pytest.raises(ImportInvalid), audit_context(source="import"):
        apply_import(data, "bad.csv")
    assert not AuditEntry.objects.for_model(Case).exists()


def test_a_command_records_its_changes_with_the_source_command(settings):
    call_command("load_demo", stdout=None)
    pages = AuditEntry.objects.for_model(ShowcasePage)
    assert pages.exists()
    assert set(pages.values_list("source", "action")) == {("command", "create")}
    # Nothing changes the second time, so nothing more is recorded.
    before = AuditEntry.objects.count()
    call_command("load_demo", stdout=None)
    assert AuditEntry.objects.count() == before


def test_changes_outside_any_context_are_recorded_from_the_shell(make_case):
    case = make_case(is_public=False)
    case.city_en = "Coral Gables"
    case.save()
    created, changed = entries(Case, case.pk)
    assert (created.action, created.source, created.actor) == ("create", "shell", None)
    assert changed.changes == {"city_en": ["", "Coral Gables"]}


def test_record_bulk_records_writes_that_bypass_the_signals(make_case):
    case = make_case(is_public=False)
    before = {case.pk: recorder.snapshot(case)}
    Case.objects.filter(pk=case.pk).update(city_en="Doral")
    with audit_context(source="command", note="bulk"):
        recorder.record_bulk("change", [Case.objects.get(pk=case.pk)], before=before)
    entry = entries(Case, case.pk)[-1]
    assert (entry.source, entry.changes) == ("command", {"city_en": ["", "Doral"]})


def bulk_cases(prefix, count, chamber, university):
    """`count` cases written as the importer writes them (bulk_create, no signals, no entries):
    every case has the culture theme and the chamber as co-host, every other one also energy
    and the university as speaker."""
    miami, florida = Region.objects.get(code="miami"), State.objects.get(code="FL")
    cases = Case.objects.bulk_create(
        Case(
            title_en=f"{prefix} case {number}",
            title_ja=f"{prefix} 案件 {number}",
            start_date=datetime.date(2024, 10, 1),
            fiscal_year=2024,
            region=miami,
            state=florida,
            format="workshop",
            status="held",
            external_ref=f"{prefix}-{number}",
        )
        for number in range(count)
    )
    through = Case.themes.through
    culture, energy = theme("culture"), theme("energy")
    links, roles = [], []
    for number, case in enumerate(cases):
        links.append(through(case_id=case.pk, theme_id=culture.pk))
        roles.append(CasePartner(case=case, partner=chamber, role="co-host"))
        if number % 2:
            links.append(through(case_id=case.pk, theme_id=energy.pk))
            roles.append(CasePartner(case=case, partner=university, role="speaker"))
    through.objects.bulk_create(links)
    CasePartner.objects.bulk_create(roles)
    return cases


def change_in_bulk(cases, university):
    """Change every case as a re-import would: a field, a theme removed, a partner row added."""
    pks = [case.pk for case in cases]
    Case.objects.filter(pk__in=pks).update(city_en="Doral", participants=40)
    Case.themes.through.objects.filter(case_id__in=pks[::2]).delete()
    CasePartner.objects.bulk_create(
        CasePartner(case_id=pk, partner=university, role="sponsor") for pk in pks[::3]
    )
    return list(Case.objects.filter(pk__in=pks).order_by("pk"))


def queries_to_record(prefix, count, hq, chamber, university) -> list[int]:
    """The queries record_bulk makes for a create, a change with before-states and a change
    without them (which falls back on the last entries)."""
    counts = []
    cases = bulk_cases(prefix, count, chamber, university)
    ContentType.objects.clear_cache()
    with audit_context(hq, "import"), CaptureQueriesContext(connection) as queries:
        recorder.record_bulk("create", cases)
    counts.append(len(queries))
    before = recorder.snapshot_many(Case.objects.filter(pk__in=[case.pk for case in cases]))
    cases = change_in_bulk(cases, university)
    with audit_context(hq, "import"), CaptureQueriesContext(connection) as queries:
        recorder.record_bulk("change", cases, before=before)
    counts.append(len(queries))
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(city_en="Hialeah")
    with audit_context(hq, "import"), CaptureQueriesContext(connection) as queries:
        recorder.record_bulk("change", cases)
    counts.append(len(queries))
    assert AuditEntry.objects.for_model(Case).filter(object_id=str(cases[-1].pk)).count() == 3
    return counts


def test_record_bulk_makes_as_many_queries_for_200_cases_as_for_5(hq, chamber, university):
    few = queries_to_record("FEW", 5, hq, chamber, university)
    many = queries_to_record("MANY", 200, hq, chamber, university)
    assert many == few
    assert max(many) <= 8


def test_snapshot_many_equals_snapshot_of_each(chamber, university):
    cases = bulk_cases("SNAP", 6, chamber, university)
    bare = Case(
        title_en="No themes, no partners",
        start_date=datetime.date(2024, 10, 1),
        region=cases[0].region,
        format="workshop",
        status="held",
    )
    bare.save()
    cases.append(bare)
    loaded = list(Case.objects.filter(pk__in=[case.pk for case in cases]))
    many = recorder.snapshot_many(loaded)
    assert many == {case.pk: recorder.snapshot(case) for case in loaded}
    assert many[cases[1].pk]["partners"] == sorted(
        [[chamber.pk, "co-host"], [university.pk, "speaker"]]
    )
    assert (many[cases[-1].pk]["themes"], many[cases[-1].pk]["partners"]) == ([], [])


def entry_values(object_ids) -> dict:
    """object id -> everything an entry says (its `at` aside), for the given objects' entries
    that were written last."""
    values = {}
    entries = AuditEntry.objects.for_model(Case).filter(object_id__in=object_ids)
    for entry in entries.order_by("pk"):
        values[entry.object_id] = (
            entry.object_label,
            entry.action,
            entry.actor_id,
            entry.actor_username,
            entry.source,
            entry.note,
            entry.changes,
            entry.snapshot,
        )
    return values


def one_by_one(action, cases, before=None):
    """What record_bulk wrote before it was batched: each object loaded, snapshotted and
    written on its own, as flush() still does."""
    state = recorder._state_for_event()
    for case in cases:
        if action == "create":
            pending = recorder.Pending(Case, case.pk, None, action="create", exists_before=False)
        else:
            prior = (before or {}).get(case.pk)
            if prior is None:
                last = AuditEntry.objects.for_object(Case, case.pk).first()
                prior = last.snapshot if last else None
            pending = recorder.Pending(Case, case.pk, prior, exists_before=prior is not None)
        recorder._write(pending, state)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_record_bulk_writes_the_entries_the_per_object_path_writes(
    hq, chamber, university, language
):
    from django.utils import translation

    translation.activate(language)
    cases = bulk_cases("SAME", 12, chamber, university)
    ids = [str(case.pk) for case in cases]

    def compare(action, cases, before=None):
        start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with audit_context(hq, "import", note="same entries"):
            recorder.record_bulk(action, cases, before=before)
        batched = entry_values(ids)
        AuditEntry.objects.filter(pk__gt=start).delete()
        with audit_context(hq, "import", note="same entries"):
            one_by_one(action, cases, before=before)
        assert entry_values(ids) == batched
        return batched

    created = compare("create", cases)
    assert len(created) == 12
    assert {row[1] for row in created.values()} == {"create"}
    before = recorder.snapshot_many(Case.objects.filter(pk__in=[case.pk for case in cases]))
    cases = change_in_bulk(cases, university)
    Case.objects.filter(pk=cases[5].pk).update(city_en="")  # changed back: no entry
    before[cases[5].pk]["city_en"] = ""
    before[cases[5].pk]["participants"] = 40
    gone = cases[7]
    CasePartner.objects.filter(case=gone).delete()
    Case.objects.filter(pk=gone.pk).delete()  # deleted since: recorded as a delete
    changed = compare("change", cases, before=before)
    assert changed[ids[5]][1] == "create"  # its last entry is still the create
    assert changed[str(gone.pk)][1] == "delete"
    assert changed[ids[0]][6]["city_en"] == ["", "Doral"]
    assert changed[ids[0]][6]["themes"] == [[theme("culture").pk], []]
    Case.objects.filter(pk__in=ids).update(city_en="Hialeah")
    compare("change", [case for case in cases if case is not gone])  # from the last entries


# --- restoring --------------------------------------------------------------------------------


def restore_url(case, entry):
    return f"/en/admin/cases/case/{case.pk}/history/{entry.pk}/restore/"


def test_restoring_an_earlier_version_brings_back_its_exact_values(hq_client, chamber, university):
    case = admin_add_case(
        hq_client,
        partners=[(chamber, "co-host")],
        themes=[theme("investment-jobs")],
        participants="40",
    )
    first = state_of(case)
    admin_change_case(
        hq_client,
        case,
        partners=[(university, "speaker"), (chamber, "sponsor")],
        title_en="Transport workshop, revised",
        themes=[theme("culture"), theme("transport-infrastructure")],
        participants="",
        city_en="Doral",
    )
    assert state_of(case) != first
    created = entries(Case, case.pk)[0]

    confirm = hq_client.get(restore_url(case, created))
    assert confirm.status_code == 200
    assert {row["name"] for row in confirm.context["rows"]} == {
        "title_en",
        "city_en",
        "participants",
        "themes",
        "partners",
    }
    assert state_of(case) != first  # looking changes nothing

    response = hq_client.post(restore_url(case, created))
    assert response.status_code == 302
    assert state_of(case) == first
    restored = entries(Case, case.pk)[-1]
    assert (restored.action, restored.source) == ("restore", "admin")
    assert restored.changes["city_en"] == ["Doral", "Miami"]
    assert len(entries(Case, case.pk)) == 3  # the restore's saves are its one entry


def test_a_version_that_is_no_longer_valid_is_refused_and_changes_nothing(
    hq_client, chamber, university
):
    case = admin_add_case(hq_client, partners=[(university, "speaker")])
    admin_change_case(hq_client, case, partners=[(chamber, "co-host")], city_en="Doral")
    university.delete()  # no case names it any more
    now = state_of(case)
    count = AuditEntry.objects.for_model(Case).count()
    response = hq_client.post(restore_url(case, entries(Case, case.pk)[0]), follow=True)
    assert state_of(case) == now
    assert AuditEntry.objects.for_model(Case).count() == count
    messages = [str(message) for message in response.context["messages"]]
    assert "A partner of this version has been deleted since." in messages


def test_a_deleted_case_is_restored_with_its_id_and_last_values(hq_client, chamber):
    case = admin_add_case(
        hq_client, partners=[(chamber, "co-host")], themes=[theme("culture")], city_en="Doral"
    )
    last = state_of(case)
    created_at = Case.objects.get(pk=case.pk).created_at
    hq_client.post(case_url(case, "delete"), {"post": "yes"})

    assert (
        "/en/admin/cases/case/deleted/" in hq_client.get("/en/admin/cases/case/").content.decode()
    )
    listing = hq_client.get("/en/admin/cases/case/deleted/")
    assert listing.status_code == 200
    assert [row["entry"].object_id for row in listing.context["rows"]] == [str(case.pk)]
    url = f"/en/admin/cases/case/deleted/{case.pk}/restore/"
    assert hq_client.get(url).status_code == 200
    assert not Case.objects.filter(pk=case.pk).exists()

    response = hq_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert state_of(case) == last
    assert Case.objects.get(pk=case.pk).created_at == created_at
    assert entries(Case, case.pk)[-1].action == "restore"
    # Restored, it is no longer listed.
    listing = hq_client.get("/en/admin/cases/case/deleted/")
    assert listing.context["rows"] == []


def test_staff_of_another_district_cannot_restore_and_nothing_changes(
    hq_client, new_york_client, chamber
):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")])
    admin_change_case(hq_client, case, city_en="Doral")
    now = state_of(case)
    count = AuditEntry.objects.count()
    created = entries(Case, case.pk)[0]
    assert new_york_client.get(restore_url(case, created)).status_code in (403, 404)
    assert new_york_client.post(restore_url(case, created)).status_code in (403, 404)
    assert state_of(case) == now

    hq_client.post(case_url(case, "delete"), {"post": "yes"})
    count = AuditEntry.objects.count()
    url = f"/en/admin/cases/case/deleted/{case.pk}/restore/"
    assert new_york_client.get(url).status_code == 403
    assert new_york_client.post(url).status_code == 403
    assert not Case.objects.filter(pk=case.pk).exists()
    assert AuditEntry.objects.count() == count
    listing = new_york_client.get("/en/admin/cases/case/deleted/")
    assert listing.status_code == 200
    assert listing.context["rows"] == []


def test_staff_of_the_district_may_restore_its_deleted_case(hq_client, django_user_model, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")], status="planned")
    hq_client.post(case_url(case, "delete"), {"post": "yes"})
    client = Client()
    client.force_login(consulate_editor(django_user_model, "mia", "miami"))
    response = client.post(f"/en/admin/cases/case/deleted/{case.pk}/restore/")
    assert response.status_code == 302
    assert Case.objects.filter(pk=case.pk).exists()


def test_forged_restore_addresses_are_refused_without_error(hq_client, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")])
    other = admin_add_case(hq_client, title_en="Another case")
    foreign = entries(Case, other.pk)[0]
    assert hq_client.post(restore_url(case, foreign)).status_code == 404
    assert (
        hq_client.get(f"/en/admin/cases/case/{case.pk}/history/999999/restore/").status_code == 404
    )
    assert hq_client.get("/en/admin/cases/case/nonsense/history/1/restore/").status_code == 404
    url = "/en/admin/cases/case/deleted/999999/restore/"
    assert hq_client.get(url).status_code == 404


def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(hq_client, chamber):
    case = admin_add_case(hq_client, partners=[(chamber, "co-host")])
    entry = entries(Case, case.pk)[0]
    assert hq_client.get("/en/admin/audit/auditentry/").status_code == 200
    assert hq_client.get("/en/admin/audit/auditentry/add/").status_code == 403
    assert (
        hq_client.post(
            f"/en/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    hq_client.post(f"/en/admin/audit/auditentry/{entry.pk}/change/", {"object_label": "forged"})
    entry.refresh_from_db()
    assert entry.object_label == "Transport infrastructure workshop"
    search = hq_client.get("/en/admin/audit/auditentry/", {"q": "Transport", "action": "create"})
    assert list(search.context["cl"].result_list) == [entry]


# --- the export log ---------------------------------------------------------------------------


def test_a_staff_download_is_logged_with_its_filters(hq_client, hq, make_case):
    make_case()
    response = hq_client.get("/en/cases/export.csv", {"region": "miami", "theme": "culture"})
    assert response.status_code == 200
    [log] = ExportLog.objects.all()
    assert (log.user, log.username, log.kind, log.rows) == (hq, hq.username, "cases.csv", 0)
    assert log.filters == {"region": "miami", "theme": "culture"}


def test_repeated_filters_are_logged_as_lists(hq):
    log_export(hq, "cases.json", QueryDict("fy=2023&fy=2024&region=miami"), rows=3)
    log = ExportLog.objects.get()
    assert log.filters == {"fy": ["2023", "2024"], "region": "miami"}
    assert log.rows == 3


def test_a_public_download_is_not_logged(client, make_case):
    make_case()
    assert client.get("/en/cases/export.csv").status_code == 200
    assert not ExportLog.objects.exists()
    log_export(None, "cases.csv", {})
    assert not ExportLog.objects.exists()


def test_a_regional_report_is_logged(hq_client, hq, make_case):
    make_case()
    response = hq_client.get(
        "/en/admin/reports/region/",
        {"region": "miami", "from": 2022, "to": 2024, "format": "csv", "language": "en"},
    )
    assert response.status_code == 200
    [log] = ExportLog.objects.all()
    assert (log.user, log.kind) == (hq, "report.csv")
    assert log.filters["region"] == "miami"
    assert (log.filters["from"], log.filters["to"]) == (2022, 2024)
    assert hq_client.get("/en/admin/audit/exportlog/").status_code == 200


def test_a_showcase_page_has_a_history_and_its_earlier_version_can_be_restored(
    hq_client, make_case
):
    with audit_context(source="command"):
        page = ShowcasePage.objects.create(
            case=make_case(), slug="transport", title_en="Transport"
        )
    page.title_en = "Transport, revised"
    page.lead_en = "A lead."
    page.save()
    history = hq_client.get(f"/en/admin/showcase/showcasepage/{page.pk}/history/")
    assert history.status_code == 200
    first = history.context["rows"][-1]
    assert first["entry"].action == "create"
    assert hq_client.post(first["restore_url"]).status_code == 302
    page.refresh_from_db()
    assert (page.title_en, page.lead_en) == ("Transport", "")


def test_district_staff_see_only_their_districts_entries(hq_client, django_user_model, make_case):
    miami = make_case(is_public=False, title_en="Miami case")
    boston = make_case(is_public=False, title_en="Boston case", region="boston", state="MA")
    client = Client()
    client.force_login(consulate_editor(django_user_model, "mia", "miami"))
    response = client.get("/en/admin/audit/auditentry/")
    assert response.status_code == 200
    shown = {entry.object_id for entry in response.context["cl"].result_list}
    assert shown == {str(miami.pk)}
    assert str(boston.pk) not in shown


def test_an_admin_action_is_recorded_for_each_case_it_changed(hq_client, hq, make_case):
    hidden = make_case(title_en="Hidden", is_public=False, publication="draft")
    untouched = make_case(title_en="Already public", is_public=False, publication="draft")
    untouched.publish(hq)
    count = len(entries(Case, untouched.pk))
    response = hq_client.post(
        "/en/admin/cases/case/",
        {"action": "publish", "_selected_action": [hidden.pk, untouched.pk]},
    )
    assert response.status_code == 302
    published = entries(Case, hidden.pk)[-1]
    assert (published.action, published.source, published.actor) == ("change", "admin", hq)
    assert published.changes["is_public"] == [False, True]
    assert published.changes["publication"] == ["draft", "published"]
    assert len(entries(Case, untouched.pk)) == count  # nothing changed, nothing recorded


@pytest.mark.django_db
def test_load_demo_records_every_demo_case_and_partner_it_writes():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    demo = Case.objects.filter(origin="demo")
    created = AuditEntry.objects.filter(
        content_type__model="case", action="create", source="command"
    )
    assert created.count() == demo.count() > 1000
    entry = created.get(object_id=str(demo.first().pk))
    assert entry.snapshot["title_en"] == demo.first().title_en
    assert AuditEntry.objects.filter(content_type__model="partner", action="create").exists()

    # A second run changes nothing, and records nothing.
    before = AuditEntry.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_a_report_written_by_the_region_report_command_is_logged(tmp_path, make_case):
    make_case(region="miami", state="FL")
    call_command(
        "region_report",
        "--region",
        "miami",
        "--from-fy",
        "2024",
        "--to-fy",
        "2024",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "miami.csv"),
        stdout=io.StringIO(),
    )
    entry = ExportLog.objects.get()
    assert entry.kind == "report.csv"
    assert entry.user is None
    assert entry.username.endswith("(manage.py)")
    assert entry.filters == {"region": "miami", "from": 2024, "to": 2024, "language": "en"}
    assert entry.rows == 1
