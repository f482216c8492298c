"""Figure pages and the stats API carry an ETag; a matching If-None-Match gets a bodiless 304,
and any committed change to the cases gives every page a new ETag on the very next request."""

import datetime

import pytest

from cases.models import Case, CaseFormat, CaseStatus, Publication, Region, State

pytestmark = pytest.mark.django_db

PAGES = [
    "/en/dashboard/",
    "/en/dashboard/?region=miami&from=2020",
    "/en/regions/",
    "/en/regions/miami/",
    "/en/states/",
    "/en/states/FL/",
    "/api/v1/stats/region/",
    "/api/v1/stats/fiscal-year/?from=2020",
    "/api/v1/stats/state/",
    "/api/v1/stats/theme/",
]
# Lists of cases are cached and revalidated the same way.
LISTS = ["/en/cases/", "/api/v1/cases/", "/api/v1/cases/?region=miami&page_size=5"]


def _publish(start=datetime.date(2024, 10, 1)) -> Case:
    case = Case(
        title_en="New case",
        start_date=start,
        region=Region.objects.get(code="miami"),
        state=State.objects.get(code="FL"),
        format=CaseFormat.WORKSHOP,
        status=CaseStatus.HELD,
        publication=Publication.APPROVED,
    )
    case.save()
    return case


@pytest.mark.parametrize("url", PAGES + LISTS)
def test_etag_and_304(client, url):
    _publish()
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Another ETag is no match.
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_published_case_gives_a_new_etag_and_fresh_figures(
    client, url, django_capture_on_commit_callbacks
):
    first = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(datetime.date(2020, 5, 1))
    second = client.get(url, headers={"if-none-match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.content != first.content  # new totals, not the cached page


def test_languages_and_queries_have_their_own_etags(client):
    en = client.get("/en/dashboard/")["ETag"]
    ja = client.get("/ja/dashboard/")["ETag"]
    filtered = client.get("/en/dashboard/?region=miami")["ETag"]
    assert len({en, ja, filtered}) == 3
    # The same query in another order is the same page.
    a = client.get("/en/dashboard/?region=miami&from=2020")["ETag"]
    b = client.get("/en/dashboard/?from=2020&region=miami")["ETag"]
    assert a == b
    # An English ETag does not answer for the Japanese page.
    assert client.get("/ja/dashboard/", headers={"if-none-match": en}).status_code == 200


def test_cached_pages_keep_their_language_and_links(client):
    """Served from the cache, each language's page keeps its own language switch links."""
    for _ in range(2):  # the second round comes from the cache
        en = client.get("/en/dashboard/?region=miami").text
        ja = client.get("/ja/dashboard/?region=miami").text
        assert '<html lang="en">' in en
        assert '<html lang="ja">' in ja
        assert 'href="/ja/dashboard/?region=miami"' in en
        assert 'href="/en/dashboard/?region=miami"' in ja


def test_signed_in_users_get_neither_the_cache_nor_an_etag(hq_client):
    from django.test import Client

    # A separate anonymous client: pytest-django's `client` is the object hq_client logs in.
    anonymous = Client()
    assert anonymous.get("/en/dashboard/").has_header("ETag")  # now in the cache
    response = hq_client.get("/en/dashboard/")
    assert response.status_code == 200
    assert not response.has_header("ETag")


def test_a_304_needs_no_data_query(client):
    etag = client.get("/en/dashboard/")["ETag"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_query_counts import data_queries

    with CaptureQueriesContext(connection) as context:
        assert client.get("/en/dashboard/", headers={"if-none-match": etag}).status_code == 304
    assert data_queries(context) == []


def test_the_cache_can_be_turned_off_and_etags_stay(client, settings):
    settings.PORTAL_FIGURE_CACHE = False
    etag = client.get("/en/dashboard/")["ETag"]
    assert client.get("/en/dashboard/", headers={"if-none-match": etag}).status_code == 304


@pytest.mark.parametrize("url", LISTS)
def test_a_changed_case_gives_the_cached_lists_a_new_etag_at_once(client, make_case, url):
    make_case(title_en="First case", region="miami")
    first = client.get(url)
    assert client.get(url).content == first.content  # from the cache
    make_case(title_en="Brand new case", region="miami")
    again = client.get(url)
    assert again["ETag"] != first["ETag"]
    assert "Brand new case" in again.content.decode()


@pytest.mark.parametrize("url", ["/en/dashboard/", "/ja/dashboard/", "/api/v1/stats/theme/"])
def test_cached_copies_are_sent_gzip_compressed_to_clients_that_accept_it(client, url):
    import gzip

    plain = client.get(url)  # fills the cache; the test client asks for no encoding
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]

    for _ in range(2):  # the copy just stored, then a hit
        packed = client.get(url, headers={"accept-encoding": "gzip, br"})
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        assert gzip.decompress(packed.content) == plain.content
        assert len(packed.content) < len(plain.content) / 2
        # The compressed copy carries the weak form of the same tag, and matches it.
        assert packed["ETag"] == f"W/{plain['ETag']}"
    again = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]})
    assert again.status_code == 304


def _stored_page(url, language):
    """The cache key and stored copy `(generation, compressed body, headers)` of an anonymous
    page, or None."""
    from django.core.cache import cache
    from django.test import RequestFactory
    from django.utils import translation

    from cases.figures.caching import page_key

    with translation.override(language):
        key = page_key(RequestFactory().get(url))
    return key, cache.get(key)


HIT_PAGES = [("/en/dashboard/", "en"), ("/ja/dashboard/", "ja"), ("/api/v1/stats/region/", "en")]


@pytest.mark.parametrize(("url", "language"), HIT_PAGES)
@pytest.mark.parametrize("encoding", ["gzip, br", None])
def test_a_cache_hit_has_the_headers_and_body_of_the_first_answer(client, url, language, encoding):
    """The first answer renders the page and stores it; the second comes from the store and
    must be the same, header for header (only the request id differs)."""
    from django.core.cache import cache

    headers = {"accept-encoding": encoding} if encoding else {}
    first = client.get(url, headers=headers)
    key, stored = _stored_page(url, language)
    assert stored is not None  # the first answer was stored
    second = client.get(url, headers=headers)
    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    assert second.cookies == first.cookies == {}

    def _headers(response):
        return {name: value for name, value in response.items() if name != "X-Request-ID"}

    assert _headers(second) == _headers(first)
    assert first["X-Request-ID"] != second["X-Request-ID"]
    for name in ("Content-Security-Policy", "X-Frame-Options", "Vary", "ETag", "Cache-Control"):
        assert second.has_header(name), name
    # And the second answer really is the stored copy.
    generation, _compressed, kept = stored
    import gzip

    cache.set(key, (generation, gzip.compress(b"stored copy 7f3a"), kept))
    third = client.get(url, headers=headers)
    body = third.content if not encoding else gzip.decompress(third.content)
    assert body == b"stored copy 7f3a"


def test_a_signed_in_user_never_gets_the_cached_copy(hq_client):
    import gzip

    from django.core.cache import cache
    from django.test import Client

    client = Client()  # anonymous: the `client` fixture is the one hq_client signs in
    client.get("/en/dashboard/")
    key, (generation, _compressed, kept) = _stored_page("/en/dashboard/", "en")
    cache.set(key, (generation, gzip.compress(b"stored copy 7f3a"), kept))
    assert (
        client.get("/en/dashboard/").content == b"stored copy 7f3a"
    )  # anonymous: the stored copy
    for headers in ({}, {"accept-encoding": "gzip"}):
        response = hq_client.get("/en/dashboard/", headers=headers)
        assert response.status_code == 200
        # Compressed when the client accepts it, as every HTML answer is, but made afresh.
        assert response.get("Content-Encoding") == headers.get("accept-encoding")
        body = gzip.decompress(response.content) if headers else response.content
        assert b"stored copy 7f3a" not in body
        assert b'<div class="dashboard-charts">' in body


@pytest.mark.parametrize(("url", "language"), HIT_PAGES)
def test_a_change_shows_on_the_next_request_without_revalidation(
    client, url, language, django_capture_on_commit_callbacks
):
    """A stored page is kept under a key without the generation; a page stored for an older
    generation must not be served."""
    first = client.get(url)
    assert client.get(url).content == first.content  # a hit
    with django_capture_on_commit_callbacks(execute=True):
        _publish(datetime.date(2020, 5, 1))
    second = client.get(url)
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.content != first.content
    generation, _compressed, _kept = _stored_page(url, language)[1]
    from cases.figures.freshness import generation as current

    assert generation == current()  # stored again for the new generation
