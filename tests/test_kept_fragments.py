"""`{% kept %}` (showcase/templatetags/portal.py): fixed markup of the site's frame rendered
once per worker and language, and pages that use it equal to pages rendered in full."""

import itertools

import pytest
from django.template import engines
from django.utils import translation

from showcase.templatetags import portal


class Counter:
    def __init__(self):
        self.calls = itertools.count(1)

    def next(self):
        return next(self.calls)


def test_a_kept_fragment_is_rendered_once_per_language(settings):
    settings.DEBUG = False
    source = (
        "{% load i18n portal %}{% kept %}{{ counter.next }} {% translate 'Home' %}{% endkept %}"
    )
    counter = Counter()
    template = engines["django"].from_string(source)
    with translation.override("en"):
        assert template.render({"counter": counter}) == "1 Home"
        assert template.render({"counter": counter}) == "1 Home"
    with translation.override("ja"):
        assert template.render({"counter": counter}) == "2 ホーム"
        assert template.render({"counter": counter}) == "2 ホーム"


def test_with_debug_on_a_kept_fragment_is_rendered_each_time(settings):
    settings.DEBUG = True
    counter = Counter()
    template = engines["django"].from_string(
        "{% load portal %}{% kept %}{{ counter.next }}{% endkept %}"
    )
    assert [template.render({"counter": counter}) for _ in range(2)] == ["1", "2"]


def test_kept_takes_no_arguments():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load portal %}{% kept 'x' %}{% endkept %}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/dashboard/",
        "/ja/dashboard/?region=miami",
        "/en/",
        "/ja/",
        "/en/cases/",
        "/en/no-such/",
    ],
)
def test_pages_with_kept_fragments_equal_pages_rendered_in_full(
    client, make_case, settings, monkeypatch, url
):
    settings.DEBUG = False
    settings.PORTAL_FIGURE_CACHE = False
    make_case(region="miami", state="FL")
    client.get(url)
    kept = client.get(url)  # the fragments come from the memo
    assert portal._kept
    monkeypatch.setattr(
        portal.KeptNode, "render", lambda node, context: node.nodelist.render(context)
    )
    full = client.get(url)
    assert kept.status_code == full.status_code
    assert kept.content == full.content
