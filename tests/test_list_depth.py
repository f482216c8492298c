"""Lists are paged up to their first PORTAL_LIST_DEPTH cases (cases.listing): deeper pages
would cost an OFFSET over most of a large table. The count stays the real total, the last
reachable page says why it is the last, and the API answers a deeper page with a 404, as
a page beyond the last."""

import json

import pytest


@pytest.fixture
def many(make_case, settings):
    settings.PORTAL_LIST_DEPTH = 40  # two pages of 20
    for number in range(45):
        make_case(title_en=f"Case {number:02d}")


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
