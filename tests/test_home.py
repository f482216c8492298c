"""The front page: headline figures from the stats module, in both languages."""

import datetime

import pytest


@pytest.fixture
def register(make_case):
    make_case(start_date=datetime.date(2023, 5, 1))
    make_case(start_date=datetime.date(2024, 5, 1), is_public=False)
    make_case(start_date=datetime.date(2024, 6, 1))
    make_case(start_date=datetime.date(2024, 6, 1), status="draft")


@pytest.mark.django_db
def test_bare_root_redirects_to_english(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"), [("en", "cases held in FY2024"), ("ja", "2024年度")]
)
def test_home_shows_headline_figures_from_the_stats_module(client, register, language, phrase):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert response.context["headline"].total == 3
    assert response.context["headline"].latest_cases == 2
    assert phrase in response.text
    assert f'<html lang="{language}">' in response.text


@pytest.mark.django_db
def test_language_switch_points_to_the_same_page_in_the_other_language(client, register):
    response = client.get("/en/?from=2020")
    assert 'href="/ja/?from=2020"' in response.text


@pytest.mark.django_db
def test_home_with_an_empty_register_says_so(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert "No cases have been recorded yet." in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/ja/dashboard/", "/en/cases/", "/en/regions/"])
def test_every_page_carries_opengraph_tags(client, path):
    text = client.get(path).text
    assert '<meta property="og:title"' in text
    assert '<meta property="og:description"' in text
