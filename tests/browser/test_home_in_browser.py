"""The front page in a real browser."""

import datetime

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def register(make_case):
    make_case(start_date=datetime.date(2024, 6, 1))
    make_case(start_date=datetime.date(2023, 6, 1))


def test_home_shows_the_figures_and_switches_language(page, register):
    page.goto(f"{page.base_url}/en/")
    assert page.locator(".figure-number").first.inner_text() == "2"
    page.get_by_role("link", name="日本語").click()
    page.wait_for_url("**/ja/")
    assert page.locator("html").get_attribute("lang") == "ja"


def test_home_has_no_serious_accessibility_violations(page, axe, register):
    page.goto(f"{page.base_url}/en/")
    assert axe(page) == []
