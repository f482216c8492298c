"""Template helpers for the chart include: the whole chart card, with its embed code."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from grassroots.language import page_language

register = template.Library()

# Room around the plot on the embed page: heading, note, links (pixels).
EMBED_CHROME = 230
MAP_FRAME_HEIGHT = 560


def _snippet(chart, request) -> str:
    """The <iframe> code a site pastes to show this chart (shown escaped, in a textarea)."""
    src = request.build_absolute_uri(chart.embed_url) if request else chart.embed_url
    height = (chart.figure.get("layout", {}).get("height") or MAP_FRAME_HEIGHT) + EMBED_CHROME
    title = chart.title + (f" ({chart.scope})" if chart.scope else "")
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)} | {escape(_("Grassroots Portal"))}" '
        f'width="100%" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )


# The card's fixed words, translated once per language (a process never reloads its catalogs).
_words: dict[str, dict[str, str]] = {}


def _card_words() -> dict[str, str]:
    language = page_language()
    words = _words.get(language)
    if words is None:
        # Template literals are trusted: {% translate %} writes them unescaped, so do we.
        words = _words[language] = {
            "download_image": _("Download the chart as an image"),
            "aria": _("%(title)s: chart. The same figures are in the data table below."),
            "loading": _("The chart needs JavaScript; the figures are in the data table below."),
            "csv": _("Download the data (CSV)"),
            "embed": _("Embed this chart"),
            "data_table": _("Data table"),
            "embed_code": _("Embed code"),
            "embed_help": _(
                "Paste this code into a web page to show the chart with these filters; it "
                "stays up to date."
            ),
            "embed_label": _("Embed code for “%(title)s”"),
            "copy": _("Copy"),
            "copied": _("Copied"),
            "how": _("How we count"),
            "how_url": reverse("cases:how-we-count"),
        }
    return words


def _json_script(value, element_id: str) -> str:
    """What Django's json_script writes, with its three escapes made by str.replace: its
    str.translate walks a mapping for each character, a millisecond for a dashboard's figures."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return f'<script id="{escape(element_id)}" type="application/json">{text}</script>'


def render_card(chart, *, level=2, embedded=False, request=None) -> str:
    """One chart card as HTML: heading, plot, the figure as JSON for static/js/charts.js, the
    note, the same data as a table and a CSV link, and the embed code.

    Built with format strings rather than a template: a dashboard shows four cards per request
    and the template's per-tag work cost more than the figures themselves. Every value from
    the chart is escaped here; the fixed words are trusted as template literals are.
    """
    words = _card_words()
    element_id = chart.element_id
    slug = escape(chart.slug)
    title = escape(chart.title)
    scope = escape(chart.scope) if chart.scope else ""
    header = "".join(
        f'<th scope="col"{' class="num"' if numeric else ""}>{escape(column)}</th>'
        for column, numeric in chart.header
    )
    parts = [
        f'<section class="chart-card chart-card--{slug}" id="{element_id}" '
        f'aria-labelledby="{element_id}-title">\n'
        f'<div class="chart-head">\n'
        f'<h{level} class="chart-title" id="{element_id}-title">{title}</h{level}>\n',
        f'<p class="chart-scope">{scope}</p>\n' if scope else "",
        "</div>\n",
        *(
            # A chart the portal draws itself (the map): its markup, escaped where it is made.
            [f'<div class="chart-plot chart-plot--{slug} chart-plot--svg">{chart.svg}</div>\n']
            if chart.svg
            else [
                f'<div class="chart-plot chart-plot--{slug}" data-chart="{chart.figure_id}"',
                ' data-chart-links="new-window"' if embedded else "",
                f'\n data-download-label="{words["download_image"]}" '
                f'data-filename="grassroots-{slug}"\n'
                f' role="figure" aria-label="{words["aria"] % {"title": title}}">\n'
                f'<p class="chart-loading muted">{words["loading"]}</p>\n'
                "</div>\n",
                _json_script(chart.figure, chart.figure_id),
            ]
        ),
        f'\n<p class="chart-note">{escape(chart.note)} '
        f'<a class="chart-how" href="{words["how_url"]}">{words["how"]}</a></p>\n'
        '<div class="chart-links">\n'
        f'<a class="btn btn-secondary btn-small" href="{escape(chart.csv_url)}" download>'
        f"{words['csv']}</a>\n",
        ""
        if embedded
        else f'<a class="btn btn-secondary btn-small" href="{escape(chart.embed_url)}">'
        f"{words['embed']}</a>",
        "\n</div>\n"
        '<details class="chart-details">\n'
        f"<summary>{words['data_table']}</summary>\n"
        '<div class="table-wrap">\n'
        '<table class="data-table">\n'
        f"<caption>{title}{f' ({scope})' if scope else ''}</caption>\n"
        f"<thead>\n<tr>{header}</tr>\n</thead>\n"
        f"<tbody>\n{chart.table_body(embedded=embedded)}\n</tbody>\n"
        "</table>\n</div>\n</details>\n",
    ]
    if not embedded:
        parts.append(
            '<details class="chart-details">\n'
            f"<summary>{words['embed_code']}</summary>\n"
            f'<p class="small">{words["embed_help"]}</p>\n'
            f'<label class="visually-hidden" for="{element_id}-snippet">'
            f"{words['embed_label'] % {'title': title}}</label>\n"
            f'<textarea class="embed-snippet" id="{element_id}-snippet" readonly rows="3" '
            f'data-copy-label="{words["copy"]}" data-copied-label="{words["copied"]}">'
            f"{escape(_snippet(chart, request))}</textarea>\n"
            "</details>\n"
        )
    parts.append("</section>\n")
    return mark_safe("".join(parts))  # every value from the chart is escaped above


@register.simple_tag(takes_context=True)
def chart_card(context, chart) -> str:
    """The chart card; `heading_level` (default 2) and `embedded` come from the context, as
    the include `dashboard/includes/chart.html` documents."""
    return render_card(
        chart,
        level=context.get("heading_level") or 2,
        embedded=bool(context.get("embedded")),
        request=context.get("request"),
    )
