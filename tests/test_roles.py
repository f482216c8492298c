"""Staff roles by district: who may do what to which district's cases, through the real admin.

The personas: an anonymous visitor, a viewer, the consulate editors of Miami (district A) and
New York (district B), and an HQ editor, all made with `manage.py create_staff`. Each acts on
a case of district A and one of district B. Every refused attempt must leave the register
exactly as it was.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from cases.models import Case, CasePartner, Partner, PartnerKind, Region, State
from exchange.models import ImportBatch
from staff import access
from staff.models import StaffProfile
from staff.roles import CONSULATE_EDITORS, HQ_EDITORS, VIEWERS, ensure_roles
from tests.test_import import case_row, csv_file

ADMIN = "/en/admin"
DISTRICT = {"A": ("miami", "FL"), "B": ("new-york", "NY")}
PERSONAS = ["anonymous", "viewer", "consulate_a", "consulate_b", "hq"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def create_staff(*args) -> str:
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(db):
    """Every persona's user (None for the anonymous visitor)."""
    create_staff("viewer", "--role", "viewer")
    create_staff("consulate_a", "--role", "consulate", "--region", "miami")
    create_staff("consulate_b", "--role", "consulate", "--region", "new-york")
    create_staff("hq", "--role", "hq")
    users = {user.username: user for user in get_user_model().objects.all()}
    return {name: users.get(name) for name in PERSONAS}


@pytest.fixture
def partner(db):
    return Partner.objects.create(name_en="Japan Society", kind=PartnerKind.NONPROFIT)


@pytest.fixture
def cases(make_case, partner):
    """A draft (not yet public) held case in each district, with a partner and a theme."""
    made = {}
    for district, (region, state) in DISTRICT.items():
        case = make_case(
            title_en=f"Case of district {district}",
            region=region,
            state=state,
            is_public=False,
            publication="draft",
            external_ref=f"REF-{district}",
        )
        CasePartner.objects.create(case=case, partner=partner, role="co-host")
        made[district] = case
    return made


def register_state():
    """Everything an attempt could change: every case's values, partner roles, themes,
    imports and the audit trail."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(CasePartner.objects.order_by("pk").values()),
        list(Case.themes.through.objects.order_by("pk").values()),
        list(ImportBatch.objects.order_by("pk").values()),
        list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
    )


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The attempts -----------------------------------------------------------------------------
# Each takes the client, the case of the district concerned and that district's (region,
# state) codes, and says whether the attempt did what it asked.


def case_form(region_code, state_code, **fields):
    data = {
        "title_en": "Posted case",
        "title_ja": "",
        "summary_en": "",
        "summary_ja": "",
        "start_date": "2024-10-15",
        "end_date": "",
        "region": str(Region.objects.get(code=region_code).pk),
        "state": str(State.objects.get(code=state_code).pk),
        "city_en": "",
        "format": "workshop",
        "status": "held",
        "participants": "",
        "partner_roles-TOTAL_FORMS": "0",
        "partner_roles-INITIAL_FORMS": "0",
        "partner_roles-MIN_NUM_FORMS": "0",
        "partner_roles-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


def attempt_view(client, case, codes):
    response = client.get(f"{ADMIN}/cases/case/{case.pk}/change/")
    return response.status_code == 200 and case.title_en in response.text


def attempt_add(client, case, codes):
    client.post(f"{ADMIN}/cases/case/add/", case_form(*codes, title_en="Added case"))
    return Case.objects.filter(title_en="Added case").exists()


def attempt_change(client, case, codes):
    client.post(f"{ADMIN}/cases/case/{case.pk}/change/", case_form(*codes, title_en="Changed"))
    return Case.objects.filter(pk=case.pk, title_en="Changed").exists()


def attempt_delete(client, case, codes):
    client.post(f"{ADMIN}/cases/case/{case.pk}/delete/", {"post": "yes"})
    return not Case.objects.filter(pk=case.pk).exists()


def attempt_publish(client, case, codes):
    client.post(f"{ADMIN}/cases/case/", {"action": "publish", "_selected_action": [str(case.pk)]})
    return Case.objects.filter(pk=case.pk, is_public=True).exists()


def attempt_history(client, case, codes):
    response = client.get(f"{ADMIN}/cases/case/{case.pk}/history/")
    return response.status_code == 200 and case.title_en in response.text


def attempt_import(client, case, codes):
    region, state = codes
    row = case_row(
        external_ref="IMPORTED-1",
        region=region,
        state=state,
        city_en="",
        is_public="no",
        themes="",
        partners="",
    )
    upload = SimpleUploadedFile("cases.csv", csv_file([row]))
    preview = client.post(f"{ADMIN}/exchange/importbatch/upload/", {"file": upload})
    plan = preview.context["plan"] if preview.context and "plan" in preview.context else None
    sha256 = plan.sha256 if plan is not None else "0" * 64
    client.post(
        f"{ADMIN}/exchange/importbatch/upload/preview/", {"sha256": sha256, "confirm": "Import"}
    )
    return Case.objects.filter(external_ref="IMPORTED-1").exists()


def attempt_report(client, case, codes):
    query = {"region": codes[0], "from": 2024, "to": 2024, "format": "csv"}
    response = client.get(f"{ADMIN}/reports/region/", {**query, "language": "en"})
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")


def attempt_restore(client, case, codes):
    """Restore the case's first recorded version (before its partner was added)."""
    first = (
        AuditEntry.objects.filter(object_id=str(case.pk), content_type__model="case")
        .order_by("at", "pk")
        .first()
    )
    client.post(f"{ADMIN}/cases/case/{case.pk}/history/{first.pk}/restore/")
    return AuditEntry.objects.filter(
        object_id=str(case.pk), content_type__model="case", action="restore"
    ).exists()


ATTEMPTS = {
    "view": attempt_view,
    "add": attempt_add,
    "change": attempt_change,
    "delete": attempt_delete,
    "publish": attempt_publish,
    "history": attempt_history,
    "import": attempt_import,
    "report": attempt_report,
    "restore": attempt_restore,
}

# Which districts each persona may act on; a persona not named may act on none.
READERS = {"viewer": "AB", "consulate_a": "A", "consulate_b": "B", "hq": "AB"}
EDITORS = {"consulate_a": "A", "consulate_b": "B", "hq": "AB"}
ALLOWED = {
    "view": READERS,
    "add": EDITORS,
    "change": EDITORS,
    "delete": EDITORS,
    "publish": {"hq": "AB"},
    "history": READERS,
    "import": EDITORS,
    "report": READERS,
    "restore": EDITORS,
}

MATRIX = [
    pytest.param(action, persona, district, id=f"{action}-{persona}-{district}")
    for action in ATTEMPTS
    for persona in PERSONAS
    for district in "AB"
]


@pytest.mark.parametrize(("action", "persona", "district"), MATRIX)
def test_permission_matrix(client, people, cases, action, persona, district):
    allowed = district in ALLOWED[action].get(persona, "")
    before = register_state()
    client = client_for(client, people[persona])

    done = ATTEMPTS[action](client, cases[district], DISTRICT[district])

    assert done == allowed, f"{persona} {action} on district {district}"
    if not allowed:
        assert register_state() == before


# --- Every other surface of the case admin ----------------------------------------------------


@pytest.fixture
def consulate_a_client(client, people):
    return client_for(client, people["consulate_a"])


def listed(response) -> set[str]:
    return {case.title_en for case in response.context["cl"].result_list}


@pytest.mark.django_db
class TestConsulateScope:
    def test_the_list_shows_only_the_editors_districts(self, consulate_a_client, cases):
        response = consulate_a_client.get(f"{ADMIN}/cases/case/")
        assert listed(response) == {"Case of district A"}

    def test_search_finds_nothing_outside_the_district(self, consulate_a_client, cases):
        response = consulate_a_client.get(f"{ADMIN}/cases/case/", {"q": "district B"})
        assert listed(response) == set()

    def test_the_region_filter_offers_only_the_districts_held_with_their_counts(
        self, consulate_a_client, cases
    ):
        create_staff(
            "consulate_a", "--role", "consulate", "--region", "miami", "--region", "boston"
        )
        response = consulate_a_client.get(f"{ADMIN}/cases/case/")
        region_filter = next(
            spec
            for spec in response.context["cl"].filter_specs
            if getattr(spec, "field_path", "") == "region"
        )
        boston = Region.objects.get(code="boston").pk
        offered = {pk for pk, _label in region_filter.lookup_choices}
        assert offered == {cases["A"].region_id, boston}
        # Facet counts come from the scoped list: one held case, not two.
        assert "Held (1)" in response.text
        assert "Held (2)" not in response.text

    def test_filtering_by_another_region_by_hand_shows_nothing(self, consulate_a_client, cases):
        response = consulate_a_client.get(
            f"{ADMIN}/cases/case/", {"region__id__exact": cases["B"].region_id}
        )
        assert "Case of district B" not in listed(response)

    def test_the_add_form_offers_only_the_editors_regions(self, consulate_a_client, cases):
        response = consulate_a_client.get(f"{ADMIN}/cases/case/add/")
        regions = list(response.context["adminform"].form.fields["region"].queryset)
        assert [region.code for region in regions] == ["miami"]

    def test_a_forged_region_is_a_form_error_and_saves_nothing(self, consulate_a_client, cases):
        before = register_state()
        response = consulate_a_client.post(
            f"{ADMIN}/cases/case/{cases['A'].pk}/change/",
            case_form("new-york", "NY", title_en="Moved"),
        )
        assert response.status_code == 200
        assert "region" in response.context["adminform"].form.errors
        assert register_state() == before

    def test_an_unknown_object_id_is_not_an_error(self, consulate_a_client, cases):
        for url in ["999999/change/", "abc/change/", "999999/history/", "999999/delete/"]:
            response = consulate_a_client.get(f"{ADMIN}/cases/case/{url}")
            assert response.status_code in (302, 404), url

    def test_bulk_delete_acts_only_on_the_district(self, consulate_a_client, cases):
        consulate_a_client.post(
            f"{ADMIN}/cases/case/",
            {
                "action": "delete_selected",
                "_selected_action": [str(cases["A"].pk), str(cases["B"].pk)],
                "post": "yes",
            },
        )
        assert not Case.objects.filter(pk=cases["A"].pk).exists()
        assert Case.objects.filter(pk=cases["B"].pk).exists()

    def test_case_autocomplete_offers_only_the_district(self, consulate_a_client, cases):
        response = consulate_a_client.get(
            f"{ADMIN}/autocomplete/",
            {
                "term": "district",
                "app_label": "showcase",
                "model_name": "showcasepage",
                "field_name": "case",
            },
        )
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == ["Case of district A"]

    def test_a_report_on_another_district_is_refused_clearly(self, consulate_a_client, cases):
        response = consulate_a_client.get(
            f"{ADMIN}/reports/region/",
            {"region": "new-york", "from": 2024, "to": 2024, "format": "csv"},
        )
        assert response.status_code == 200
        assert "You can only make reports for your own districts" in response.text

    def test_an_import_row_of_another_district_is_named_in_the_preview(
        self, consulate_a_client, cases
    ):
        rows = [
            case_row(external_ref="NEW-A", is_public="no", themes="", partners=""),
            case_row(
                external_ref="REF-B",  # the New York case, which this editor does not hold
                region="new-york",
                state="NY",
                city_en="",
                is_public="no",
                themes="",
                partners="",
            ),
        ]
        upload = SimpleUploadedFile("cases.csv", csv_file(rows))
        response = consulate_a_client.post(
            f"{ADMIN}/exchange/importbatch/upload/", {"file": upload}
        )
        assert not response.context["plan"].is_valid
        assert "You can import cases of your own districts only." in response.text

    def test_an_import_may_not_publish_for_a_consulate(self, consulate_a_client, cases):
        row = case_row(external_ref="NEW-A", is_public="yes", themes="", partners="")
        upload = SimpleUploadedFile("cases.csv", csv_file([row]))
        response = consulate_a_client.post(
            f"{ADMIN}/exchange/importbatch/upload/", {"file": upload}
        )
        assert not response.context["plan"].is_valid
        assert "Only HQ editors can publish" in response.text


# --- Access rules and the command -------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    def test_scope_of_each_role(self, people):
        miami = Region.objects.get(code="miami").pk
        assert access.allowed_region_ids(people["hq"]) is None
        assert access.allowed_region_ids(people["viewer"]) is None
        assert access.allowed_region_ids(people["consulate_a"]) == frozenset({miami})
        assert access.can_edit_region(people["consulate_a"], miami)
        assert not access.can_edit_region(people["consulate_b"], miami)
        assert not access.can_edit_region(people["viewer"], miami)
        assert access.can_edit_region(people["hq"], miami)

    def test_scope_cases(self, people, cases):
        scoped = access.scope_cases(Case.objects.all(), people["consulate_b"])
        assert list(scoped) == [cases["B"]]
        assert access.scope_cases(Case.objects.all(), people["hq"]).count() == 2

    def test_ensure_roles_is_idempotent_and_gives_the_roles_their_permissions(self, db):
        ensure_roles()
        ensure_roles()
        assert Group.objects.filter(name__in=[HQ_EDITORS, CONSULATE_EDITORS, VIEWERS]).count() == 3
        hq = Group.objects.get(name=HQ_EDITORS)
        consulate = Group.objects.get(name=CONSULATE_EDITORS)
        viewers = Group.objects.get(name=VIEWERS)

        def codes(group):
            return set(group.permissions.values_list("codename", flat=True))

        assert {"publish_case", "publish_showcasepage", "delete_region"} <= codes(hq)
        assert {"add_case", "change_case", "delete_case", "add_importbatch"} <= codes(consulate)
        assert not {"publish_case", "publish_showcasepage", "change_region"} & codes(consulate)
        assert all(code.startswith("view_") for code in codes(viewers))


@pytest.mark.django_db
class TestCreateStaff:
    def test_creates_a_consulate_editor_and_prints_a_password_once(self):
        output = create_staff(
            "mia", "--role", "consulate", "--region", "miami", "--email", "m@example.com"
        )
        user = get_user_model().objects.get(username="mia")
        assert user.is_staff
        assert user.email == "m@example.com"
        assert [g.name for g in user.groups.all()] == [CONSULATE_EDITORS]
        assert [r.code for r in user.staff_profile.regions.all()] == ["miami"]
        password = output.split("Password (shown once): ")[1].strip()
        assert user.check_password(password)

    def test_updating_replaces_the_role_and_districts_and_keeps_the_password(self):
        create_staff("mia", "--role", "consulate", "--region", "miami", "--region", "boston")
        user = get_user_model().objects.get(username="mia")
        user.set_password("a long enough passphrase")
        user.save()
        output = create_staff("mia", "--role", "hq")
        user.refresh_from_db()
        assert "Password" not in output
        assert [g.name for g in user.groups.all()] == [HQ_EDITORS]
        assert not user.staff_profile.regions.exists()
        assert user.check_password("a long enough passphrase")

    def test_reads_the_password_from_standard_input(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
        create_staff("viewer1", "--role", "viewer", "--password-stdin")
        user = get_user_model().objects.get(username="viewer1")
        assert user.check_password("correct horse battery staple")

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            (["--role", "consulate", "--region", "atlantis"], "Unknown region code(s): atlantis"),
            (["--role", "consulate"], "needs at least one district"),
            (["--role", "consulate", "--region", "miami", "--region", "nowhere"], "nowhere"),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, args, words):
        with pytest.raises(CommandError, match=words.replace("(", r"\(").replace(")", r"\)")):
            create_staff("newbie", *args)
        assert not get_user_model().objects.filter(username="newbie").exists()
        assert not StaffProfile.objects.exists()

    def test_a_refused_update_leaves_the_account_as_it_was(self):
        create_staff("mia", "--role", "consulate", "--region", "miami")
        with pytest.raises(CommandError):
            create_staff("mia", "--role", "consulate", "--region", "miami", "--region", "x")
        user = get_user_model().objects.get(username="mia")
        assert [r.code for r in user.staff_profile.regions.all()] == ["miami"]


def test_a_consulate_editor_sees_only_imports_that_touched_their_districts(client, people, cases):
    """The import record list shows another district's file names and counts to no one but
    the people who hold that district (and headquarters)."""
    batch_a = ImportBatch.objects.create(file_name="miami.csv", file_sha256="a" * 64)
    batch_b = ImportBatch.objects.create(file_name="new-york.csv", file_sha256="b" * 64)
    Case.objects.filter(pk=cases["A"].pk).update(import_batch=batch_a)
    Case.objects.filter(pk=cases["B"].pk).update(import_batch=batch_b)
    own = ImportBatch.objects.create(
        file_name="own-upload.csv", file_sha256="c" * 64, imported_by=people["consulate_a"]
    )

    client.force_login(people["consulate_a"])
    response = client.get(f"{ADMIN}/exchange/importbatch/")
    shown = {batch.file_name for batch in response.context["cl"].result_list}
    assert shown == {"miami.csv", own.file_name}
    assert client.get(f"{ADMIN}/exchange/importbatch/{batch_b.pk}/change/").status_code == 302

    client.force_login(people["hq"])
    response = client.get(f"{ADMIN}/exchange/importbatch/")
    assert {b.file_name for b in response.context["cl"].result_list} >= {"new-york.csv"}


def test_theme_and_partner_counts_cover_only_a_consulate_editors_districts(
    client, people, cases, partner
):
    client.force_login(people["consulate_a"])
    response = client.get(f"{ADMIN}/cases/partner/")
    counts = {p.name_en: p.case_count for p in response.context["cl"].result_list}
    assert counts["Japan Society"] == 1  # district B's case is not counted

    client.force_login(people["hq"])
    response = client.get(f"{ADMIN}/cases/partner/")
    counts = {p.name_en: p.case_count for p in response.context["cl"].result_list}
    assert counts["Japan Society"] == 2
