"""The dashboard's chart cards are made once per generation, language, host and filter set
(`dashboard.cards.chart_cards`), and what is kept is what would have been made.

The figure cache is off in these tests (PORTAL_FIGURE_CACHE=False), so every request runs the
view: only the worker's memo of the cards can answer the second time.
"""

import pytest

from cases import stats
from cases.figures import freshness, reference
from cases.figures.charts import CHART_SLUGS, build_charts
from cases.reference import load_reference_data
from dashboard import cards


@pytest.fixture
def builds(monkeypatch):
    """How many times the cards were made afresh, by filters."""
    made = []

    def counting(slugs, filters, counts=None):
        made.append(filters)
        return build_charts(slugs, filters, counts)

    monkeypatch.setattr(cards, "build_charts", counting)
    return made


@pytest.fixture
def uncached(settings):
    settings.PORTAL_FIGURE_CACHE = False
    settings.ALLOWED_HOSTS = ["testserver", "portal.example"]


def _cards(html: str) -> str:
    start = html.index('<div class="dashboard-charts">')
    return html[start : html.index("<script src=", start)]


@pytest.mark.django_db(transaction=True)
def test_cards_are_made_once_per_generation_language_host_and_filters(
    client, make_case, uncached, builds
):
    load_reference_data()
    make_case(region="miami", state="FL")
    freshness.bump_generation()

    first = client.get("/en/dashboard/").content.decode()
    second = client.get("/en/dashboard/").content.decode()
    assert builds == [stats.ALL]  # the second request reused the markup
    assert _cards(first) == _cards(second)

    client.get("/ja/dashboard/")
    client.get("/en/dashboard/?region=miami")
    client.get("/en/dashboard/?region=miami")
    other_host = client.get("/en/dashboard/", HTTP_HOST="portal.example").content.decode()
    assert builds == [stats.ALL, stats.ALL, stats.Filters(region="miami"), stats.ALL]
    assert "http://portal.example/en/dashboard/embed/" in _cards(other_host)
    assert "http://testserver/" not in _cards(other_host)

    make_case(region="new-york", state="NY")
    freshness.bump_generation()  # what the write service does after its commit
    third = client.get("/en/dashboard/").content.decode()
    assert len(builds) == 5
    assert _cards(third) != _cards(first)  # New York now has a case


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/dashboard/", "/ja/dashboard/?from=2024&region=miami"])
def test_kept_cards_equal_cards_made_afresh(client, make_case, uncached, rf, url):
    make_case(region="miami", state="FL")
    freshness.flush()
    html = client.get(url).content.decode()
    page = client.get(url)
    request = page.wsgi_request
    filters = stats.Filters.from_query(request.GET)
    fresh = cards.render_to_string(
        "dashboard/includes/charts.html",
        {"charts": build_charts(CHART_SLUGS, filters)},
        request,
    )
    assert fresh.strip()
    assert fresh in html


@pytest.mark.django_db(transaction=True)
def test_only_the_most_recently_used_are_kept(monkeypatch):
    load_reference_data()
    monkeypatch.setattr(reference, "RECENT_LIMIT", 3)
    made = []

    def value(key):
        return reference.remembered_recently(key, lambda: made.append(key) or key.upper())

    for key in ("a", "b", "c", "a", "d"):  # "a" is used again, so "b" is the oldest
        assert value(key) == key.upper()
    assert made == ["a", "b", "c", "d"]
    value("a"), value("c"), value("d")
    assert made == ["a", "b", "c", "d"]
    value("b")
    assert made == ["a", "b", "c", "d", "b"]


@pytest.mark.django_db
def test_nothing_is_kept_across_requests_inside_a_transaction(client, make_case, uncached, builds):
    """Tests (and requests that write) run inside a transaction: uncommitted figures must not
    reach another request, so each request makes its cards."""
    make_case(region="miami", state="FL")
    client.get("/en/dashboard/")
    client.get("/en/dashboard/")
    assert builds == [stats.ALL, stats.ALL]


@pytest.mark.django_db(transaction=True)
def test_with_kept_figures_a_repeat_request_reads_no_tally(client, make_case, uncached):
    """The headline, the filtered total and the data date are kept with the cards: a repeat
    request of the same filters reads no tally row at all, and shows what the first showed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load_reference_data()
    make_case(region="miami", state="FL")
    freshness.bump_generation()
    for url in ("/en/dashboard/", "/en/dashboard/?region=miami"):
        first = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url).content.decode()
        tally = [q["sql"] for q in queries.captured_queries if "tally" in q["sql"].lower()]
        assert tally == []
        assert second == first


@pytest.mark.django_db(transaction=True)
def test_figures_are_not_made_again_per_request(client, make_case, uncached, monkeypatch):
    """Nothing that follows from the figures is made on a repeat request: no chart, no card
    markup, no headline, no UTF-8 encoding or compression of the cards."""
    from cases.figures import assembled

    load_reference_data()
    make_case(region="miami", state="FL")
    freshness.bump_generation()
    calls = {"headline": 0, "render": 0, "piece": 0, "deflate": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(cards.stats, "headline", counted("headline", stats.headline))
    monkeypatch.setattr(cards, "render_to_string", counted("render", cards.render_to_string))
    monkeypatch.setattr(cards, "Piece", counted("piece", assembled.Piece))
    monkeypatch.setattr(
        assembled, "deflate_segment", counted("deflate", assembled.deflate_segment)
    )
    gzip_first = client.get("/en/dashboard/", headers={"accept-encoding": "gzip"})
    # Two templates rendered once: the cards and the headline section.
    assert calls == {"headline": 1, "render": 2, "piece": 1, "deflate": 1}
    for headers in ({"accept-encoding": "gzip"}, {}, {"accept-encoding": "gzip, br"}):
        client.get("/en/dashboard/", headers=headers)
    assert calls == {"headline": 1, "render": 2, "piece": 1, "deflate": 1}
    assert gzip_first["Content-Encoding"] == "gzip"
