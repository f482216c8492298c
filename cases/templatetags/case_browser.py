"""Template helpers for the case pages: bilingual text with a visible fallback marker."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from cases import places
from grassroots.language import LocalizedText, fallback_marker, localized

register = template.Library()


def _pick(obj, field: str) -> tuple[str, str, bool]:
    """(text, its language, whether it is the other language's) for a bilingual field."""
    text = localized(obj, field)
    return text.text, text.lang, text.fallback


def _marker(language: str) -> SafeString:
    return fallback_marker(LocalizedText("-", language, fallback=True))


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


@register.simple_tag
def place(case) -> str:
    """Where a case took place, in the page language's order (see cases.places)."""
    return places.case_place(case)


@register.simple_tag
def linked_place(case, state_url: str = "") -> SafeString:
    """Where a case took place, its state linked to the state's page."""
    parts = places.place_parts(places.city_name(case), case.state)
    if not parts:
        return format_html("{}", gettext("Nationwide (no single state)"))
    url = state_url or (
        reverse("cases:state-detail", args=[case.state.code]) if case.state else ""
    )
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<a href="{}">{}</a>', url, text) if is_state and url else text,)
            for text, is_state in parts
        ),
    )
