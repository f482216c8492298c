"""Template helpers shared by every public page."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext

from cases.structured_data import json_ld_script
from grassroots.language import page_language

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _path_in_language(path: str, language_code: str, prefix: str, urlconf) -> str:
    # Resolving and reversing a path depends on nothing but the path, the language and the
    # URL conf: remembered, as every page's header asks for it.
    return translate_url(path, language_code)


def url_in_language(context, language_code: str) -> str:
    """This page's URL in another language, keeping its query string (filters, page)."""
    path, mark, query = context["request"].get_full_path().partition("?")
    url = _path_in_language(path, language_code, get_script_prefix(), get_urlconf())
    return f"{url}{mark}{query}"


@register.simple_tag(takes_context=True)
def language_switch(context) -> SafeString:
    """The links to this page in each language (keeping its query string); the page's own
    language marked as current. Built in Python: it is on every page."""
    current = page_language()
    links = []
    for code, _name in settings.LANGUAGES:
        mark = ' aria-current="true"' if code == current else ""
        links.append(
            f'<a href="{escape(url_in_language(context, code))}" lang="{code}" '
            f'hreflang="{code}"{mark}>{get_language_info(code)["name_local"]}</a>'
        )
    label = escape(gettext("Language"))
    return mark_safe(  # every value above is escaped or fixed
        f'<nav class="lang-switch" aria-label="{label}">\n        '
        + "\n        ".join(links)
        + "\n      </nav>"
    )


# The rendered main navigation per language, URL conf and current page's URL name.
_navs: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    """The main navigation (includes/site_nav.html), with the current section marked.

    It depends only on the language, the URL conf and the current page's namespace and URL
    name, so each worker renders it once per combination (a few dozen) instead of on every
    request; with DEBUG on (templates edited while the server runs) it is rendered each time.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    key = (
        page_language(),
        get_script_prefix(),
        get_urlconf(),
        match.namespace if match else None,
        match.url_name if match else None,
    )
    html = None if settings.DEBUG else _navs.get(key)
    if html is None:
        html = _navs[key] = render_to_string("includes/site_nav.html", {"request": request})
    return mark_safe(html)  # rendered by the template engine, autoescaped


@register.simple_tag
def json_ld(data) -> str:
    """schema.org data as <script type="application/ld+json"> (cases.structured_data)."""
    return json_ld_script(data) if data else ""


# Rendered fragments of {% kept %}, by place in a template, language and URL conf.
_kept: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_kept(**kwargs):
    """A changed setting (a test's static storage, URL conf) may change kept markup."""
    _kept.clear()


class KeptNode(template.Node):
    def __init__(self, nodelist, place):
        self.nodelist = nodelist
        self.place = place

    def render(self, context):
        if settings.DEBUG:  # templates edited while the server runs
            return self.nodelist.render(context)
        key = (self.place, page_language(), get_script_prefix(), get_urlconf())
        html = _kept.get(key)
        if html is None:
            html = _kept[key] = self.nodelist.render(context)
        return html


@register.tag
def kept(parser, token):
    """`{% kept %}…{% endkept %}`: markup that follows from nothing but the language and the
    URL conf (fixed text, links to fixed pages, static files), rendered once per worker and
    language instead of on every request, as `site_nav` is. Nothing inside may use the
    request, the page's objects, the data or a block: it would be frozen at its first value.
    """
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% kept %} takes no arguments")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    origin = parser.origin.name if parser.origin else ""
    return KeptNode(nodelist, (origin, token.lineno))
