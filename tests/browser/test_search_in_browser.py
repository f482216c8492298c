"""The header search in a real browser, over the demo register: every public page has the box,
and the Palo Alto dual-use seminar is found in either language and script."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("language", "query"),
    [("ja", "パロアルト"), ("en", "palo alto"), ("en", "DIU"), ("ja", "デュアルユース")],
)
def test_header_search_finds_the_palo_alto_seminar(page, demo, language, query):
    page.goto(f"{page.base_url}/{language}/regions/")
    box = page.locator(".site-header input[type=search]")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search/?q=**")
    stories = page.locator("#best-practices .result-list a")
    titles = stories.all_inner_texts()
    assert any("Palo Alto" in t or "パロアルト" in t for t in titles), titles
    # The case itself is listed too, and the counts in the headings match the lists.
    cases = page.locator("#cases .result-list a").all_inner_texts()
    assert any("dual-use" in t.lower() or "デュアルユース" in t for t in cases), cases
    assert page.locator("#best-practices h2 .count").inner_text() == f"({len(titles)})"
