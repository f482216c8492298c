"""The portal's own pages: About, the accessibility statement, sitemap.xml, robots.txt, and the
friendly 404 and 500 pages."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import get_template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from cases.models import Case, Publication, Region, State
from grassroots.urls import urlpatterns as portal_urlpatterns
from showcase.models import ShowcasePage


def _boom(request):
    raise RuntimeError("a bug")


# The portal's URLs plus a view that fails, for the 500 page (see `test_a_server_error...`).
urlpatterns = [*portal_urlpatterns, path("boom/", _boom)]

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def pages(make_case):
    """A published page, a draft, and a published page whose case is no longer public."""
    published_at = datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)

    def page(slug, case, publication=Publication.PUBLISHED):
        return ShowcasePage.objects.create(
            case=case,
            slug=slug,
            title_en=slug,
            publication=publication,
            published_at=published_at if publication == Publication.PUBLISHED else None,
        )

    page("public-page", make_case(title_en="Public case"))
    page("draft-page", make_case(), publication=Publication.DRAFT)
    withdrawn = page("withdrawn-page", make_case())
    Case.objects.filter(pk=withdrawn.case_id).update(is_public=False)
    private = make_case(title_en="Private case", is_public=False)
    planned = make_case(title_en="Planned case", status="planned")
    return {"private_case": private, "planned_case": planned}


# --- About and accessibility --------------------------------------------------------------------


@pytest.mark.django_db
class TestAbout:
    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_renders_in_both_languages(self, client, language):
        response = client.get(f"/{language}/about/")
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.text

    def test_explains_the_task_force_and_its_action_plans(self, client):
        text = client.get("/en/about/").text
        for phrase in [
            "set up in April\n        2017",
            "Ministry of Foreign Affairs",
            "Ministry of Economy, Trade and Industry",
            "JETRO",
            "Japan Foundation",
            "supply-chain cooperation",
            "Action Plan 3.0 (4 August 2023)",
            "Action Plan 4.0, adopted on 18 December 2025",
            "Cooperation that drives growth in both economies",
            "Growth investment and human capital",
            "Raising Americans' awareness of Japan's contribution",
        ]:
            assert phrase.replace("\n        ", " ") in _squash(text), phrase

    def test_explains_the_counting_rules_and_the_demo_data(self, client):
        text = _squash(client.get("/en/about/").text)
        for phrase in [
            "FY2024: 104 cases published; the register counts",
            "FY2017–FY2024: 1,292 cases published; the register counts",
            "Only cases that were held, and that HQ has reviewed, count.",
            "Each case counts once, under the region whose mission led it.",
            "Some held cases are counted but not listed.",
            "from 1 April to 31 March",
            "three FY2024 best practices",
            "is invented for testing",
        ]:
            assert phrase in text, phrase

    def test_links_to_the_accessibility_statement(self, client):
        assert 'href="/en/accessibility/"' in client.get("/en/about/").text

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_accessibility_statement(self, client, language):
        response = client.get(f"/{language}/accessibility/")
        assert response.status_code == 200
        assert "WCAG" in response.text
        assert f'href="/{language}/about/"' in response.text  # breadcrumbs back to About

    def test_pages_have_description_and_open_graph_tags(self, client):
        text = client.get("/en/about/").text
        assert '<meta property="og:title" content="About the task force and the data">' in text
        assert '<link rel="canonical" href="http://testserver/en/about/">' in text
        assert "<script" not in text


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- sitemap.xml --------------------------------------------------------------------------------


def _sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    locs = [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]
    alternates = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in root.iter(f"{SITEMAP}url")
    }
    return locs, alternates


@pytest.mark.django_db
class TestSitemap:
    def test_lists_the_portal_pages_in_both_languages(self, client, pages):
        locs, _ = _sitemap(client)
        for language in ["en", "ja"]:
            for page in ["", "about/", "accessibility/", "showcase/", "showcase/public-page/"]:
                assert f"http://testserver/{language}/{page}" in locs, (language, page)

    def test_lists_the_other_sections(self, client, pages):
        from showcase.links import SECTIONS

        locs, _ = _sitemap(client)
        for name in SECTIONS.values():
            url = reverse(name)
            assert f"http://testserver{url}" in locs
            assert f"http://testserver{url.replace('/en/', '/ja/', 1)}" in locs

    def test_each_language_names_the_other_as_an_alternate(self, client, pages):
        _, alternates = _sitemap(client)
        links = alternates["http://testserver/en/showcase/public-page/"]
        assert links["ja"] == "http://testserver/ja/showcase/public-page/"
        assert links["en"] == "http://testserver/en/showcase/public-page/"

    def test_never_lists_drafts_or_pages_about_non_public_cases(self, client, pages):
        locs, _ = _sitemap(client)
        text = " ".join(locs)
        assert "draft-page" not in text
        assert "withdrawn-page" not in text

    def test_lists_public_cases_only(self, client, pages):
        locs, _ = _sitemap(client)
        public = Case.objects.public().values_list("pk", flat=True)
        for pk in public:
            assert f"http://testserver/en/cases/{pk}/" in locs
            assert f"http://testserver/ja/cases/{pk}/" in locs
        for hidden in (pages["private_case"], pages["planned_case"]):
            assert f"http://testserver/en/cases/{hidden.pk}/" not in locs
            assert f"http://testserver/ja/cases/{hidden.pk}/" not in locs

    def test_region_and_state_pages(self, client, pages):
        locs, _ = _sitemap(client)
        assert len([loc for loc in locs if "/regions/" in loc]) == 2 * (Region.objects.count() + 1)
        assert "http://testserver/en/states/FL/" in locs
        assert len([loc for loc in locs if "/states/" in loc]) == 2 * (State.objects.count() + 1)

    def test_query_count_does_not_grow_with_the_cases(
        self, client, make_case, django_assert_max_num_queries
    ):
        for _ in range(30):
            make_case()
        with django_assert_max_num_queries(6):
            client.get("/sitemap.xml")


# --- robots.txt ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /en/admin/" in lines
    assert "Disallow: /ja/admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- Error pages --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestNotFound:
    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_friendly_page_in_the_language_of_the_address(self, client, language):
        response = client.get(f"/{language}/no-such-page/")
        assert response.status_code == 404
        text = response.text
        assert f'<html lang="{language}">' in text
        assert "We could not find that page" in text
        assert f'href="/{language}/"' in text  # the home page, in the same language
        assert f'href="/{language}/showcase/"' in text
        assert "/no-such-page/" in text
        assert '<meta name="robots" content="noindex">' in text

    def test_also_speaks_the_other_language(self, client):
        text = client.get("/en/no-such-page/").text
        assert '<div class="error-other-language" lang="ja">' in text
        assert 'href="/ja/"' in text

    def test_a_hostile_address_is_escaped(self, client):
        text = client.get("/en/%3Cscript%3Ealert(1)%3C/script%3E/").text
        assert "<script>alert(1)" not in text

    def test_a_draft_page_is_the_same_friendly_404(self, client, pages):
        response = client.get("/en/showcase/draft-page/")
        assert response.status_code == 404
        assert "We could not find that page" in response.text


@pytest.mark.django_db
class TestServerError:
    def test_the_template_renders_standalone_without_touching_the_database(self):
        with CaptureQueriesContext(connection) as queries:
            html = get_template("500.html").render({})
        assert len(queries) == 0
        assert "Something went wrong" in html
        assert 'href="/en/"' in html
        assert 'href="/ja/"' in html
        assert '<section lang="ja">' in html
        assert "<script" not in html

    def test_the_template_needs_no_request_or_context_processor(self):
        # server_error renders with a bare Context; so does this.
        source = get_template("500.html").template.source
        html = Template(source).render(Context())
        assert "Something went wrong" in html

    @pytest.mark.urls("tests.test_site_pages")
    def test_a_server_error_shows_the_friendly_page(self):
        response = Client(raise_request_exception=False).get("/boom/")
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown"), [("en", "16 October 2024"), ("ja", "2024年10月16日")]
)
def test_one_date_style_per_language(client, make_case, language, shown):
    case = make_case(start_date=datetime.date(2024, 10, 16))
    for address in (f"/{language}/cases/", f"/{language}/cases/{case.pk}/"):
        assert shown in client.get(address).text
