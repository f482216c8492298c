"""One voice for the figures: the browser says how many public cases of how many held, one
"How we count" page linked from every list and chart, whole-number axes, Japanese notes
without stray spaces, and titles that name each filter once."""

import datetime
import re

import pytest
from django.utils import translation

from cases import stats
from cases.figures.charts import build_charts

LIST = "/en/cases/"


@pytest.fixture
def register(make_case):
    make_case(title_en="Public one", start_date=datetime.date(2024, 5, 1))
    make_case(title_en="Public two", start_date=datetime.date(2023, 5, 1))
    make_case(title_en="Not listed", is_public=False)
    make_case(title_en="Draft", status="draft", is_public=False)


@pytest.mark.django_db
class TestOneVoice:
    def test_the_browser_says_public_of_held_and_links_how_we_count(self, client, register):
        html = client.get(LIST).text
        assert "2 public cases of 3 held" in html
        assert 'href="/en/how-we-count/">How we count</a>' in html

    def test_the_how_we_count_page_in_both_languages(self, client, register):
        english = client.get("/en/how-we-count/")
        assert english.status_code == 200
        assert "3 held cases; 2 of them are public" in english.text
        japanese = client.get("/ja/how-we-count/").text
        assert "Only held cases that HQ has reviewed count" not in japanese

    def test_every_chart_links_how_we_count_instead_of_repeating_the_rules(self, client, db):
        html = client.get("/en/dashboard/").text
        cards = html.count('class="chart-card ')
        assert cards >= 3
        assert html.count('class="chart-how" href="/en/how-we-count/"') == cards
        # Said once for the page at most, no longer under each chart.
        assert html.count("Non-public cases are counted but not listed") <= 1

    def test_japanese_notes_have_no_space_between_sentences(self, register):
        with translation.override("ja"):
            for chart in build_charts(["fiscal-year", "region", "theme", "state-map"], stats.ALL):
                assert not re.search(r"[。）] ", chart.note), chart.note

    def test_counts_axes_have_whole_steps_when_small(self, register):
        chart = build_charts(["fiscal-year"], stats.Filters(region="miami"))[0]
        layout = chart.figure["layout"]
        assert layout["yaxis"]["dtick"] == 1
        assert layout["yaxis"]["tickformat"] == ",d"

    def test_a_title_names_each_filter_once(self, client, register):
        html = client.get(LIST + "?from=2024&to=2024&state=FL").text
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.startswith("Cases (FY2024, Florida)")
