"""One write path for the register: nothing reaches the public or the figures unreviewed.

Personas (tests/conftest.py): an HQ editor, a consulate editor of district A (Miami), one of
district B (New York), a viewer and an anonymous visitor, acting through the real admin URLs.
After every refused attempt no row has changed; the public surfaces show only the approved
version; the figures move only on approval.
"""

import datetime

import pytest
from django.core import mail
from django.test import Client

from cases import stats
from cases.models import Case, CaseFormat, CaseStatus, Publication, Region, Revision, State
from cases.register import Refused, cases

ADMIN = "/en/admin"


def case_form(case: Case, **changes) -> dict:
    """The admin form of a case as it stands, with changes."""
    data = {
        "title_en": case.title_en,
        "title_ja": case.title_ja,
        "summary_en": case.summary_en,
        "summary_ja": case.summary_ja,
        "start_date": case.start_date.isoformat(),
        "end_date": "",
        "region": str(case.region_id),
        "state": str(case.state_id or ""),
        "city_en": case.city_en,
        "city_ja": case.city_ja,
        "format": case.format,
        "status": case.status,
        "participants": "",
        "themes": [str(pk) for pk in case.themes.values_list("pk", flat=True)] if case.pk else [],
        "partner_roles-TOTAL_FORMS": "0",
        "partner_roles-INITIAL_FORMS": "0",
        "partner_roles-MIN_NUM_FORMS": "0",
        "partner_roles-MAX_NUM_FORMS": "1000",
    }
    if case.is_public:
        data["is_public"] = "on"
    data.update(changes)
    return data


def rows():
    """Every case row as the database holds it, and the revisions: a refused attempt leaves
    both as they were."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(Revision.objects.order_by("pk").values()),
    )


def public_surfaces(client, case) -> str:
    """What the public sees of a case: its page, the list, the API list and detail, the
    downloads and the sitemap, as one text."""
    urls = [
        f"/en/cases/{case.pk}/",
        "/en/cases/",
        "/api/v1/cases/",
        "/en/regions/miami/",
        "/sitemap.xml",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        texts.append(response.content.decode() if response.status_code == 200 else "")
    return "\n".join(texts)


@pytest.fixture
def published(make_case):
    return make_case(title_en="Miami transport workshop", title_ja="")


@pytest.mark.django_db
class TestWhatCounts:
    def test_an_hq_editors_draft_does_not_count_until_approved(self, hq_editor, signed_in):
        before = stats.total()
        client = signed_in(hq_editor)
        response = client.post(
            f"{ADMIN}/cases/case/add/",
            case_form(
                Case(
                    title_en="HQ draft",
                    title_ja="",
                    summary_en="",
                    summary_ja="",
                    start_date=datetime.date(2024, 10, 1),
                    region=Region.objects.get(code="miami"),
                    state=State.objects.get(code="FL"),
                    city_en="",
                    city_ja="",
                    format=CaseFormat.WORKSHOP,
                    status=CaseStatus.HELD,
                )
            ),
        )
        assert response.status_code == 302
        draft = Case.objects.get(title_en="HQ draft")
        assert draft.publication == Publication.DRAFT
        assert stats.total() == before
        client.post(
            f"{ADMIN}/cases/case/", {"action": "approve", "_selected_action": [str(draft.pk)]}
        )
        draft.refresh_from_db()
        assert draft.publication == Publication.APPROVED
        assert stats.total() == before + 1
        assert not Case.objects.public().filter(pk=draft.pk).exists()  # counted, not listed

    def test_staff_see_what_the_queue_would_change(self, editor_a, signed_in, make_case):
        case = make_case(title_en="Waiting", publication=Publication.DRAFT, is_public=False)
        cases.submit(editor_a, case)
        page = signed_in(editor_a).get(f"{ADMIN}/cases/case/").content.decode()
        assert "+1 pending review" in page


@pytest.mark.django_db
class TestRevisions:
    def test_a_consulate_edit_of_a_published_case_waits_for_review(
        self, published, editor_a, hq_editor, signed_in, django_capture_on_commit_callbacks
    ):
        total = stats.total()
        anonymous = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(editor_a).post(
                f"{ADMIN}/cases/case/{published.pk}/change/",
                case_form(published, title_en="Renamed by Miami"),
            )
        assert response.status_code == 302
        published.refresh_from_db()
        assert published.title_en == "Miami transport workshop"  # the live version stays
        assert "Renamed by Miami" not in public_surfaces(anonymous, published)
        revision = Revision.objects.get(object_id=published.pk)
        assert (revision.kind, revision.status, revision.submitted_by) == (
            "change",
            "pending",
            editor_a,
        )
        assert revision.data["title_en"] == "Renamed by Miami"
        # HQ's reviewers are told.
        assert any(hq_editor.email in message.to for message in mail.outbox)

        review = signed_in(hq_editor).get(f"{ADMIN}/cases/revision/{revision.pk}/change/")
        text = review.content.decode()
        assert "Miami transport workshop" in text
        assert "Renamed by Miami" in text
        assert f"/en/cases/{published.pk}/preview/?revision={revision.pk}" in text

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            signed_in(hq_editor).post(
                f"{ADMIN}/cases/revision/{revision.pk}/change/", {"approve": "1", "comment": ""}
            )
        published.refresh_from_db()
        assert published.title_en == "Renamed by Miami"
        assert "Renamed by Miami" in public_surfaces(anonymous, published)
        assert stats.total() == total
        assert [message.to for message in mail.outbox] == [[editor_a.email]]

    def test_hq_rejects_with_a_comment_the_submitter_sees(
        self, published, editor_a, hq_editor, signed_in, django_capture_on_commit_callbacks
    ):
        signed_in(editor_a).post(
            f"{ADMIN}/cases/case/{published.pk}/change/",
            case_form(published, status=CaseStatus.CANCELLED),
        )
        revision = Revision.objects.get(object_id=published.pk)
        assert revision.figure_effect == -1
        total = stats.total()
        hq = signed_in(hq_editor)
        # A rejection without a reason is refused and changes nothing.
        before = rows()
        hq.post(f"{ADMIN}/cases/revision/{revision.pk}/change/", {"reject": "1", "comment": ""})
        assert rows() == before
        with django_capture_on_commit_callbacks(execute=True):
            hq.post(
                f"{ADMIN}/cases/revision/{revision.pk}/change/",
                {"reject": "1", "comment": "The workshop did take place; keep it as held."},
            )
        revision.refresh_from_db()
        assert revision.status == "rejected"
        published.refresh_from_db()
        assert published.status == CaseStatus.HELD
        assert stats.total() == total
        form = signed_in(editor_a).get(f"{ADMIN}/cases/case/{published.pk}/change/")
        assert "The workshop did take place; keep it as held." in form.content.decode()
        assert any("keep it as held" in message.body for message in mail.outbox)

    def test_a_consulate_deletion_of_a_published_case_is_a_request(
        self, published, editor_a, hq_editor, signed_in
    ):
        total = stats.total()
        signed_in(editor_a).post(f"{ADMIN}/cases/case/{published.pk}/delete/", {"post": "yes"})
        assert Case.objects.filter(pk=published.pk).exists()
        assert stats.total() == total
        revision = Revision.objects.get(object_id=published.pk, kind="delete")
        signed_in(hq_editor).post(
            f"{ADMIN}/cases/revision/{revision.pk}/change/", {"approve": "1", "comment": ""}
        )
        assert not Case.objects.filter(pk=published.pk).exists()
        assert stats.total() == total - 1

    def test_refused_attempts_change_no_row(
        self, published, editor_a, editor_b, viewer, signed_in
    ):
        signed_in(editor_a).post(
            f"{ADMIN}/cases/case/{published.pk}/change/",
            case_form(published, title_en="Proposed"),
        )
        revision = Revision.objects.get(object_id=published.pk)
        before = rows()
        for user in (editor_a, editor_b, viewer):
            client = signed_in(user)
            # Nobody but HQ approves or rejects; district B cannot even see it.
            client.post(
                f"{ADMIN}/cases/revision/{revision.pk}/change/", {"approve": "1", "comment": ""}
            )
            client.post(
                f"{ADMIN}/cases/revision/{revision.pk}/change/", {"reject": "1", "comment": "no"}
            )
            client.post(
                f"{ADMIN}/cases/case/", {"action": "publish", "_selected_action": [published.pk]}
            )
        signed_in(editor_b).post(
            f"{ADMIN}/cases/case/{published.pk}/change/", case_form(published, title_en="B")
        )
        signed_in(editor_b).post(f"{ADMIN}/cases/case/{published.pk}/delete/", {"post": "yes"})
        signed_in(viewer).post(
            f"{ADMIN}/cases/case/{published.pk}/change/", case_form(published, title_en="V")
        )
        Client().post(f"{ADMIN}/cases/case/{published.pk}/delete/", {"post": "yes"})
        assert rows() == before

    def test_the_preview_follows_the_district_rule(
        self, published, editor_a, editor_b, hq_editor, signed_in
    ):
        signed_in(editor_a).post(
            f"{ADMIN}/cases/case/{published.pk}/change/",
            case_form(published, title_en="Previewed title"),
        )
        revision = Revision.objects.get(object_id=published.pk)
        url = f"/en/cases/{published.pk}/preview/?revision={revision.pk}"
        for user in (editor_a, hq_editor):
            response = signed_in(user).get(url)
            assert response.status_code == 200
            assert "Previewed title" in response.content.decode()
            assert (
                "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
            )
        assert signed_in(editor_b).get(url).status_code == 404
        assert Client().get(url).status_code in (302, 404)
        ja = signed_in(hq_editor).get(url.replace("/en/", "/ja/"))
        assert "Previewed title" in ja.content.decode()


@pytest.mark.django_db
class TestTheService:
    def test_the_service_refuses_another_district_and_changes_nothing(self, published, editor_b):
        before = rows()
        published.title_en = "From New York"
        with pytest.raises(Refused):
            cases.save(editor_b, published)
        with pytest.raises(Refused):
            cases.delete(editor_b, published)
        assert rows() == before

    def test_the_service_validates_the_district(self, editor_a, make_case):
        from django.core.exceptions import ValidationError

        case = make_case(publication=Publication.DRAFT, is_public=False)
        case.state = State.objects.get(code="NY")
        with pytest.raises(ValidationError):
            cases.save(editor_a, case)

    def test_restore_is_offered_only_to_those_who_may_restore(
        self, published, hq_editor, editor_a, signed_in
    ):
        signed_in(hq_editor).post(f"{ADMIN}/cases/case/{published.pk}/delete/", {"post": "yes"})
        assert not Case.objects.filter(pk=published.pk).exists()
        listing = signed_in(editor_a).get(f"{ADMIN}/cases/case/deleted/").content.decode()
        assert f"/deleted/{published.pk}/restore/" not in listing
        assert (
            signed_in(editor_a)
            .post(f"{ADMIN}/cases/case/deleted/{published.pk}/restore/")
            .status_code
            == 403
        )
        listing = signed_in(hq_editor).get(f"{ADMIN}/cases/case/deleted/").content.decode()
        assert f"/deleted/{published.pk}/restore/" in listing


@pytest.mark.django_db
def test_import_cases_user_applies_the_users_districts(tmp_path, editor_a, make_case):
    from django.core.management import CommandError, call_command

    from tests.test_import import case_row, csv_file

    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file([case_row(region="new-york", state="NY")]))
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--user", editor_a.username, stdout=None)
    assert not Case.objects.filter(external_ref="MIA-001").exists()


@pytest.mark.django_db
def test_the_about_page_computes_its_reconciliation_sentences(client, make_case):
    make_case()
    text = client.get("/en/about/").content.decode()
    assert "1,292 cases published; the register counts 1." in text
    assert "1,292 and 104" not in text


@pytest.mark.django_db
def test_the_japanese_review_queue_shows_japanese_titles_and_says_sashimodoshi(
    make_case, editor_a, hq_editor, signed_in
):
    """A Japanese reviewer reads the Japanese title, and a rejected revision is 差し戻し (sent
    back to its author), not the importer's 取込不可 (a row that could not be imported)."""
    published = make_case(
        title_en="Miami transport workshop", title_ja="マイアミ交通ワークショップ"
    )
    published.title_en = "Miami transport workshop (retitled)"
    revision = cases.save(editor_a, published).revision
    cases.reject(hq_editor, revision, "日付を確認してください。")
    client = signed_in(hq_editor)

    queue = client.get("/ja/admin/cases/revision/").content.decode()
    assert "マイアミ交通ワークショップ" in queue
    assert "差し戻し" in queue
    assert "取込不可" not in queue
    review = client.get(f"/ja/admin/cases/revision/{revision.pk}/change/").content.decode()
    assert "マイアミ交通ワークショップ" in review
    assert "差し戻し" in review
    # The English admin keeps the English title and word.
    english = client.get("/en/admin/cases/revision/").content.decode()
    assert "Miami transport workshop (retitled)" in english
    assert "Rejected" in english
