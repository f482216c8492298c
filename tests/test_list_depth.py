"""Lists are paged up to their first PORTAL_LIST_DEPTH cases (cases.listing): deeper pages
would cost an OFFSET over most of a large table. The count stays the real total, the last
reachable page says why it is the last, and the API answers a deeper page with a 404, as
a page beyond the last."""

import json

import pytest


def made(make_case, count: int, title: str) -> None:
    for number in range(count):
        make_case(title_en=f"{title} {number:02d}")


@pytest.fixture
def many(make_case, settings):
    settings.PORTAL_LIST_DEPTH = 40  # two pages of 20
    made(make_case, 45, "Case")


@pytest.mark.django_db
def test_the_browser_pages_up_to_the_depth_and_says_why(client, many):
    page = client.get("/en/cases/?page=2").content.decode()
    assert "45 cases" in page
    assert "(21–40 shown)" in page  # the page's own cases, not up to the 45th
    assert "Lists are shown page by page up to their first 40 cases" in page
    assert 'rel="next"' not in page
    assert "?page=3" not in page
    deeper = client.get("/en/cases/?page=3").content.decode()
    assert "Lists are shown page by page up to their first 40 cases" in deeper
    assert '<span aria-current="page">2</span>' in deeper
    first = client.get("/en/cases/").content.decode()
    assert "up to their first" not in first
    assert "?page=2" in first


@pytest.mark.django_db
def test_the_notice_is_in_japanese_too(client, many):
    page = client.get("/ja/cases/?page=2").content.decode()
    assert "Lists are shown" not in page
    assert "一覧はページごとに先頭の40件まで表示します" in page


@pytest.mark.django_db
def test_a_list_within_the_depth_is_paged_to_its_end(client, many, settings):
    settings.PORTAL_LIST_DEPTH = 10_000
    page = client.get("/en/cases/?page=3").content.decode()
    assert '<span aria-current="page">3</span>' in page
    assert "up to their first" not in page


@pytest.mark.django_db
def test_the_api_refuses_a_page_beyond_the_depth(client, many):
    response = client.get("/api/v1/cases/?page=2&page_size=20")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["count"] == 45
    assert body["next"] is None
    assert body["previous"]
    deeper = client.get("/api/v1/cases/?page=3&page_size=20")
    assert deeper.status_code == 404
    assert "first 40 cases" in deeper.content.decode()
    assert client.get("/api/v1/cases/?page=5&page_size=10").status_code == 404
    assert client.get("/api/v1/cases/?page=4&page_size=10").status_code == 200


@pytest.fixture
def searched(make_case, settings):
    settings.PORTAL_LIST_DEPTH = 100
    settings.PORTAL_SEARCH_DEPTH = 20  # one page of 20
    made(make_case, 25, "Workshop")


@pytest.mark.django_db
def test_a_text_search_is_paged_and_counted_to_its_own_shallower_depth(client, searched):
    """A search's count tests each case's text, so it goes less deep than other lists."""
    page = client.get("/en/cases/?q=workshop").content.decode()
    assert "More than 20 cases" in page
    assert "Lists are shown page by page up to their first 20 cases" in page
    assert "?q=workshop&amp;page=2" not in page
    listed = client.get("/en/cases/").content.decode()
    assert "25 cases" in listed
    assert "?page=2" in listed
    japanese = client.get("/ja/cases/?q=workshop").content.decode()
    assert "20件超" in japanese


@pytest.mark.django_db
def test_the_api_pages_a_text_search_to_its_depth(client, searched):
    body = json.loads(client.get("/api/v1/cases/?q=workshop&page_size=20").content)
    assert body["count"] == 20
    assert body["count_exact"] is False
    assert body["next"] is None
    deeper = client.get("/api/v1/cases/?q=workshop&page=2&page_size=20")
    assert deeper.status_code == 404
    assert "first 20 cases" in deeper.content.decode()
    plain = json.loads(client.get("/api/v1/cases/?page_size=20").content)
    assert plain["count"] == 25
    assert plain["next"]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["title", "region"])
def test_a_search_beyond_its_depth_is_listed_newest_first_and_says_so(client, searched, sort):
    """Title or region order would read and sort every match of a wide search."""
    response = client.get("/en/cases/", {"q": "workshop", "sort": sort})
    html = response.content.decode()
    assert "This search has more than 20 cases, so they are listed newest first" in html
    assert response.context["sort"] == "newest"
    dates = [case.start_date for case in response.context["cases"]]
    assert dates == sorted(dates, reverse=True)
    japanese = client.get("/ja/cases/", {"q": "workshop", "sort": sort}).content.decode()
    assert "この検索結果は20件を超えるため、新しい順に表示しています。" in japanese
    body = json.loads(client.get("/api/v1/cases/", {"q": "workshop", "sort": sort}).content)
    assert body["sort"] == "newest"


@pytest.mark.django_db
def test_a_search_within_its_depth_and_a_plain_list_keep_their_order(client, searched):
    narrow = client.get("/en/cases/", {"q": "workshop 0", "sort": "title"})
    assert narrow.context["sort"] == "title"
    titles = [case.title_en for case in narrow.context["cases"]]
    assert titles == sorted(titles)
    assert "listed newest first" not in narrow.content.decode()
    plain = client.get("/en/cases/", {"sort": "title"})
    assert plain.context["sort"] == "title"
    body = json.loads(client.get("/api/v1/cases/", {"q": "workshop 0", "sort": "title"}).content)
    assert body["sort"] == "title"
    assert json.loads(client.get("/api/v1/cases/").content)["sort"] == "newest"
