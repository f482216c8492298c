"""Done-when of issue 11: the Japanese public site, crawled over the demo data, shows no English
city name where a Japanese one exists and no English sentence.

Text the page marks as English (`lang="en"`: the language switch, a text shown in English only
with its marker) is not Japanese text and is left out; so are scripts, styles and attributes.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import transaction

from cases.models import Case
from demo.writer import load_demo_data

# Three or more Latin-alphabet words in a row: an English phrase or sentence.
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’.-]*(?:[ ,]+[A-Za-z][A-Za-z'’.-]*){2,}")
# Proper nouns and codes with no Japanese form that may stand in Japanese text.
ALLOWED = [
    re.compile(pattern)
    for pattern in (
        r"^Grassroots Portal$",
        r"^Japan[–-]US$",
        r"^CSV$|^JSON$|^API$|^PDF$|^Excel$|^XLSX?$|^PNG$|^SVG$|^USPS$|^FIPS$",
        r"^U\.S\. Census Bureau",
        r"^Action Plan",
        r"^OpenAPI",
    )
]
# The open-data page documents the import columns; for the English-language columns its help
# gives literal sample values to type (city_en "Miami", county "Los Angeles County"): data
# values, not Japanese text left untranslated.
SAMPLE_VALUES = {"/ja/data/": {"Los Angeles County", "Los Angeles", "Miami"}}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class VisibleText(HTMLParser):
    """The text of a page a reader sees in Japanese: not in script/style/title-less parts, not
    inside an element marked lang="en", and the links on it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in VOID:
            return
        hidden = tag in ("script", "style", "template", "textarea") or (
            attrs.get("lang", "").startswith("en")
        )
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not any(hidden for _tag, hidden in self.stack):
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def english_runs(text: str) -> list[str]:
    found = []
    for match in ENGLISH_RUN.finditer(text):
        phrase = match.group(0).strip(" ,.")
        if not any(pattern.search(phrase) for pattern in ALLOWED):
            found.append(phrase)
    return found


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_data()
        yield
        transaction.set_rollback(True)


def _crawl(client, start: list[str], limit: int = 400) -> dict[str, VisibleText]:
    """Pages reachable from `start` on /ja/, without query strings, up to `limit`."""
    seen, pages, queue = set(start), {}, deque(start)
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        pages[path] = parser
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or parts.query or not parts.path.startswith("/ja/"):
                continue
            if parts.path.startswith(("/ja/cases/", "/ja/api/")) and parts.path != "/ja/cases/":
                continue  # case pages are checked one by one below; the API is JSON
            if parts.path not in seen:
                seen.add(parts.path)
                queue.append(parts.path)
    return pages


@pytest.mark.django_db
def test_japanese_public_pages_have_no_english_cities_or_sentences(client, demo_site):
    public = list(Case.objects.public().select_related("state").exclude(city_ja="").order_by("pk"))
    english_cities = sorted(
        {case.city_en for case in public if case.city_en and case.city_en != case.city_ja},
        key=len,
        reverse=True,
    )
    city_pattern = re.compile(
        r"(?<![A-Za-z])(" + "|".join(re.escape(city) for city in english_cities) + r")(?![A-Za-z])"
    )
    pages = _crawl(client, ["/ja/"])
    for case in public:
        path = f"/ja/cases/{case.pk}/"
        parser = VisibleText()
        parser.feed(client.get(path).content.decode())
        pages[path] = parser
    assert len(pages) > len(public)  # the crawl found the site's other pages too
    assert "/ja/dashboard/compare/" in pages  # the comparison, linked from the dashboard

    problems = []
    for path, parser in pages.items():
        text = parser.text
        samples = SAMPLE_VALUES.get(path, set())
        problems += [
            f"{path}: English city {m}" for m in city_pattern.findall(text) if m not in samples
        ]
        problems += [
            f"{path}: English text “{phrase}”"
            for phrase in english_runs(text)
            if phrase not in samples
        ]
    assert not problems, "\n".join(sorted(set(problems))[:60])
