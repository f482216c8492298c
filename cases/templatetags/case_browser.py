"""Template helpers for the case pages: bilingual text with a visible fallback marker."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext

register = template.Library()


def _pick(obj, field: str) -> tuple[str, str, bool]:
    """(text, its language, whether it is the other language's) for a bilingual field."""
    en, ja = getattr(obj, f"{field}_en") or "", getattr(obj, f"{field}_ja") or ""
    if (translation.get_language() or "en").startswith("ja"):
        return (ja, "ja", False) if ja.strip() else (en, "en", bool(en.strip()))
    return (en, "en", False) if en.strip() else (ja, "ja", bool(ja.strip()))


def _marker(language: str) -> SafeString:
    if language == "en":
        code, note = pgettext("language marker", "EN"), gettext("in English only")
    else:
        code, note = pgettext("language marker", "JA"), gettext("in Japanese only")
    return format_html(
        '<span class="lang-fallback" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">({})</span></span>',
        note,
        code,
        note,
    )


@register.simple_tag
def bilingual(obj, field: str) -> SafeString:
    """`obj.<field>` in the page language; else the other language's, marked as such."""
    text, language, fallback = _pick(obj, field)
    if not fallback:
        return format_html("{}", text)
    return format_html('<span lang="{}">{}</span>{}', language, text, _marker(language))


@register.simple_tag
def bilingual_paragraphs(obj, field: str) -> SafeString:
    """A bilingual text field as paragraphs, marked when it falls back to the other language."""
    text, language, fallback = _pick(obj, field)
    if not text.strip():
        return ""
    body = linebreaks_filter(text, autoescape=True)
    if not fallback:
        return body
    note = (
        gettext("This text is not yet available in Japanese.")
        if language == "en"
        else gettext("This text is not yet available in English.")
    )
    return format_html(
        '<div lang="{}">{}</div><p class="small muted">{} {}</p>',
        language,
        body,
        _marker(language),
        note,
    )


@register.simple_tag
def bilingual_plain(obj, field: str) -> str:
    """The text of a bilingual field for the page language, unmarked (for <title>, meta)."""
    return _pick(obj, field)[0]
