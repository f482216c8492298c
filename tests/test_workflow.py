"""The publishing workflow: draft → submitted for review → published, and back to draft.

Consulate editors submit; HQ editors publish and unpublish; who did each step, and when, is
kept; the public sees only published cases and pages, whatever a forged POST says.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction

from cases.models import Case, Publication, WorkflowError
from showcase.models import ShowcasePage
from tests.conftest import staff_member
from tests.test_roles import case_form

ADMIN = "/en/admin"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def consulate(db):
    call_command(
        "create_staff", "mia", "--role", "consulate", "--region", "miami", stdout=io.StringIO()
    )
    return get_user_model().objects.get(username="mia")


@pytest.fixture
def hq(db):
    call_command("create_staff", "boss", "--role", "hq", stdout=io.StringIO())
    return get_user_model().objects.get(username="boss")


@pytest.fixture
def draft(make_case):
    return make_case(title_en="Draft workshop", is_public=False, publication=Publication.DRAFT)


def make_page(case, **fields):
    defaults = {"slug": "draft-page", "title_en": "Draft page", "publication": Publication.DRAFT}
    return ShowcasePage.objects.create(case=case, **{**defaults, **fields})


def action(client, model, name, *objects):
    return client.post(
        f"{ADMIN}/{model}/",
        {"action": name, "_selected_action": [str(obj.pk) for obj in objects]},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
class TestCaseTransitions:
    def test_submit_publish_unpublish_record_who_and_when(self, draft, consulate, hq):
        draft.submit_for_review(consulate)
        draft.refresh_from_db()
        assert draft.publication == Publication.SUBMITTED
        assert draft.submitted_by == consulate
        assert draft.submitted_at is not None
        assert not draft.is_public

        draft.publish(hq)
        draft.refresh_from_db()
        assert (draft.publication, draft.is_public) == (Publication.PUBLISHED, True)
        assert draft.published_by == hq
        assert draft.published_at >= draft.submitted_at

        draft.unpublish(hq)
        draft.refresh_from_db()
        assert (draft.publication, draft.is_public) == (Publication.DRAFT, False)
        # The record of the last submission and publication stays.
        assert draft.submitted_by == consulate
        assert draft.published_by == hq

    def test_steps_that_do_not_apply_are_refused(self, draft, hq):
        with pytest.raises(WorkflowError):
            draft.unpublish(hq)
        draft.publish(hq)
        with pytest.raises(WorkflowError):
            draft.publish(hq)
        with pytest.raises(WorkflowError):
            draft.submit_for_review(hq)

    def test_the_database_refuses_a_public_case_that_is_not_published(self, draft):
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=draft.pk).update(is_public=True)


@pytest.mark.django_db
class TestCaseAdmin:
    def test_consulate_submits_with_the_action(self, client, consulate, draft):
        client.force_login(consulate)
        response = action(client, "cases/case", "submit_for_review", draft)
        assert "1 case was submitted for review." in messages_of(response)
        draft.refresh_from_db()
        assert draft.publication == Publication.SUBMITTED
        assert draft.submitted_by == consulate

    def test_consulate_submits_from_the_form(self, client, consulate, draft):
        client.force_login(consulate)
        form = client.get(f"{ADMIN}/cases/case/{draft.pk}/change/").text
        assert 'name="request_review"' in form
        assert 'name="is_public"' not in form
        client.post(
            f"{ADMIN}/cases/case/{draft.pk}/change/",
            case_form("miami", "FL", title_en="Draft workshop", request_review="on"),
        )
        draft.refresh_from_db()
        assert draft.publication == Publication.SUBMITTED
        assert not draft.is_public

    def test_consulate_cannot_publish_even_with_a_forged_post(self, client, consulate, draft):
        client.force_login(consulate)
        response = action(client, "cases/case", "publish", draft)
        assert response.status_code == 200
        client.post(
            f"{ADMIN}/cases/case/{draft.pk}/change/",
            case_form("miami", "FL", title_en="Draft workshop", is_public="on"),
        )
        client.post(
            f"{ADMIN}/cases/case/add/", case_form("miami", "FL", title_en="New", is_public="on")
        )
        draft.refresh_from_db()
        assert not draft.is_public
        assert draft.publication == Publication.DRAFT
        assert not Case.objects.get(title_en="New").is_public

    def test_hq_publishes_and_unpublishes_with_messages(self, client, hq, consulate, draft):
        draft.submit_for_review(consulate)
        client.force_login(hq)
        response = action(client, "cases/case", "publish", draft)
        assert "1 case was published." in messages_of(response)
        draft.refresh_from_db()
        assert draft.is_public
        assert draft.published_by == hq
        response = action(client, "cases/case", "unpublish", draft)
        assert "1 case was unpublished and returned to draft." in messages_of(response)
        draft.refresh_from_db()
        assert not draft.is_public

    def test_hq_publishes_by_ticking_public_in_the_form(self, client, hq, draft):
        client.force_login(hq)
        client.post(
            f"{ADMIN}/cases/case/{draft.pk}/change/",
            case_form("miami", "FL", title_en="Draft workshop", is_public="on"),
        )
        draft.refresh_from_db()
        assert draft.publication == Publication.PUBLISHED
        assert draft.published_by == hq


@pytest.mark.django_db
class TestShowcase:
    @pytest.fixture
    def public_case(self, make_case):
        return make_case(title_en="Public workshop")

    def test_page_workflow_records_who_and_when(self, public_case, consulate, hq):
        page = make_page(public_case)
        page.submit_for_review(consulate)
        assert (page.publication, page.submitted_by) == (Publication.SUBMITTED, consulate)
        page.publish(hq)
        page.refresh_from_db()
        assert (page.publication, page.published_by) == (Publication.PUBLISHED, hq)
        assert page.published_at is not None
        page.unpublish(hq)
        page.refresh_from_db()
        assert page.publication == Publication.DRAFT

    def test_consulate_submits_but_cannot_publish_a_page(self, client, consulate, public_case):
        page = make_page(public_case)
        client.force_login(consulate)
        action(client, "showcase/showcasepage", "publish", page)
        page.refresh_from_db()
        assert page.publication == Publication.DRAFT
        response = client.get(f"{ADMIN}/showcase/showcasepage/{page.pk}/change/")
        assert 'name="publication"' not in response.text
        action(client, "showcase/showcasepage", "submit_for_review", page)
        page.refresh_from_db()
        assert page.publication == Publication.SUBMITTED

    def test_hq_publishes_a_page_with_the_action(self, client, hq, public_case):
        page = make_page(public_case)
        client.force_login(hq)
        response = action(client, "showcase/showcasepage", "publish", page)
        assert "1 showcase page was published." in messages_of(response)
        page.refresh_from_db()
        assert page.publication == Publication.PUBLISHED
        assert page.published_by == hq


@pytest.mark.django_db
class TestOneSetOfActions:
    """Cases and showcase pages offer the publishing mixin's actions, not copies of them."""

    def test_both_admins_run_the_mixins_actions(self):
        from django.contrib import admin

        from cases.publishing import PublishingAdmin

        for model in (Case, ShowcasePage):
            model_admin = admin.site._registry[model]
            for name in ("submit_for_review", "publish", "unpublish"):
                assert name in model_admin.actions
                assert getattr(type(model_admin), name) is getattr(PublishingAdmin, name)

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("cases/case", "選択した案件を公開する"),
            ("showcase/showcasepage", "選択したベストプラクティス紹介ページを公開する"),
        ],
    )
    def test_the_actions_name_their_records_in_japanese(
        self, client, hq, draft, make_case, path, expected
    ):
        make_page(make_case(title_en="Public workshop"))  # actions show above rows only
        client.force_login(hq)
        page = client.get(f"/ja/admin/{path}/").text
        assert expected in page
        # Django's 「変更する … を選択」 heading: the list is named 「…一覧」 instead.
        assert "変更する" not in page.split("</title>")[0]
        assert "一覧 |" in page.split("</title>")[0]


@pytest.mark.django_db
class TestPublicPages:
    def test_a_submitted_case_is_not_public(self, client, draft, consulate):
        draft.submit_for_review(consulate)
        assert client.get(f"/en/cases/{draft.pk}/").status_code == 404
        assert "Draft workshop" not in client.get("/en/cases/").text
        assert draft not in Case.objects.public()

    def test_a_submitted_page_is_not_public(self, client, make_case, consulate):
        page = make_page(make_case(title_en="Public workshop"), title_en="Submitted story")
        page.submit_for_review(consulate)
        assert client.get(f"/en/showcase/{page.slug}/").status_code == 404
        assert "Submitted story" not in client.get("/en/showcase/").text
        assert page not in ShowcasePage.objects.published()


@pytest.mark.django_db
def test_an_import_that_publishes_a_case_records_the_importer_as_its_publisher(make_case):
    from exchange.importing import apply_import
    from tests.test_import import case_row, csv_file

    # The register applies the importer's own rights: an HQ editor may publish.
    importer = staff_member("importer", "hq")
    earlier = get_user_model().objects.create_user("earlier", is_staff=True)
    draft = make_case(external_ref="MIA-002", is_public=False, updated_by=earlier)
    already = make_case(
        external_ref="MIA-003",
        is_public=True,
        publication=Publication.PUBLISHED,
        published_by=earlier,
    )
    rows = [
        case_row(external_ref="MIA-001", themes="", partners=""),  # a new public case
        case_row(external_ref="MIA-002", themes="", partners=""),  # made public by the import
        case_row(external_ref="MIA-003", themes="", partners="", title_en="Retitled"),
    ]
    apply_import(csv_file(rows), "cases.csv", user=importer)

    new = Case.objects.get(external_ref="MIA-001")
    assert new.publication == Publication.PUBLISHED
    assert new.published_by == importer
    draft.refresh_from_db()
    assert draft.published_by == importer
    assert draft.published_at is not None
    already.refresh_from_db()
    assert already.published_by == earlier  # it was public before: its publisher stays
