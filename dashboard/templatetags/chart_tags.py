"""Template helpers for the chart card (`dashboard/includes/chart.html`): what its embed code
needs beyond the chart. The card itself is markup in that template."""

from django import template

register = template.Library()

# Room around the plot on the embed page: heading, note, links (pixels).
EMBED_CHROME = 230
MAP_FRAME_HEIGHT = 560


@register.simple_tag(takes_context=True)
def embed_frame(context, chart) -> dict:
    """The embed code's frame: `src`, the embed page's absolute address (the code is pasted
    into another site), and `height`, the plot's (the map's for a drawn chart) plus room for
    the heading, note and links. Plain values: the template escapes them."""
    request = context.get("request")
    src = request.build_absolute_uri(chart.embed_url) if request else chart.embed_url
    height = (chart.figure.get("layout", {}).get("height") or MAP_FRAME_HEIGHT) + EMBED_CHROME
    return {"src": src, "height": height}
