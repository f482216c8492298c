"""Template helpers for the showcase pages: Markdown, language fallbacks, absolute URLs."""

from django import template
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from cases import places
from grassroots import language
from grassroots.language import localized
from showcase.links import case_url as _case_url
from showcase.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value) -> str:
    """Render Markdown to sanitised HTML: `{{ page.body|markdown }}`."""
    return render_markdown(str(value or ""))


@register.simple_tag
def fallback_marker(value) -> str:
    """A visible note when a text is shown in the other language than the page's.

    `value` is a LocalizedText; anything else (a plain string) never needs a marker.
    """
    return language.fallback_marker(value)


@register.filter
def lang_attr(value) -> str:
    """` lang="en"` when a LocalizedText is in the other language, so screen readers switch."""
    if getattr(value, "fallback", False):
        return format_html(' lang="{}"', value.lang)
    return ""


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """An absolute URL (scheme and host of this request) for a path, for OpenGraph tags."""
    request = context.get("request")
    if not url or request is None:
        return url or ""
    return request.build_absolute_uri(url)


@register.simple_tag
def case_url(pk) -> str:
    """The public page of a case (see showcase.links.case_url)."""
    return _case_url(pk)


@register.simple_tag
def case_dates(case) -> str:
    """A case's date, or its first and last day, formatted for the page language."""
    start = date_format(case.start_date, "DATE_FORMAT")
    if not case.end_date or case.end_date == case.start_date:
        return start
    return gettext("%(start)s – %(end)s") % {
        "start": start,
        "end": date_format(case.end_date, "DATE_FORMAT"),
    }


@register.simple_tag
def case_place(case) -> str:
    """Where a case took place: city and state in the page language's order, the state alone,
    or nationwide (see cases.places)."""
    return places.case_place(case)


@register.filter
def localized_field(obj, field: str):
    """`obj.<field>_en/_ja` in the page language with fallback, as a LocalizedText."""
    return localized(obj, field)


@register.simple_tag(takes_context=True)
def absolute_url_in_language(context, language_code: str) -> str:
    """This page's absolute URL, without its query string, in another language (hreflang)."""
    request = context["request"]
    return request.build_absolute_uri(translate_url(request.path, language_code))
