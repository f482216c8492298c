"""Template helpers for the case pages: bilingual text with a visible fallback marker."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cases import places
from cases.figures import reference
from grassroots.language import LocalizedText, fallback_marker, localized, page_language

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


def theme_names(case) -> list[str]:
    """A case's theme names in the page language and the register's theme order, from its
    tags (`cases.rules.theme_tags`) and the reference themes: no query for the case."""
    language = page_language()
    return [theme.label(language) for theme in reference.themes().of_tags(case.theme_tags)]


@register.simple_tag
def case_card(case) -> SafeString:
    """A case in a list, as a card: its date and fiscal year, title (linked), place, district
    and format, the best-practice mark, its themes and the link to its showcase page
    (`case.showcase_url`, when the view has set it).

    Written in Python, as Django's admin writes the rows of its lists: a page of the case
    browser draws twenty, and a template included per card (with the tags it calls) was a
    fifth of the page's CPU. Its themes are named from its own row, so a list needs no theme
    query either."""
    best = case.is_best_practice
    chips = ""
    names = theme_names(case)
    if names or best:
        mark = (
            f'<li><span class="chip chip-best">{escape(gettext("Best practice"))}</span></li>'
            if best
            else ""
        )
        items = "".join(f'<li><span class="chip">{escape(n)}</span></li>' for n in names)
        chips = mark_safe(  # every text in it is escaped
            f'\n    <ul class="chips case-themes">\n      {mark}\n      {items}\n    </ul>\n    '
        )
    showcase = getattr(case, "showcase_url", None)
    story = (
        format_html(
            '<p class="case-showcase"><a href="{}">{}</a></p>',
            showcase,
            gettext("Read the best-practice story"),
        )
        if showcase
        else ""
    )
    district = mark_safe(  # the translation is ours; the name is escaped
        gettext("%(region)s district") % {"region": conditional_escape(case.region.name)}
    )
    return format_html(
        '\n<article class="case-card{}">\n  <div class="case-when">\n'
        '    <time datetime="{}">{}</time>\n    <span class="case-fy">{}</span>\n  </div>\n'
        '  <div class="case-body">\n'
        '    <h3 class="case-title"><a href="{}">{}</a></h3>\n'
        '    <p class="case-meta">\n      <span class="case-place">{}</span>\n'
        "      <span>{}</span>\n      <span>{}</span>\n    </p>\n"
        "    {}\n    {}\n  </div>\n</article>\n",
        " is-best-practice" if best else "",
        case.start_date.isoformat(),
        date_filter(case.start_date, "DATE_FORMAT"),
        case.fiscal_year_label,
        reverse("cases:detail", args=[case.pk]),
        bilingual(case, "title"),
        places.case_place(case),
        district,
        case.format_label,
        chips,
        story,
    )
