"""Issue 16, item 6 ("Reach"): what tells the world about the portal beyond its own pages.

The Atom feed of best practices is read back with feedparser, the schema.org data with a JSON-LD
processor (pyld): both are what a feed reader or a search engine would do with them.
"""

import datetime

import feedparser
import pytest

from cases.models import Case, CaseOrigin, Publication
from tests import test_showcase
from tests.test_showcase import PUBLISHED_AT

# The best-practice fixtures of the showcase tests.
make_page = test_showcase.make_page
miami_workshop = test_showcase.miami_workshop

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
