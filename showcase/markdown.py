"""Markdown written by staff, turned into HTML that is safe to put in a public page.

Two steps, always both: Python-Markdown renders the text (raw HTML in it passes straight
through), then nh3 keeps only an allow-list of harmless tags and attributes. Whatever Markdown
lets through, the sanitiser has the last word, so no script, style, frame, event handler,
`javascript:` or `data:` URL reaches the page.

Decisions:
- Headings start at h2 (the page title is the h1); `#` is demoted to h2, h5 and h6 to h4.
- Links may point to http(s), mailto or a path on this site, and get rel="noopener noreferrer".
- Images are allowed only from the portal's own static and media files: a public page makes
  no request to any other host. An image from elsewhere loses its `src` and shows nothing.
- Tables are allowed (Markdown's pipe tables) and take the shared `.data-table` style.
- A line break between two Japanese characters inside a paragraph is dropped: a browser would
  show it as a space, which Japanese text does not have.
"""

import re

import markdown as python_markdown
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}

_EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
_HEADING = re.compile(r"<(/?)h([1-6])\b")
# A line break inside a paragraph of Japanese: browsers would show it as a space.
_CJK = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
_CJK_LINE_BREAK = re.compile(rf"({_CJK}(?:</?[a-z]+>)*)\n((?:<[a-z]+>)*{_CJK})")


def _own_image_paths() -> tuple[str, ...]:
    def rooted(url: str) -> str:
        return url if url.startswith("/") else f"/{url}"

    return (rooted(settings.STATIC_URL), rooted(settings.MEDIA_URL))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # Our own files only; "//host/..." starts with "/" but not with "/static/".
        return value if value.startswith(_own_image_paths()) else None
    return value


def _join_cjk_lines(html: str) -> str:
    return _CJK_LINE_BREAK.sub(r"\1\2", html)


def _demote_headings(html: str) -> str:
    def shift(match: re.Match) -> str:
        level = min(max(int(match.group(2)), 2), 4)
        return f"<{match.group(1)}h{level}"

    return _HEADING.sub(shift, html)


_cleaner = None


def _get_cleaner() -> nh3.Cleaner:
    global _cleaner
    if _cleaner is None:
        _cleaner = nh3.Cleaner(
            tags=ALLOWED_TAGS,
            clean_content_tags=DROPPED_WITH_CONTENT,
            attributes=ALLOWED_ATTRIBUTES,
            attribute_filter=_filter_attribute,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
            set_tag_attribute_values={
                "table": {"class": "data-table"},
                "img": {"loading": "lazy"},
            },
            strip_comments=True,
        )
    return _cleaner


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags and attributes of an HTML fragment."""
    return _get_cleaner().clean(html)


def render_markdown(text: str) -> SafeString:
    """Markdown source to sanitised HTML, marked safe for templates."""
    html = python_markdown.markdown(str(text or ""), extensions=_EXTENSIONS, output_format="html")
    # Safe because sanitised on this very line; never mark unsanitised Markdown output safe.
    return mark_safe(sanitize_html(_join_cjk_lines(_demote_headings(html))))
