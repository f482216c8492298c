"""The charts' figures: one plotly figure (a plain JSON-ready dict) per chart, in the shape
plotly.graph_objects gives, from the stats layer's rows."""

import functools

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import maps, rules, stats
from cases.figures.labels import cases_text, row_label, state_urls, url_maker, wrap_label
from cases.models import ThemeGroup
from cases.stats import Filters
from grassroots.language import join_sentences, page_language

# The portal's palette (static/css/portal.css).
INK = "#1b1f24"
MUTED = "#56606b"
RULE = "#e4dfd6"
NAVY = "#1d3f72"
RED = "#b3202a"
GROUP_COLOURS = {"line-of-work": NAVY, "topic": "#2f7d74", "priority-area": RED}
MAP_SCALE = [[0.0, "#dfe7f2"], [0.2, "#b3c6e0"], [0.55, "#5f83b8"], [1.0, "#15305a"]]
# States outside the selected district: paler than any count, with grey codes.
OUTSIDE_SCOPE = "#f8f7f4"
OUTSIDE_TEXT = "#6b7178"
FONT = (
    'system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", '
    '"Yu Gothic", sans-serif'
)


# --- Figures ------------------------------------------------------------------------------------


def _counts_axis(largest: int) -> dict:
    """Ticks for an axis of case counts: whole numbers only. Plotly picks steps of 0.5 when
    the largest value is small, so up to 5 the step is 1."""
    ticks = {"tickformat": ",d"}
    if largest <= 5:
        ticks["dtick"] = 1
    return ticks


def _axis(**extra) -> dict:
    axis = {
        "automargin": True,
        "fixedrange": True,
        "gridcolor": RULE,
        "linecolor": RULE,
        "zeroline": False,
        "tickfont": {"size": 12, "color": INK},
        "title": {"font": {"size": 12, "color": MUTED}},
    }
    axis.update(extra)
    return axis


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8, "pad": 4},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "align": "left"},
        "dragmode": False,
        "showlegend": False,
        "separators": ".,",
    }
    layout.update(extra)
    return layout


def _no_data(layout: dict) -> dict:
    layout["annotations"] = [
        {
            "text": _("No held cases match these filters."),
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "font": {"size": 15, "color": MUTED},
        }
    ]
    return layout


def _trace(kind: str, **properties) -> dict:
    """A plotly trace as the plain dict plotly.js reads (what plotly.graph_objects would
    produce, without its validation: building the dicts directly is ~50 times faster)."""
    return {"type": kind, **properties}


def _figure(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": layout}


def _plain(value):
    """The figure without unset (None) properties, as plotly leaves them out; None inside
    lists (gaps in a heatmap) stays. No plotly template: kilobytes of unused styling."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_plain(item) if isinstance(item, dict) else item for item in value]
    return value


def _plain_figure(figure: dict) -> dict:
    """`_plain(figure)` without walking the traces' long lists of values (coordinates, hover
    texts, heatmap rows), which never hold a property dict: only the traces' own properties
    and nested dicts (marker, font) are cleaned, and the whole layout."""
    return {
        "data": [
            {
                key: _plain(item) if isinstance(item, dict) else item
                for key, item in trace.items()
                if item is not None
            }
            for trace in figure["data"]
        ],
        "layout": _plain(figure["layout"]),
    }


def _fiscal_year_traces(years, labels, cases, cumulative, running: str) -> list[dict]:
    """Bars for the cases of each year, a line for the running total on its own axis."""
    return [
        _trace(
            "bar",
            uid="cases",
            name=_("Cases in the year"),
            x=years,
            y=cases,
            marker={"color": NAVY},
            hovertext=[
                f"{label}: {cases_text(n)}" for label, n in zip(labels, cases, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        _trace(
            "scatter",
            uid="cumulative",
            name=running,
            x=years,
            y=cumulative,
            yaxis="y2",
            mode="lines+markers",
            line={"color": RED, "width": 3},
            marker={"size": 7, "color": RED},
            hovertext=[f"{running}: {n:,}" for n in cumulative],
            hovertemplate="%{hovertext}<extra></extra>",
        ),
    ]


def _fiscal_year_layout(years, ticks, cases, cumulative, running: str, language: str) -> dict:
    return _layout(
        height=400,
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={"l": 8, "r": 8, "t": 40, "b": 8, "pad": 4},
        xaxis=_axis(type="category", tickvals=years, ticktext=ticks, showgrid=False, title=None),
        # charts.js shows these, level, on a narrow screen, where the full labels collide:
        # 'FY24', or '24' over '年度'.
        meta={
            "shortTicktext": [
                rules.fiscal_year_short_label(year, language).replace("年度", "<br>年度")
                for year in years
            ]
        },
        yaxis=_axis(
            title={"text": _("Cases in the year")},
            rangemode="tozero",
            **_counts_axis(max(cases, default=0)),
        ),
        yaxis2=_axis(
            title={"text": running, "font": {"color": RED}},
            overlaying="y",
            side="right",
            rangemode="tozero",
            showgrid=False,
            tickmode="auto",
            nticks=6,
            **_counts_axis(max(cumulative, default=0)),
            tickfont={"size": 12, "color": RED},
        ),
        bargap=0.25,
    )


def _fiscal_year(filters: Filters, language: str, counts: stats.Counts) -> dict:
    records = stats.fiscal_year_rows(filters, counts)
    years = [row["key"] for row in records]
    labels = [row_label(row, language) for row in records]
    cases = [row["cases"] for row in records]
    cumulative = [row["cumulative"] for row in records]
    # Two-line ticks in Japanese: '2024年度' over '（令和6年度）'.
    ticks = [label.replace("（", "<br>（") for label in labels]
    running = _("Running total")
    figure = _figure(
        data=_fiscal_year_traces(years, labels, cases, cumulative, running),
        layout=_fiscal_year_layout(years, ticks, cases, cumulative, running, language),
    )
    if not years:
        figure["layout"].update(_no_data({}))
    return {
        "title": _("Cases by fiscal year"),
        "note": join_sentences(
            [
                _(
                    "Bars: cases held in each fiscal year. Line: the running total from the "
                    "first year shown."
                ),
            ]
        ),
        "figure": _plain_figure(figure),
        "columns": [_("Fiscal year"), _("Cases"), _("Running total")],
        "rows": [
            [label, n, total] for label, n, total in zip(labels, cases, cumulative, strict=True)
        ],
    }


def _horizontal_bars(keys, labels, values, language, *, colour=NAVY, name="", uid="cases"):
    return _trace(
        "bar",
        uid=uid,
        name=name,
        orientation="h",
        x=values,
        y=keys,
        marker={"color": colour},
        hovertext=[f"{label}: {cases_text(n)}" for label, n in zip(labels, values, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
        text=[f"{n:,}" for n in values],
        textposition="outside",
        cliponaxis=False,
        textfont={"size": 12, "color": INK},
    )


def _bar_height(count: int, per_bar: int = 30) -> int:
    return max(160, 70 + per_bar * count)


def _region(filters: Filters, language: str, counts: stats.Counts) -> dict:
    records = stats.region_rows(filters, counts)
    keys = [row["key"] for row in records]
    labels = [row_label(row, language) for row in records]
    values = [int(row["cases"]) for row in records]
    region_link = url_maker("cases:region-detail")
    links = [region_link(key) for key in keys]
    bars = _horizontal_bars(keys, labels, values, language)
    bars["customdata"] = links
    figure = _figure(
        data=[bars],
        layout=_layout(
            height=_bar_height(len(keys), 28),
            margin={"l": 8, "r": 36, "t": 8, "b": 8, "pad": 4},
            xaxis=_axis(
                rangemode="tozero",
                title={"text": _("Cases")},
                **_counts_axis(max(values, default=0)),
            ),
            yaxis=_axis(
                tickvals=keys,
                ticktext=[wrap_label(label, language) for label in labels],
                autorange="reversed",
                showgrid=False,
            ),
            bargap=0.3,
        ),
    )
    return {
        "title": _("Cases by region"),
        "note": join_sentences(
            [
                _(
                    "The 17 consular districts of the Embassy, the Consulates-General and the "
                    "Consular Offices in the United States. Select a bar to open the region."
                ),
            ]
        ),
        "figure": _plain_figure(figure),
        "columns": [_("Region"), _("Cases")],
        "rows": [[label, n] for label, n in zip(labels, values, strict=True)],
        "row_links": links,
    }


@functools.lru_cache(maxsize=16)
def _theme_groups(language: str | None) -> tuple[dict, dict]:
    """The theme groups' order and names in the language: constants of the code, read
    through Django's choices machinery, which is slow enough to matter on every request."""
    order = {value: index for index, value in enumerate(ThemeGroup.values)}
    return order, {value: str(label) for value, label in ThemeGroup.choices}


def _theme_traces(records, group_labels: dict, language: str) -> list[dict]:
    """One trace of horizontal bars per theme group, in the records' order."""
    traces = []
    for group in dict.fromkeys(row["group"] for row in records):
        rows = [row for row in records if row["group"] == group]
        keys = [row["key"] for row in rows]
        labels = [row_label(row, language) for row in rows]
        values = [int(row["cases"]) for row in rows]
        traces.append(
            _horizontal_bars(
                keys,
                labels,
                values,
                language,
                colour=GROUP_COLOURS.get(group, NAVY),
                name=group_labels.get(group, group),
                uid=group,
            )
        )
    return traces


def _theme(filters: Filters, language: str, counts: stats.Counts) -> dict:
    # Groups in their own order (line of work, topic, priority area), themes as the stats give.
    order, group_labels = _theme_groups(page_language())
    records = sorted(
        stats.theme_rows(filters, counts), key=lambda row: order.get(row["group"], 99)
    )
    traces = _theme_traces(records, group_labels, language)
    keys = [row["key"] for row in records]
    labels = [row_label(row, language) for row in records]
    figure = _figure(
        data=traces,
        layout=_layout(
            height=_bar_height(len(keys), 36) + 30,
            showlegend=True,
            legend={
                "orientation": "h",
                "x": 0,
                "y": 1.0,
                "yanchor": "bottom",
                "traceorder": "normal",
            },
            margin={"l": 8, "r": 36, "t": 36, "b": 8, "pad": 4},
            xaxis=_axis(
                rangemode="tozero",
                title={"text": _("Cases")},
                **_counts_axis(max((int(row["cases"]) for row in records), default=0)),
            ),
            yaxis=_axis(
                type="category",
                categoryorder="array",
                categoryarray=keys,
                tickvals=keys,
                ticktext=[wrap_label(label, language) for label in labels],
                autorange="reversed",
                showgrid=False,
            ),
            bargap=0.3,
        ),
    )
    return {
        "title": _("Cases by theme"),
        "note": join_sentences(
            [
                _(
                    "Themes in three groups: the line of work, the topic and the Action Plan 4.0 "
                    "priority area. A case counts under each of its themes, so the bars add up "
                    "to more than the number of cases."
                ),
            ]
        ),
        "figure": _plain_figure(figure),
        "columns": [_("Theme group"), _("Theme"), _("Cases")],
        "rows": [
            [group_labels.get(row["group"], row["group"]), label, int(row["cases"])]
            for row, label in zip(records, labels, strict=True)
        ],
    }


def _state_map(filters: Filters, language: str, counts: stats.Counts) -> dict:
    """The map: states (California, Connecticut and Idaho in their two districts' parts) or
    districts, drawn by the portal as SVG (cases.maps); the table and CSV list the states."""
    records = stats.state_rows(filters, counts)
    state_link = state_urls()
    no_state = sum(int(row["cases"]) for row in records if not row["key"])
    note = [
        _(
            "Cumulative held cases in each state, the District of Columbia and each territory. "
            "Select a state to open its page."
        ),
        _(
            "California, Connecticut and Idaho are divided between two consular districts "
            "along county lines (the red lines); each part shows the cases of its own district."
        ),
    ]
    if no_state:
        note.append(
            ngettext(
                "%(count)s case with no single state is not on the map.",
                "%(count)s cases with no single state are not on the map.",
                no_state,
            )
            % {"count": f"{no_state:,}"}
        )
    if filters.region or filters.state:
        note.append(_("States outside the selected region or state are shown in grey."))
    return {
        "title": _("Cases by state"),
        "note": join_sentences(note),
        "figure": {},
        "svg": maps.render_map(filters, counts, element_id="us-map"),
        "columns": [_("State"), _("USPS code"), _("Cases")],
        "rows": [
            [row_label(row, language), row["key"] or "", int(row["cases"])] for row in records
        ],
        "row_links": [state_link(row["key"]) if row["key"] else None for row in records],
    }


FIGURE_BUILDERS = {
    "state-map": _state_map,
    "fiscal-year": _fiscal_year,
    "region": _region,
    "theme": _theme,
}
