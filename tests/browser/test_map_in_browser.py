"""The case map in a real browser: California, Connecticut and Idaho are drawn as two district
parts along the right county lines, hovering or focusing a shape names it with its count, a
click opens its page, and the district view colours whole districts; also on a phone."""

import datetime
import json
import re

import pytest

from cases import geo

pytestmark = pytest.mark.django_db(transaction=True)

# A county well inside each district's part of each split state: (FIPS, state, region).
SAMPLES = [
    ("06071", "CA", "los-angeles"),  # San Bernardino
    ("06025", "CA", "los-angeles"),  # Imperial
    ("06029", "CA", "san-francisco"),  # Kern
    ("06019", "CA", "san-francisco"),  # Fresno
    ("06093", "CA", "san-francisco"),  # Siskiyou
    ("09001", "CT", "new-york"),  # Fairfield
    ("09003", "CT", "boston"),  # Hartford
    ("09011", "CT", "boston"),  # New London
    ("16055", "ID", "seattle"),  # Kootenai
    ("16049", "ID", "portland"),  # Idaho County: Portland's, the first south of the line
    ("16001", "ID", "portland"),  # Ada
]


def inner_point(path: str) -> tuple[float, float]:
    """The mean of a county outline's vertices: inside a compact county."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    return sum(xs) / len(xs), sum(ys) / len(ys)


@pytest.fixture
def register(make_case):
    for region, state, county, n in [
        ("los-angeles", "CA", "06037", 3),
        ("san-francisco", "CA", "06085", 1),
        ("new-york", "CT", "09001", 2),
        ("boston", "CT", "09003", 1),
        ("seattle", "ID", "16055", 1),
        ("portland", "ID", "16001", 4),
    ]:
        for index in range(n):
            make_case(
                title_en=f"{region} case {index}",
                region=region,
                state=state,
                county=county,
                start_date=datetime.date(2024, 6, 1 + index),
            )


def shape_at(page, view: str, point) -> dict:
    """The map shape drawn at an SVG point of one view: its key, region and label."""
    return page.evaluate(
        """([view, x, y]) => {
            const svg = document.querySelector(`svg.us-map-svg[data-view="${view}"]`);
            const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
            const hit = document.elementFromPoint(p.x, p.y);
            const link = hit && hit.closest("a.us-map-shape");
            return link ? {key: link.dataset.key, region: link.dataset.region,
                           label: link.dataset.label} : null;
        }""",
        [view, *point],
    )


def test_split_states_are_drawn_in_their_districts_parts(page, register):
    page.goto(f"{page.base_url}/en/dashboard/")
    page.locator("svg.us-map-svg[data-view='states']").scroll_into_view_if_needed()
    atlas = json.loads(geo.MAP_FILE.read_text())
    for fips, state, region in SAMPLES:
        found = shape_at(page, "states", inner_point(atlas["counties"][fips]["d"]))
        assert found is not None, fips
        assert (found["key"], found["region"]) == (f"{state}:{region}", region), fips
    # The two parts carry their own districts' counts.
    labels = {
        key: page.locator(f'svg[data-view="states"] a[data-key="{key}"]').get_attribute(
            "data-label"
        )
        for key in ("CA:los-angeles", "CA:san-francisco", "ID:portland", "ID:seattle")
    }
    assert labels["CA:los-angeles"] == "California (Los Angeles district): 3 cases"
    assert labels["CA:san-francisco"] == "California (San Francisco district): 1 case"
    assert labels["ID:portland"] == "Idaho (Portland district): 4 cases"
    # A red line divides each split state.
    for state in ("CA", "CT", "ID"):
        assert page.locator(f'.us-map-district-lines use[data-state="{state}"]').count() == 2


def test_hover_and_focus_name_the_shape_and_click_opens_its_page(page, register):
    page.goto(f"{page.base_url}/en/dashboard/")
    tooltip = page.locator(".us-map-tooltip")
    texas = page.locator('svg[data-view="states"] a[data-key="TX"]')
    texas.hover()
    assert tooltip.text_content() == "Texas: 0 cases"
    assert tooltip.is_visible()
    idaho = page.locator('svg[data-view="states"] a[data-key="ID:portland"]')
    idaho.focus()
    assert tooltip.text_content() == "Idaho (Portland district): 4 cases"
    idaho.press("Enter")
    page.wait_for_url("**/en/states/ID/")


def test_district_view_colours_whole_districts(page, register):
    page.goto(f"{page.base_url}/ja/dashboard/")
    page.locator("label[for=us-map-districts]").click()
    districts = page.locator("svg.us-map-svg[data-view='districts']")
    districts.scroll_into_view_if_needed()
    assert districts.is_visible()
    assert not page.locator("svg.us-map-svg[data-view='states']").is_visible()
    atlas = json.loads(geo.MAP_FILE.read_text())
    for fips, _state, region in SAMPLES:
        found = shape_at(page, "districts", inner_point(atlas["counties"][fips]["d"]))
        assert found is not None, fips
        assert found["key"] == region, fips
    link = districts.locator('a[data-key="portland"]')
    assert link.get_attribute("data-label") == "ポートランド: 4件"
    link.click()
    page.wait_for_url("**/ja/regions/portland/")


def test_map_fits_a_phone(page, register):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/ja/dashboard/")
    svg = page.locator("svg.us-map-svg[data-view='states']")
    box = svg.bounding_box()
    assert box["width"] <= 390
    assert box["width"] >= 300  # the map takes the phone's width, not a thumbnail
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390
