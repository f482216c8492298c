"""Template helpers for the chart include."""

from django import template
from django.utils.html import escape
from django.utils.translation import gettext as _

register = template.Library()

# Room around the plot on the embed page: heading, note, links (pixels).
EMBED_CHROME = 230
MAP_FRAME_HEIGHT = 560


@register.simple_tag(takes_context=True)
def embed_snippet(context, chart) -> str:
    """The <iframe> code a site pastes to show this chart (shown escaped, in a textarea)."""
    request = context.get("request")
    src = request.build_absolute_uri(chart.embed_url) if request else chart.embed_url
    height = (chart.figure.get("layout", {}).get("height") or MAP_FRAME_HEIGHT) + EMBED_CHROME
    title = chart.title + (f" ({chart.scope})" if chart.scope else "")
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)} | {escape(_("Grassroots Portal"))}" '
        f'width="100%" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
