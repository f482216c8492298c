"""The chart card is a template (dashboard/includes/chart.html) that escapes what it shows.

A chart whose words carry markup comes out as the same words on the page: as text in the
heading, caption, table and note, as attribute values in the links and aria labels, escaped
once more inside the embed code (which is shown as text), and as JSON in the one data script
that nothing can end early. Every page with cards keeps them in both languages, and no Python
module builds the card's markup by hand again.
"""

import ast
import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cases.figures.charts import CHART_SLUGS, Chart
from cases.models import Theme
from tests.test_xss import ACTIVE_ELEMENTS, problems_in

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '</script><script>alert(1)</script> "&<>'
DATA_SCRIPT = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)


def hostile_chart(**changes) -> Chart:
    """A chart with markup, quotes and ampersands in every value the card shows."""
    values = {
        "slug": "region",
        "title": f"Title {HOSTILE}",
        "note": f"Note {HOSTILE}",
        "figure": {
            "data": [{"type": "bar", "x": [HOSTILE, "b"], "y": [1, 2], "hovertext": [HOSTILE]}],
            "layout": {"title": {"text": HOSTILE}, "height": 300},
        },
        "columns": [f"Name {HOSTILE}", "Cases"],
        "rows": [[f"Row {HOSTILE}", 12345], ["Plain", 7]],
        "csv_url": '/en/dashboard/data/region.csv?a=1&b="2"',
        "embed_url": '/en/dashboard/embed/region/?a=1&b="2"',
        "scope": f"Scope {HOSTILE}",
        "row_links": ['/en/regions/x/?a=1&b="<2>"', None],
    }
    values.update(changes)
    return Chart(**values)


def card(chart: Chart, language: str = "en", **context) -> str:
    request = RequestFactory().get(f"/{language}/dashboard/")
    with translation.override(language):
        return render_to_string(
            "dashboard/includes/chart.html", {"chart": chart, **context}, request=request
        )


class Elements(HTMLParser):
    """Every element of a piece of HTML as (tag, attributes, text), the text unescaped, as a
    browser would show it; what a script holds stays as written."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict, str]] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.found.append((tag, dict(attrs), ""))
        else:
            self._open.append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        while self._open:
            name, attrs, parts = self._open.pop()
            text = "".join(parts)
            self.found.append((name, attrs, text))
            if self._open:
                self._open[-1][2].append(text)
            if name == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def all(self, tag: str, **attrs) -> list[tuple[dict, str]]:
        return [
            (found, text)
            for name, found, text in self.found
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]

    def one(self, tag: str, **attrs) -> tuple[dict, str]:
        (match,) = self.all(tag, **attrs)
        return match


# --- Escaping -----------------------------------------------------------------------------------


def test_a_hostile_chart_shows_its_words_as_text_and_runs_nothing():
    chart = hostile_chart()
    html = card(chart, heading_level=3)

    assert problems_in(html, ACTIVE_ELEMENTS) == []
    assert html.count("<script") == 1  # the figure's data, and nothing else
    assert "<script>alert(1)" not in html
    assert '"&<>' not in html

    page = Elements(html)
    assert page.one("section", id="chart-region")[0]["aria-labelledby"] == "chart-region-title"
    assert page.one("h3", id="chart-region-title")[1] == chart.title
    assert page.one("p", **{"class": "chart-scope"})[1] == chart.scope
    plot, _text = page.one("div", **{"data-chart": "chart-region-figure"})
    assert plot["role"] == "figure"
    assert plot["aria-label"] == (
        f"{chart.title}: chart. The same figures are in the data table below."
    )
    assert page.one("p", **{"class": "chart-note"})[1] == f"{chart.note} How we count"
    assert page.one("caption")[1] == f"{chart.title} ({chart.scope})"
    assert [text for _attrs, text in page.all("th", scope="col")] == chart.columns
    head_cells = page.all("th", scope="row")
    assert [text for _attrs, text in head_cells] == [f"Row {HOSTILE}", "Plain"]
    assert page.all("a", href='/en/regions/x/?a=1&b="<2>"')[0][1] == f"Row {HOSTILE}"
    assert [text for _attrs, text in page.all("td", **{"class": "num"})] == ["12,345", "7"]
    csv_link, _text = page.one("a", href=chart.csv_url)
    assert "download" in csv_link
    assert page.one("a", href=chart.embed_url)[1] == "Embed this chart"
    assert page.one("label", **{"for": "chart-region-snippet"})[1] == (
        f"Embed code for “{chart.title}”"
    )


def test_the_figure_json_is_djangos_json_script_and_parses_back_to_the_figure():
    chart = hostile_chart()
    html = card(chart)
    assert str(json_script(chart.figure, chart.figure_id)) in html
    ((element_id, body),) = DATA_SCRIPT.findall(html)
    assert element_id == "chart-region-figure"
    assert not set(body) & set("<>&")  # escaped as \u003C, \u003E, \u0026
    assert json.loads(body) == chart.figure


def test_the_embed_code_is_shown_as_text_and_pastes_as_a_frame_of_the_chart():
    chart = hostile_chart()
    html = card(chart)
    attrs, code = Elements(html).one("textarea", id="chart-region-snippet")
    assert attrs["readonly"] is None
    assert attrs["data-copy-label"] == "Copy"
    # What a person copies is the frame's markup, with the chart's words escaped in it once.
    assert code.startswith("<iframe ")
    assert code.endswith("></iframe>")
    frame, _text = Elements(code).one("iframe")
    # An absolute address: the code is pasted into another site.
    assert frame["src"] == RequestFactory().get("/").build_absolute_uri(chart.embed_url)
    assert frame["src"].startswith("http://testserver/en/dashboard/embed/region/?a=1&b=")
    assert frame["title"] == f"{chart.title} ({chart.scope}) | Grassroots Portal"
    assert frame["height"] == str(300 + 230)
    assert frame["loading"] == "lazy"


def test_an_embedded_card_opens_links_outside_the_frame_and_offers_no_embed_code():
    chart = hostile_chart()
    html = card(chart, embedded=True, heading_level=1)
    page = Elements(html)
    assert page.one("h1", id="chart-region-title")[1] == chart.title
    assert page.one("div", **{"data-chart": "chart-region-figure"})[0]["data-chart-links"] == (
        "new-window"
    )
    link, _text = page.one("a", href='/en/regions/x/?a=1&b="<2>"')
    assert (link["target"], link["rel"]) == ("_blank", "noopener")
    assert "embed-snippet" not in html
    assert "Embed this chart" not in html
    assert problems_in(html, ACTIVE_ELEMENTS) == []


def test_a_card_without_scope_rows_or_figure():
    html = card(hostile_chart(scope="", rows=[], row_links=[]))
    page = Elements(html)
    assert "chart-scope" not in html
    assert page.one("caption")[1] == f"Title {HOSTILE}"
    assert page.one("td", colspan="2")[1] == "No held cases match these filters."
    assert page.one("h2", id="chart-region-title")  # level 2 by default


def test_a_drawn_chart_shows_its_own_markup_and_no_figure():
    drawn = '<div class="us-map" id="us-map"></div>'
    # As cases.maps makes the map: safe markup, escaped where it is made; no plotly figure.
    html = card(hostile_chart(slug="state-map", figure={}, svg=mark_safe(drawn)))
    assert '<div class="chart-plot chart-plot--state-map chart-plot--svg">' in html
    assert drawn in html
    # Markup that was not made safe where it was made is shown as text.
    assert drawn not in card(hostile_chart(slug="state-map", figure={}, svg=drawn))
    assert "<script" not in html
    # Its embed frame is as tall as the map, plus the page around it.
    frame, _text = Elements(Elements(html).one("textarea")[1]).one("iframe")
    assert frame["height"] == str(560 + 230)


# --- Japanese -----------------------------------------------------------------------------------

CARD_WORDS = [
    "Download the chart as an image",
    "The chart needs JavaScript; the figures are in the data table below.",
    "How we count",
    "Download the data (CSV)",
    "Embed this chart",
    "Data table",
    "Embed code",
    "Paste this code into a web page to show the chart with these filters; it stays up to date.",
    "Copy",
    "Copied",
    "Grassroots Portal",
]


def test_every_word_of_the_card_is_in_japanese():
    chart = hostile_chart()
    html = card(chart, "ja")
    with translation.override("ja"):
        words = {english: gettext(english) for english in CARD_WORDS}
        aria = gettext("%(title)s: chart. The same figures are in the data table below.")
        label = gettext("Embed code for “%(title)s”")
    assert all(japanese != english for english, japanese in words.items()), words
    page = Elements(html)
    text = " ".join(text for _tag, _attrs, text in page.found)
    text += " ".join(str(value) for _tag, attrs, _t in page.found for value in attrs.values())
    for english, japanese in words.items():
        if english != "Grassroots Portal":
            assert english not in text
            assert japanese in text
    plot, _text = page.one("div", **{"data-chart": "chart-region-figure"})
    assert plot["aria-label"] == aria % {"title": chart.title}
    assert page.one("label")[1] == label % {"title": chart.title}
    frame, _text = Elements(page.one("textarea")[1]).one("iframe")
    assert frame["title"].endswith(f" | {words['Grassroots Portal']}")


# --- Every page with cards ----------------------------------------------------------------------


@pytest.fixture
def cases(make_case):
    energy = Theme.objects.get(slug="energy")
    make_case(region="miami", state="FL", start_date=datetime.date(2023, 6, 1), themes=[energy])
    make_case(region="new-york", state="NY", start_date=datetime.date(2024, 12, 1))
    make_case(region="boston", state="CT", start_date=datetime.date(2022, 9, 9))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    ("path", "slugs"),
    [
        ("/dashboard/", CHART_SLUGS),
        ("/dashboard/?region=miami&from=2020", CHART_SLUGS),
        ("/regions/miami/", ("fiscal-year", "theme")),
        ("/states/FL/", ("fiscal-year", "theme")),
        *((f"/dashboard/embed/{slug}/", (slug,)) for slug in CHART_SLUGS),
    ],
)
def test_every_page_with_cards_shows_them_whole(client, cases, language, path, slugs):
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200
    html = response.text
    page = Elements(html)
    for slug in slugs:
        section, _text = page.one("section", id=f"chart-{slug}")
        assert section["aria-labelledby"] == f"chart-{slug}-title"
        assert f'href="/{language}/dashboard/data/{slug}.csv' in html
    scripts = dict(DATA_SCRIPT.findall(html))
    drawn = [slug for slug in slugs if slug != "state-map"]
    assert sorted(scripts) == sorted(f"chart-{slug}-figure" for slug in drawn)
    for body in scripts.values():
        assert json.loads(body)["data"] is not None
    assert problems_in(html, ACTIVE_ELEMENTS) == []
    embedded = path.startswith("/dashboard/embed/")
    assert len(page.all("textarea")) == (0 if embedded else len(slugs))


# --- No card markup built by hand ---------------------------------------------------------------

# Modules that once wrote the card's markup as strings.
CARD_MODULES = ["dashboard/templatetags/chart_tags.py", "cases/figures/charts.py"]
CARD_TAGS = re.compile(
    r"<(section|div|h[1-6]|p|a|table|thead|tbody|tr|th|td|caption|details|summary|label|"
    r"textarea|script|iframe|figure)\b"
)


def _project_modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or "node_modules" in parts:
            continue
        yield path


def test_no_module_writes_a_json_script_or_a_card_of_its_own():
    defined = []
    for path in _project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in (
                "_json_script",
                "render_card",
                "table_body",
            ):
                defined.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert defined == []


@pytest.mark.parametrize("module", CARD_MODULES)
def test_the_card_modules_hold_no_card_markup_and_no_escaping(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    markup = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CARD_TAGS.search(node.value)
    ]
    assert markup == []
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"escape", "mark_safe", "format_html", "html", "SafeString"}
