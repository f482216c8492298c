"""Issue 16 in a real browser: the home grids leave no card alone on a last row, the
fiscal-year charts use short labels on a phone, and the schema.org data sits in the page
under the strict Content Security Policy without a violation (the `page` fixture fails on one).
"""

import io
import json

import pytest
from django.core.management import call_command

from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [390, 700, 900, 1280]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def _rows(page, selector) -> list[int]:
    """How many of the grid's items sit on each row, top to bottom."""
    tops = page.locator(selector).evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    rows: dict[int, int] = {}
    for top in tops:
        rows[top] = rows.get(top, 0) + 1
    return [rows[top] for top in sorted(rows)]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_card_is_left_alone_on_the_home_pages_last_row(page, demo, language):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{page.base_url}/{language}/")
        for selector in (".explore-list > li", ".showcase-grid > *"):
            rows = _rows(page, selector)
            assert sum(rows) > 1, selector
            assert len(rows) == 1 or rows[-1] > 1 or max(rows) == 1, (width, selector, rows)


def _ticks(page) -> list[str]:
    chart = page.locator(".chart-plot--fiscal-year.chart-plot--drawn").first
    chart.wait_for()
    return chart.locator(".xtick text").all_text_contents()


@pytest.mark.parametrize(
    ("language", "short", "full"),
    [("en", "FY17", "FY2017"), ("ja", "17年度", "2017年度（平成29年度）")],
)
def test_fiscal_year_labels_are_short_on_a_phone(page, demo, language, short, full):
    for path in ("dashboard/", "states/GU/"):
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(f"{page.base_url}/{language}/{path}")
        assert _ticks(page)[0] == short, path
        # Turned to a wide screen, the same chart goes back to the full labels.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_function(
            "() => document.querySelector('.chart-plot--fiscal-year')"
            ".getAttribute('data-short-ticks') === 'false'"
        )
        page.wait_for_timeout(100)
        assert _ticks(page)[0] == full, path


def test_the_event_data_is_in_the_page_and_breaks_no_policy(page, demo):
    case = Case.objects.public().filter(is_best_practice=True).order_by("pk").first()
    for path in (f"/en/cases/{case.pk}/", f"/ja/showcase/{case.showcase_page.slug}/"):
        page.goto(f"{page.base_url}{path}")
        texts = page.locator('script[type="application/ld+json"]').all_text_contents()
        assert len(texts) == 1, path
        event = json.loads(texts[0])
        assert event["@type"] == "Event"
        assert event["location"]["address"]["addressCountry"] == "US"


@pytest.mark.parametrize("path", ["/en/regions/san-francisco/", "/ja/dashboard/"])
def test_a_printed_chart_fits_the_paper_instead_of_being_cut_off(page, demo, path):
    page.goto(f"{page.base_url}{path}")
    page.locator(".chart-plot--fiscal-year.chart-plot--drawn").wait_for()
    # Paper is narrower than the screen the chart was drawn for, and printing resizes no
    # window, so plotly does not redraw: the page is narrowed the same way here.
    page.emulate_media(media="print")
    page.evaluate("() => { document.querySelector('main').style.width = '700px'; }")
    overflow = page.locator(".chart-plot.chart-plot--drawn").evaluate_all(
        """charts => charts.map(chart => {
            const box = chart.getBoundingClientRect();
            return Math.max(...Array.from(chart.querySelectorAll("svg.main-svg"))
                .map(svg => svg.getBoundingClientRect().right - box.right));
        })"""
    )
    assert overflow, path
    assert max(overflow) <= 1, overflow
