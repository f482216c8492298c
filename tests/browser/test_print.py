"""Printing: Chromium's --print-to-pdf of the home page, a region, a state and a filtered case
list holds the page's content and its address, and no navigation, form control or button.

The PDF's text comes from pdftotext (poppler-utils). Runs once in CI, with the browser tests.
"""

import datetime
import shutil
import subprocess

import pytest

from cases.models import Theme
from tests.browser.conftest import CHROMIUM

pytestmark = pytest.mark.django_db(transaction=True)

# Words that only the navigation, the header search, the filter form or buttons carry.
NOT_PRINTED = [
    "Skip to content",
    "Open data",
    "Apply filters",
    "Filter cases",
    "Clear all",
    "All regions",
    "Any year",
    "Download this list",
    "Newest first",
    "Cases, partners, places",
    "日本語",
    "All best practices",
    "Explore the record",
]


@pytest.fixture
def register(make_case):
    energy = Theme.objects.get(slug="energy")
    for n in range(6):
        make_case(
            title_en=f"Miami energy seminar {n}",
            start_date=datetime.date(2019 + n % 5, 6, 1),
            themes=[energy],
        )
    make_case(title_en="Guam workshop", region="hagatna", state="GU", city_en="Hagåtña")


def print_to_pdf(url: str, path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--virtual-time-budget=8000",
            f"--print-to-pdf={path}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/", "Grassroots Portal"),
        ("/en/regions/miami/", "Miami energy seminar"),
        ("/en/states/GU/", "Guam workshop"),
        ("/en/cases/?region=miami&theme=energy", "Miami energy seminar 0"),
    ],
)
def test_a_printed_page_has_its_content_and_address_and_nothing_to_click(
    live_server, register, tmp_path, path, expected
):
    text = print_to_pdf(live_server.url + path, tmp_path / "page.pdf")
    assert expected in text
    assert "Printed from:" in text
    assert path.split("?")[0] in text.replace("\n", "")
    for words in NOT_PRINTED:
        assert words not in text, f"{words!r} is printed on {path}"
    assert "Search" not in text.replace("Search the register", "")
