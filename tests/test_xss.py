"""Staff-written text cannot put script into a public page.

A corpus of cross-site scripting payloads goes through the Markdown renderer (showcase bodies)
and through the public pages that show staff text: the showcase page (title, lead, body), the
best-practice index (cards with the lead) and the case page (title, summary). The output is
parsed, not searched for strings: what matters is which elements and attributes a browser
would build, whatever the spelling of the payload.
"""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest

from cases.models import Case, Publication
from showcase.markdown import render_markdown, sanitize_html
from showcase.models import ShowcasePage

PAYLOADS = [
    # Script elements, plain and disguised.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/xss src=//evil.example/x.js></script>",
    '<<script>alert("x");//<</script>',
    "</p><script>alert(1)</script><p>",
    "<!--<script>alert(1)</script>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    # Event handlers.
    "<img src=x onerror=alert(1)>",
    '<img src="/static/favicon.svg" onload="alert(1)">',
    "<body onload=alert(1)>",
    "<div onmouseover='alert(1)'>hover</div>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<a href=/x onclick=alert(1)>x</a>",
    '<img/src="x"/onerror=alert(1)>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    # javascript:, vbscript: and data: URLs, plain and obfuscated.
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # Markdown's own link and image syntax.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[a](vbscript:msgbox(1))",
    '[a](/path "title\\" onmouseover=\\"alert(1))',
    "[ref][1]\n\n[1]: javascript:alert(1)",
    # SVG and MathML tricks.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<math href="javascript:alert(1)">x</math>',
    # Styles.
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>@import 'javascript:alert(1)';</style>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    # Frames, objects, embeds and other active content.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<applet code="x.class"></applet>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    # Breaking out of attributes and elements.
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<a href='/x' title='a' onmouseover=alert(1) '>x</a>",
    '<img src="/static/x.png" alt="a"onerror=alert(1)>',
    "`<script>alert(1)</script>`\n\n```\n<script>alert(1)</script>\n```",
]

# Script elements that hold data for the page and are never run.
DATA_SCRIPTS = {"application/json", "application/ld+json"}
# Elements that run code or load a document, wherever they appear.
# (A page may load its own script files; any other script element counts as a problem.)
ACTIVE_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
# Elements the sanitiser never lets through in staff text (the page template has its own).
FORBIDDEN_IN_TEXT = ACTIVE_ELEMENTS | {
    "script",
    "style",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "meta",
    "link",
    "template",
    "noscript",
    "textarea",
    "video",
    "source",
    "details",
    "body",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "srcset",
    "code",
}
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")


def dangerous_url(value: str) -> bool:
    """Whether a browser would run or render this URL as a document: javascript:, vbscript:,
    or any data: URL. Entities are already decoded by the parser; browsers also ignore
    whitespace and control characters inside the scheme, so they are dropped first."""
    squeezed = _CONTROL_AND_SPACE.sub("", html.unescape(value)).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:"))


class Findings(HTMLParser):
    """Every element and attribute in a piece of HTML that could run script."""

    def __init__(self, forbidden_tags):
        super().__init__(convert_charrefs=True)
        self.forbidden_tags = forbidden_tags
        self.problems: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_json = dict(attrs).get("type") in DATA_SCRIPTS
        if tag in self.forbidden_tags:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not self._harmless_script(dict(attrs)):
            self.problems.append("<script> not from /static/")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"expression|javascript|url\(", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")

    handle_startendtag = handle_starttag

    @staticmethod
    def _harmless_script(attrs) -> bool:
        """The portal's own script files, or data (json_script, schema.org's JSON-LD: never
        run)."""
        if attrs.get("type") in DATA_SCRIPTS:
            return True
        return (attrs.get("src") or "").startswith("/static/")

    def handle_data(self, data):
        # A script element the page loads from a file must not also carry code of its own.
        if self.cdata_elem == "script" and data.strip() and not self._in_json:
            self.problems.append("inline script")
        # Data is escaped so that nothing in it can end the element early.
        if self.cdata_elem == "script" and self._in_json and "<" in data:
            self.problems.append("markup inside a data script")


def problems_in(markup: str, forbidden_tags=FORBIDDEN_IN_TEXT) -> list[str]:
    parser = Findings(forbidden_tags)
    parser.feed(markup)
    parser.close()
    return parser.problems


class TestTheCheckItself:
    """The checker must see each vector, or a passing corpus would prove nothing."""

    @pytest.mark.parametrize(
        "markup",
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            '<a href="jav&#x09;ascript:alert(1)">x</a>',
            '<a href=" JavaScript:alert(1)">x</a>',
            '<img src="data:image/svg+xml,x">',
            "<svg></svg>",
            '<iframe src="/x"></iframe>',
            '<p style="width:expression(alert(1))">x</p>',
        ],
    )
    def test_flags_an_unsanitised_vector(self, markup):
        assert problems_in(markup)

    @pytest.mark.parametrize(
        "markup",
        [
            "<script>alert(1)</script>",
            '<script src="/static/js/charts.js">alert(1)</script>',
            '<script src="https://evil.example/x.js"></script>',
            '<a href="/x" onclick="alert(1)">x</a>',
        ],
    )
    def test_flags_script_on_a_whole_page(self, markup):
        assert problems_in(markup, ACTIVE_ELEMENTS)

    def test_accepts_the_page_own_script_files_and_json_data(self):
        page = (
            '<script id="f" type="application/json">{"a": "\\u003Cb\\u003E"}</script>'
            '<script src="/static/js/charts.js"></script>'
        )
        assert problems_in(page, ACTIVE_ELEMENTS) == []

    def test_accepts_harmless_markup(self):
        safe = (
            '<p><a href="https://example.org/" rel="noopener">x</a><img src="/static/a.png"></p>'
        )
        assert problems_in(safe) == []

    def test_the_corpus_is_large_enough(self):
        assert len(PAYLOADS) >= 40
        assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renderer_leaves_nothing_executable(payload):
    assert problems_in(render_markdown(payload)) == []
    # Inside surrounding Markdown, and as a paragraph of its own.
    assert problems_in(render_markdown(f"## Heading\n\nText {payload} more text\n\n- item")) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_alone_leaves_nothing_executable(payload):
    assert problems_in(sanitize_html(payload)) == []


def test_the_renderer_still_keeps_ordinary_formatting_and_safe_links():
    output = render_markdown(
        "## Heading\n\n**bold** [site](https://example.org/) [mail](mailto:a@example.org) "
        "[here](/en/cases/) ![map](/static/showcase/demo/chip.png)"
    )
    assert "<h2>Heading</h2>" in output
    assert "<strong>bold</strong>" in output
    assert 'href="https://example.org/"' in output
    assert 'href="mailto:a@example.org"' in output
    assert 'href="/en/cases/"' in output
    assert 'src="/static/showcase/demo/chip.png"' in output


@pytest.fixture
def hostile_page(make_case):
    """Make a published page and its public case whose every staff-written field holds the
    payload."""

    def make(payload: str) -> ShowcasePage:
        case = make_case(
            title_en=f"Case {payload}"[:300],
            title_ja=f"案件 {payload}"[:300],
            summary_en=f"Summary {payload}",
            summary_ja=f"概要 {payload}",
            start_date=datetime.date(2024, 10, 1),
        )
        page = ShowcasePage(
            case=case,
            slug="hostile",
            title_en=f"Title {payload}"[:200],
            title_ja=f"題 {payload}"[:200],
            lead_en=f"Lead {payload}",
            lead_ja=f"リード {payload}",
            body_en=f"## Story\n\n{payload}\n\nEnd.",
            body_ja=f"## 話\n\n{payload}\n\n終わり。",
            publication=Publication.PUBLISHED,
            published_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
        )
        page.save()
        return page

    return make


# Page templates legitimately use forms, links, meta tags and inline SVG icons; on a whole page
# only the elements and attributes that run code are forbidden.
@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_public_pages_showing_staff_text_leave_nothing_executable(
    client, hostile_page, payload, language
):
    page = hostile_page(payload)
    case: Case = page.case
    for url in (
        f"/{language}/showcase/hostile/",
        f"/{language}/showcase/",
        f"/{language}/cases/{case.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert problems_in(response.text, ACTIVE_ELEMENTS) == [], url
