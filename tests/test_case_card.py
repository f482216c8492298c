"""A case in a list is drawn as a card by `{% case_card case %}` (cases.templatetags.
case_browser), written in Python: what it shows, in both languages, escaped, and with its
themes named from the case's own row (no theme query for a list)."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases.figures import freshness
from cases.models import Case, Theme

pytestmark = pytest.mark.django_db

CARD = Template("{% load case_browser %}{% case_card case %}")


def card(case, language="en") -> str:
    with translation.override(language):
        listed = Case.objects.filter(pk=case.pk).for_listing().get()
        listed.showcase_url = getattr(case, "showcase_url", None)
        return CARD.render(Context({"case": listed}))


def test_a_card_shows_the_case_and_escapes_what_staff_typed(make_case):
    case = make_case(title_en='Trade <b>"fair"</b> & more', city_en="Miami")
    html = card(case)
    assert '<time datetime="2024-10-01">1 October 2024</time>' in html
    assert '<span class="case-fy">FY2024</span>' in html
    assert (
        f'<a href="/en/cases/{case.pk}/">Trade &lt;b&gt;&quot;fair&quot;&lt;/b&gt; &amp; more</a>'
        in html
    )
    assert '<span class="case-place">Miami, Florida</span>' in html
    assert "<span>Miami district</span>" in html
    assert "<span>Workshop</span>" in html
    assert "case-themes" not in html
    assert "case-showcase" not in html
    assert "is-best-practice" not in html


def test_its_themes_follow_the_register_s_order_in_the_page_language(make_case):
    energy, culture = Theme.objects.get(slug="energy"), Theme.objects.get(slug="culture")
    case = make_case(themes=[culture, energy], is_best_practice=True)
    html = card(case)
    assert 'class="case-card is-best-practice"' in html
    chips = re.findall(r'<span class="chip[^"]*">([^<]*)</span>', html)
    ordered = [t.name_en for t in Theme.objects.filter(pk__in=[energy.pk, culture.pk])]
    assert chips == ["Best practice", *ordered]
    japanese = card(case, "ja")
    chips = re.findall(r'<span class="chip[^"]*">([^<]*)</span>', japanese)
    assert chips[1:] == [t.name_ja for t in Theme.objects.filter(pk__in=[energy.pk, culture.pk])]
    region = case.region.name_ja or case.region.name_en
    assert f"<span>{region}管轄地域</span>" in japanese
    assert f'href="/ja/cases/{case.pk}/"' in japanese


def test_a_title_in_the_other_language_alone_is_marked(make_case):
    case = make_case(title_en="", title_ja="日本語の題")
    html = card(case)
    assert '<span lang="ja">日本語の題</span>' in html


def test_a_nationwide_case_and_a_showcase_link(make_case):
    case = make_case(state=None)
    case.showcase_url = "/en/showcase/story/?a=1&b=2"
    html = card(case)
    assert "Nationwide (no single state)" in html
    assert '<a href="/en/showcase/story/?a=1&amp;b=2">Read the best-practice story</a>' in html


def test_a_list_of_cards_reads_no_themes(client, make_case, settings):
    settings.PORTAL_FIGURE_CACHE = False
    for number in range(5):
        make_case(title_en=f"Case {number}", themes=[Theme.objects.get(slug="energy")])
    freshness.flush()  # the writes counted into the tallies, as their commit would
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/en/cases/").content.decode()
    assert html.count('<span class="chip">Energy</span>') == 5
    assert not [q for q in queries.captured_queries if "cases_case_themes" in q["sql"]]
