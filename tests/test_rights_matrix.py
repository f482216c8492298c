"""Who may do what, and what the public sees meanwhile: persona × surface.

The personas (tests/conftest.py): an HQ editor, consulate editors of district A (Miami) and B
(New York), a viewer and an anonymous visitor. The register holds a published Miami case with
a pending retitling, a held draft submitted for review, a held case approved but not listed,
and a deleted published case.

- Every surface that reads cases (public pages, API, downloads, sitemap, chart embeds and
  data, the staff report) shows, to everyone, only the approved version: never the pending
  title, the draft or the unlisted case; the figures count only what HQ approved.
- Every surface that writes (admin add, change, delete, publish, submit, approve, reject,
  restore, import) does exactly what the persona's rights allow: it is applied, becomes a
  request in HQ's queue, or is refused, and after a refusal no row has changed.
"""

import io
import json

import openpyxl
import pytest
from django.test import Client

from cases.models import Case, CaseFormat, CaseStatus, Publication, Region, Revision, State
from cases.register import cases
from tests.test_import import case_row, csv_file
from tests.test_register import case_form

ADMIN = "/en/admin"
PERSONAS = ["hq_editor", "editor_a", "editor_b", "viewer", "anonymous"]
HIDDEN = ["Pending title", "Draft title", "Unlisted title", "Gone title"]


@pytest.fixture
def world(make_case, hq_editor, editor_a):
    live = make_case(title_en="Live title", title_ja="")
    unlisted = make_case(title_en="Unlisted title", title_ja="", is_public=False)
    draft = make_case(
        title_en="Draft title", title_ja="", is_public=False, publication=Publication.DRAFT
    )
    cases.submit(editor_a, draft)
    fresh = make_case(
        title_en="Fresh draft", title_ja="", is_public=False, publication=Publication.DRAFT
    )
    live.title_en = "Pending title"
    pending = cases.save(editor_a, live).revision
    gone = make_case(title_en="Gone title", title_ja="")
    gone_pk = gone.pk
    cases.delete(hq_editor, gone)
    return {
        "live": Case.objects.get(pk=live.pk),
        "unlisted": unlisted,
        "draft": draft,
        "fresh": fresh,
        "pending": pending,
        "gone_pk": gone_pk,
    }


@pytest.fixture
def client_of(request, signed_in):
    def make(persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return signed_in(request.getfixturevalue(persona))

    return make


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def register_rows():
    return (
        list(Case.objects.order_by("pk").values()),
        list(Revision.objects.order_by("pk").values()),
    )


# --- reading: only the approved version, for everyone -------------------------------------------

PUBLIC = [
    "/en/",
    "/en/dashboard/",
    "/en/regions/miami/",
    "/en/states/FL/",
    "/en/cases/",
    "/en/cases/{live}/",
    "/en/showcase/",
    "/en/partners/",
    "/api/v1/cases/",
    "/api/v1/cases/{live}/",
    "/api/v1/stats/region/",
    "/en/cases/export.csv",
    "/en/cases/export.json",
    "/en/cases/export.xlsx",
    "/sitemap.xml",
    "/en/dashboard/embed/region/",
    "/en/dashboard/data/region.csv",
]
# Surfaces that list the case itself (the others show figures only).
LISTING = {"/en/cases/", "/en/cases/{live}/", "/api/v1/cases/", "/api/v1/cases/{live}/"}
LISTING |= {"/en/cases/export.csv", "/en/cases/export.json", "/en/cases/export.xlsx"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", PUBLIC)
def test_every_public_surface_shows_only_the_approved_version(world, client_of, persona, url):
    response = client_of(persona).get(url.format(live=world["live"].pk))
    assert response.status_code == 200
    text = text_of(response)
    for hidden in HIDDEN:
        assert hidden not in text
    if url in LISTING:
        assert "Live title" in text


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_drafts_are_not_found_and_the_figures_count_only_approved_cases(world, client_of, persona):
    client = client_of(persona)
    for url in ("/en/cases/{pk}/", "/api/v1/cases/{pk}/"):
        assert client.get(url.format(pk=world["draft"].pk)).status_code == 404
        assert client.get(url.format(pk=world["unlisted"].pk)).status_code == 404
    # Live and unlisted count (both approved); the submitted draft does not, yet.
    assert Case.objects.counted().count() == 2
    assert json.loads(client.get("/api/v1/stats/fiscal-year/").content)["total"] == 2
    chart = text_of(client.get("/en/dashboard/data/fiscal-year.csv"))
    assert "FY2024,2,2" in chart.splitlines()


REPORT = "/en/admin/reports/region/?region=miami&from=2024&to=2024&language=en&format=csv"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("hq_editor", True),
        ("editor_a", True),
        ("editor_b", False),
        ("viewer", True),
        ("anonymous", False),
    ],
)
def test_the_region_report_follows_the_district_and_shows_only_approved(
    world, client_of, persona, allowed
):
    response = client_of(persona).get(REPORT)
    if not allowed:
        assert response.status_code in (200, 302, 403)
        assert "Live title" not in text_of(response)
        return
    assert response.status_code == 200
    text = text_of(response)
    assert "Live title" in text
    assert "Pending title" not in text
    assert "Draft title" not in text


# --- writing: applied, sent to HQ's queue, or refused with nothing changed -----------------------


def add(client, world):
    new = Case(
        title_en="Matrix new",
        title_ja="",
        summary_en="",
        summary_ja="",
        start_date=world["live"].start_date,
        region=Region.objects.get(code="miami"),
        state=State.objects.get(code="FL"),
        city_en="",
        city_ja="",
        format=CaseFormat.WORKSHOP,
        status=CaseStatus.HELD,
    )
    return client.post(f"{ADMIN}/cases/case/add/", case_form(new))


def edit_published(client, world):
    live = world["live"]
    return client.post(
        f"{ADMIN}/cases/case/{live.pk}/change/", case_form(live, title_en="Edited title")
    )


def delete_published(client, world):
    return client.post(f"{ADMIN}/cases/case/{world['live'].pk}/delete/", {"post": "yes"})


def publish_draft(client, world):
    data = {"action": "publish", "_selected_action": [str(world["draft"].pk)]}
    return client.post(f"{ADMIN}/cases/case/", data)


def submit_draft(client, world):
    data = {"action": "submit_for_review", "_selected_action": [str(world["fresh"].pk)]}
    return client.post(f"{ADMIN}/cases/case/", data)


def approve(client, world):
    url = f"{ADMIN}/cases/revision/{world['pending'].pk}/change/"
    return client.post(url, {"approve": "1", "comment": ""})


def reject(client, world):
    url = f"{ADMIN}/cases/revision/{world['pending'].pk}/change/"
    return client.post(url, {"reject": "1", "comment": "Check the title."})


def restore(client, world):
    return client.post(f"{ADMIN}/cases/case/deleted/{world['gone_pk']}/restore/")


def import_file(client, world):
    from exchange.admin import SESSION_KEY

    row = case_row(external_ref="MATRIX-1", title_en="Matrix import", is_public="no")
    upload = io.BytesIO(csv_file([{**row, "partners": ""}]))
    upload.name = "matrix.csv"
    response = client.post(f"{ADMIN}/exchange/importbatch/upload/", {"file": upload})
    pending = client.session.get(SESSION_KEY)
    if response.status_code != 200 or not pending:
        return response
    return client.post(
        f"{ADMIN}/exchange/importbatch/upload/preview/", {"sha256": pending["sha256"]}
    )


A, P, R = "applied", "pending", "refused"
#                         HQ  Miami  New York  viewer  anonymous
MATRIX = {
    add: (A, A, R, R, R),
    edit_published: (A, P, R, R, R),
    delete_published: (A, P, R, R, R),
    publish_draft: (A, R, R, R, R),
    submit_draft: (A, A, R, R, R),
    approve: (A, R, R, R, R),
    reject: (A, R, R, R, R),
    restore: (A, R, R, R, R),
    import_file: (A, A, R, R, R),
}
CASES = [
    pytest.param(action, persona, outcomes[index], id=f"{action.__name__}-{persona}")
    for action, outcomes in MATRIX.items()
    for index, persona in enumerate(PERSONAS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "persona", "outcome"), CASES)
def test_each_persona_gets_exactly_what_its_rights_allow(
    world, client_of, action, persona, outcome
):
    rows_before = register_rows()
    counted_before = Case.objects.counted().count()
    last_revision = Revision.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = action(client_of(persona), world)
    assert response.status_code < 500

    cases_after, revisions_after = register_rows()
    if outcome == R:
        assert (cases_after, revisions_after) == rows_before
    elif outcome == P:
        assert cases_after == rows_before[0]  # the live record is as it was
        newest = Revision.objects.order_by("-pk").first()
        assert newest.pk > last_revision
        assert newest.is_pending  # a request in HQ's queue
    else:
        assert (cases_after, revisions_after) != rows_before
    if outcome != A:
        assert Case.objects.counted().count() == counted_before
    # Whatever happened, the public sees only what HQ approved.
    public = Client()
    page = text_of(public.get("/en/cases/")) + text_of(public.get("/api/v1/cases/"))
    approved = Case.objects.public().values_list("title_en", flat=True)
    for title in ["Pending title", "Draft title", "Edited title", "Matrix new", "Matrix import"]:
        assert (title in page) == (title in approved)
