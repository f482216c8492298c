"""Template helpers shared by every public page."""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code: str) -> str:
    """This page's URL in another language, keeping its query string (filters, page)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)
