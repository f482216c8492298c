"""Issue 16, item 6 ("Reach"): what tells the world about the portal beyond its own pages.

The Atom feed of best practices is read back with feedparser, the schema.org data with a JSON-LD
processor (pyld): both are what a feed reader or a search engine would do with them.
"""

import datetime
import io
import json
import re
from html.parser import HTMLParser

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from pyld import jsonld

from cases import rules
from cases.figures.charts import build_charts
from cases.models import Case, CaseOrigin, Publication
from cases.stats import Filters
from showcase.illustrations import draw_og_cards
from showcase.models import OG_PORTAL_CARD, HeroIllustration
from tests import test_showcase
from tests.test_showcase import PUBLISHED_AT

# The best-practice fixtures of the showcase tests.
make_page = test_showcase.make_page
miami_workshop = test_showcase.miami_workshop
staff_client = test_showcase.staff_client

IDENTITY = {
    "en": "An official website of the Government of Japan",
    "ja": "日本国政府の公式ウェブサイトです",
}


# --- The identity line ------------------------------------------------------------------------


@pytest.mark.django_db
class TestIdentityLine:
    @pytest.mark.parametrize("language", ["en", "ja"])
    @pytest.mark.parametrize(
        "path",
        [
            "",
            "showcase/",
            "cases/",
            "regions/",
            "states/",
            "dashboard/",
            "data/",
            "about/",
            "search/?q=miami",
            "no-such-page/",
        ],
    )
    def test_every_public_page_says_it_is_an_official_site(
        self, client, miami_workshop, language, path
    ):
        response = client.get(f"/{language}/{path}")
        assert response.status_code in (200, 404)
        assert IDENTITY[language] in response.text

    def test_a_best_practice_page_says_it_in_its_language(self, client, miami_workshop):
        assert IDENTITY["en"] in client.get("/en/showcase/miami-workshop/").text
        assert IDENTITY["ja"] in client.get("/ja/showcase/miami-workshop/").text

    def test_the_demonstration_banner_stays_beside_it_while_the_data_is_demo(
        self, client, miami_workshop
    ):
        text = client.get("/en/").text
        assert "Demonstration data" not in text
        Case.objects.filter(pk=miami_workshop.case_id).update(origin=CaseOrigin.DEMO)
        from cases.figures.freshness import bump_generation

        bump_generation()
        text = client.get("/en/").text
        assert IDENTITY["en"] in text
        assert "Demonstration data" in text

    def test_the_server_error_page_says_it_in_both_languages(self):
        from django.template.loader import render_to_string

        html = render_to_string("500.html")
        assert IDENTITY["en"] in html
        assert IDENTITY["ja"] in html


# --- The Atom feed ----------------------------------------------------------------------------


def _feed(client, language):
    response = client.get(f"/{language}/showcase/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


@pytest.mark.django_db
class TestFeed:
    def test_lists_published_best_practices_newest_first_in_english(
        self, client, make_page, miami_workshop
    ):
        make_page(
            slug="older-seminar",
            title_en="An older seminar",
            published_at=PUBLISHED_AT - datetime.timedelta(days=30),
        )
        parsed = _feed(client, "en")
        assert parsed.feed.title == "Best practices | Grassroots Portal"
        assert parsed.feed.language == "en"
        assert parsed.feed.link == "http://testserver/en/showcase/"
        titles = [entry.title for entry in parsed.entries]
        assert titles == ["Transport infrastructure workshop in Miami", "An older seminar"]
        first = parsed.entries[0]
        assert first.link == "http://testserver/en/showcase/miami-workshop/"
        assert first.id == first.link
        assert first.summary == "Rail, airports and the companies that build them."
        assert first.published_parsed[:3] == (2025, 5, 1)
        assert first.updated_parsed is not None

    def test_the_japanese_feed_is_in_japanese_with_japanese_links(self, client, miami_workshop):
        parsed = _feed(client, "ja")
        assert parsed.feed.title == "ベストプラクティス | グラスルーツ・ポータル"
        assert parsed.feed.language == "ja"
        (entry,) = parsed.entries
        assert entry.title == "マイアミでの輸送インフラに関するワークショップ"
        assert entry.link == "http://testserver/ja/showcase/miami-workshop/"
        assert entry.summary == "鉄道、空港、そしてそれを支える企業。"

    def test_drafts_and_pages_of_non_public_cases_stay_out(
        self, client, make_case, make_page, miami_workshop
    ):
        make_page(
            slug="a-draft", title_en="A draft", publication=Publication.DRAFT, published_at=None
        )
        hidden = make_page(slug="hidden", title_en="Hidden case page")
        Case.objects.filter(pk=hidden.case_id).update(is_public=False)
        titles = [entry.title for entry in _feed(client, "en").entries]
        assert titles == ["Transport infrastructure workshop in Miami"]

    def test_an_empty_register_gives_a_valid_empty_feed(self, client, db):
        assert _feed(client, "en").entries == []

    @pytest.mark.parametrize("path", ["", "showcase/", "showcase/miami-workshop/"])
    def test_home_and_showcase_pages_point_feed_readers_to_it(self, client, miami_workshop, path):
        for language in ("en", "ja"):
            text = client.get(f"/{language}/{path}").text
            assert '<link rel="alternate" type="application/atom+xml" title="' in text
            assert f'href="/{language}/showcase/feed.atom"' in text


# --- schema.org Event data ------------------------------------------------------------------

S = "https://schema.org/"
# schema.org's own context maps every term into its vocabulary; the tests run offline, so the
# processor is given that mapping instead of fetching https://schema.org.
SCHEMA_CONTEXT = {"@context": {"@vocab": S}}


def _schema_loader(url, options=None):
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}


class _JsonLdScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._inside = self._inside and tag != "script"

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def _event(client, path):
    """The page's one JSON-LD block, expanded by a JSON-LD processor: the node of the Event."""
    response = client.get(path)
    assert response.status_code == 200
    parser = _JsonLdScripts()
    parser.feed(response.text)
    assert len(parser.scripts) == 1, parser.scripts
    document = json.loads(parser.scripts[0])
    (node,) = jsonld.expand(document, {"documentLoader": _schema_loader})
    return document, node, response


def _value(node, term):
    (item,) = node[S + term]
    return item.get("@value", item.get("@id"))


@pytest.mark.django_db
class TestEventData:
    def test_a_case_page_describes_the_case_as_an_event(self, client, miami_workshop):
        document, node, response = _event(client, f"/en/cases/{miami_workshop.case_id}/")
        assert document["@context"] == "https://schema.org"
        assert node["@type"] == [S + "Event"]
        assert _value(node, "name") == "Transport infrastructure workshop"
        assert _value(node, "startDate") == "2024-10-15"
        assert _value(node, "endDate") == "2024-10-15"
        assert _value(node, "url") == f"http://testserver/en/cases/{miami_workshop.case_id}/"
        (place,) = node[S + "location"]
        assert place["@type"] == [S + "Place"]
        assert _value(place, "name") == "Miami, Florida"
        (address,) = place[S + "address"]
        assert _value(address, "addressLocality") == "Miami"
        assert _value(address, "addressRegion") == "FL"
        assert _value(address, "addressCountry") == "US"
        (organizer,) = node[S + "organizer"]
        assert organizer["@type"] == [S + "GovernmentOrganization"]
        assert _value(organizer, "name") == "Consulate-General of Japan in Miami"
        (parent,) = organizer[S + "parentOrganization"]
        assert "Grassroots" in _value(parent, "name")
        assert _value(node, "description")
        # Data, not a script the browser runs: the strict policy stays as it is.
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1]

    def test_a_best_practice_page_carries_its_title_lead_and_card(self, client, miami_workshop):
        _document, node, _response = _event(client, "/ja/showcase/miami-workshop/")
        assert _value(node, "name") == "マイアミでの輸送インフラに関するワークショップ"
        assert _value(node, "description") == "鉄道、空港、そしてそれを支える企業。"
        assert _value(node, "inLanguage") == "ja"
        assert _value(node, "image") == "http://testserver/static/showcase/og/transport.png"
        (place,) = node[S + "location"]
        assert _value(place, "name") == "フロリダ州"  # no English city on a Japanese page
        (organizer,) = node[S + "organizer"]
        assert _value(organizer, "name") == "在マイアミ日本国総領事館"

    def test_a_case_with_no_single_state_is_placed_in_the_us(self, client, make_case):
        case = make_case(region="washington-dc", state=None, city_en="")
        _document, node, _response = _event(client, f"/en/cases/{case.pk}/")
        (place,) = node[S + "location"]
        (address,) = place[S + "address"]
        assert _value(address, "addressCountry") == "US"
        assert S + "addressRegion" not in address

    def test_markup_in_a_title_cannot_close_the_script(self, client, make_case):
        title = "</script><script>alert(1)</script> & <!-- more"
        case = make_case(title_en=title)
        _document, node, response = _event(client, f"/en/cases/{case.pk}/")
        assert _value(node, "name") == title
        assert "<script>alert(1)" not in response.text

    def test_a_staff_preview_has_none(self, staff_client, make_page):
        page = make_page(slug="a-draft", publication=Publication.DRAFT, published_at=None)
        text = staff_client.get(f"/en/showcase/preview/{page.pk}/").text
        assert "application/ld+json" not in text


# --- OpenGraph cards ------------------------------------------------------------------------


def _og(text, prop):
    match = re.search(rf'<meta property="og:{prop}" content="([^"]*)">', text)
    return match and match.group(1)


@pytest.mark.django_db
class TestOpenGraphCards:
    def test_an_illustrated_page_shows_its_shipped_card_at_1200_by_630(
        self, client, miami_workshop
    ):
        text = client.get("/en/showcase/miami-workshop/").text
        assert _og(text, "image") == "http://testserver/static/showcase/og/transport.png"
        assert (_og(text, "image:width"), _og(text, "image:height")) == ("1200", "630")
        assert '<meta name="twitter:card" content="summary_large_image">' in text

    def test_every_shipped_card_is_1200_by_630(self):
        for choice in [*HeroIllustration.values, OG_PORTAL_CARD]:
            name = choice.rsplit("/", 1)[-1]
            path = finders.find(f"showcase/og/{name}")
            assert path, name
            with Image.open(path) as card:
                assert card.size == (1200, 630)

    def test_the_cards_are_what_the_script_draws(self, tmp_path):
        """The committed files come from showcase/illustrations.py, not from elsewhere."""
        for path in draw_og_cards(tmp_path):
            shipped = finders.find(f"showcase/og/{path.name}")
            with Image.open(path) as drawn, Image.open(shipped) as committed:
                assert drawn.convert("RGB").tobytes() == committed.convert("RGB").tobytes()

    def test_a_page_with_no_image_uses_the_portal_card(self, client, make_page):
        make_page(slug="plain", hero_illustration="", hero_alt_en="", hero_alt_ja="")
        text = client.get("/en/showcase/plain/").text
        assert _og(text, "image") == "http://testserver/static/showcase/og/portal.png"
        assert _og(text, "image:width") == "1200"

    def test_an_uploaded_photo_gets_a_card_cut_by_the_server(
        self, client, make_page, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 1200), (29, 63, 114)).save(buffer, format="PNG")
        page = make_page(slug="photo")
        page.hero_image = SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")
        page.save()
        text = client.get("/en/showcase/photo/").text
        assert _og(text, "image") == "http://testserver/en/showcase/photo/og.jpg"
        response = client.get("/en/showcase/photo/og.jpg")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "max-age=86400" in response["Cache-Control"]
        with Image.open(io.BytesIO(response.content)) as card:
            assert card.format == "JPEG"
            assert card.size == (1200, 630)

    def test_no_card_for_a_page_without_an_upload_or_not_public(self, client, make_page):
        make_page(slug="drawn")
        assert client.get("/en/showcase/drawn/og.jpg").status_code == 404
        make_page(slug="draft", publication=Publication.DRAFT, published_at=None)
        assert client.get("/en/showcase/draft/og.jpg").status_code == 404
        assert client.get("/en/showcase/nothing/og.jpg").status_code == 404


# --- Short fiscal-year labels for phones ----------------------------------------------------


@pytest.mark.parametrize(
    ("year", "language", "label"),
    [(2017, "en", "FY17"), (2024, "en", "FY24"), (2017, "ja", "17年度"), (2030, "ja", "30年度")],
)
def test_a_short_fiscal_year_label(year, language, label):
    assert rules.fiscal_year_short_label(year, language) == label


@pytest.mark.django_db
def test_the_fiscal_year_chart_carries_short_labels_beside_the_full_ones(make_case):
    make_case(start_date=datetime.date(2018, 4, 1))
    make_case(start_date=datetime.date(2019, 3, 31))
    with translation.override("ja"):
        (chart,) = build_charts(["fiscal-year"], Filters())
    layout = chart.figure["layout"]
    assert layout["xaxis"]["ticktext"][0] == "2018年度<br>（平成30年度）"
    assert layout["meta"]["shortTicktext"][0] == "18<br>年度"
    assert len(layout["meta"]["shortTicktext"]) == len(layout["xaxis"]["tickvals"])
