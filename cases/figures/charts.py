"""Charts of the register's figures, built from the stats layer, and the contract pages share.

Any page can show a chart:

    chart = build_chart("region", Filters(region="miami"))
    {% include "dashboard/includes/chart.html" with chart=chart %}

and load `vendor/plotly/plotly.min.js` then `js/charts.js` (and `css/dashboard.css`). The
include puts the figure in the page as JSON (`json_script`); charts.js draws every such figure.
Each chart carries its data as a table (columns, rows) that the page shows on request and the
CSV download serves, so the picture, the table and the file always hold the same numbers.

Labels follow the active language. Figures are plain JSON-ready dicts (no numpy arrays, no
plotly template), built as plain dicts in the shape
plotly.graph_objects gives (tests/test_dashboard.py pins them against it).
"""

import functools
import textwrap
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import maps, rules, stats
from cases.figures import reference
from cases.models import ThemeGroup
from cases.stats import Filters, filters_query
from grassroots.language import is_japanese, page_language, pick

CHART_SLUGS = ("state-map", "fiscal-year", "region", "theme")

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


class UnknownChart(KeyError):
    """No chart has this slug."""


@dataclass
class Chart:
    """One chart: its figure, the same data as a table, and where to download or embed it.

    `figure` is a plotly figure as a JSON-ready dict; `columns` and `rows` are the table (and
    the CSV), in the page's language; `csv_url` and `embed_url` carry the same filters.
    `scope` says the filters in words ('' for none); `row_links`, when not empty, holds a URL
    (or None) for each row's first cell.
    """

    slug: str
    title: str
    note: str
    figure: dict
    columns: list[str]
    rows: list[list]
    csv_url: str
    embed_url: str
    scope: str = ""
    row_links: list[str | None] = field(default_factory=list)
    svg: str = ""  # a chart the portal draws itself (the map), instead of a plotly figure

    @property
    def element_id(self) -> str:
        return f"chart-{self.slug}"

    @property
    def figure_id(self) -> str:
        return f"chart-{self.slug}-figure"

    @property
    def table(self) -> list[tuple[str, str | None, list[tuple[str, bool]]]]:
        """The data table's rows as the card shows them: each row's first cell and its link
        (or None), then its other cells as (text, holds a number), numbers grouped with
        commas. Plain text: the card's template escapes it."""
        links = self.row_links or [None] * len(self.rows)
        return [
            (
                str(row[0]),
                link,
                [
                    (_grouped(value), True) if _is_number(value) else (str(value), False)
                    for value in row[1:]
                ],
            )
            for row, link in zip(self.rows, links, strict=True)
        ]

    @property
    def header(self) -> list[tuple[str, bool]]:
        """Each column's name and whether it holds numbers (judged by the first row)."""
        first = self.rows[0] if self.rows else [None] * len(self.columns)
        return [(name, _is_number(value)) for name, value in zip(self.columns, first, strict=True)]


def _grouped(value) -> str:
    """A number with thousands separators, as humanize's intcomma writes it in English and
    Japanese (both group with commas)."""
    if isinstance(value, int):
        return f"{value:,}"
    return str(intcomma(value))


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def build_chart(slug: str, filters: Filters) -> Chart:
    """The chart `slug` (one of CHART_SLUGS) for these filters, in the active language."""
    return build_charts([slug], filters)[0]


def build_charts(slugs, filters: Filters, counts: stats.Counts | None = None) -> list[Chart]:
    """Several charts for the same filters; the filters are described in words only once, and
    the counts are read once for all of them (pass `counts` to share them with the page)."""
    unknown = [slug for slug in slugs if slug not in _BUILDERS]
    if unknown:
        raise UnknownChart(unknown[0])
    language = page_language()
    scope = describe(filters, language)
    query = filters_query(filters)
    if counts is None or counts.filters != filters:
        counts = stats.Counts(filters)
    charts = []
    for slug in slugs:
        parts = _BUILDERS[slug](filters, language, counts)
        charts.append(
            Chart(
                slug=slug,
                csv_url=_with_query(reverse("dashboard:csv", kwargs={"slug": slug}), query),
                embed_url=_with_query(reverse("dashboard:embed", kwargs={"slug": slug}), query),
                scope=scope,
                **parts,
            )
        )
    return charts


# --- Words --------------------------------------------------------------------------------------


def describe(filters: Filters, language: str) -> str:
    """The filters in words, e.g. 'FY2020–FY2024 · Miami · Energy'; '' for no filters."""
    parts = []
    if filters.from_fy is not None and filters.to_fy is not None:
        if filters.from_fy == filters.to_fy:
            parts.append(rules.fiscal_year_label(filters.from_fy, language))
        else:
            separator = "～" if is_japanese(language) else "–"
            parts.append(
                rules.fiscal_year_label(filters.from_fy, language)
                + separator
                + rules.fiscal_year_label(filters.to_fy, language)
            )
    elif filters.from_fy is not None:
        parts.append(
            _("from %(year)s") % {"year": rules.fiscal_year_label(filters.from_fy, language)}
        )
    elif filters.to_fy is not None:
        parts.append(
            _("up to %(year)s") % {"year": rules.fiscal_year_label(filters.to_fy, language)}
        )
    for listing, value in (
        (reference.regions, filters.region),
        (reference.states, (filters.state or "").upper()),
        (reference.themes, filters.theme),
    ):
        if value:
            item = listing().get(value)
            parts.append(item.label(language) if item else value)
    return " · ".join(parts)


def _label(row: dict, language: str) -> str:
    """A frame row's label in the language, falling back to the other one."""
    return pick(row["label_en"], row["label_ja"], language).text


def _cases(count: int) -> str:
    """'1 case', '1,292 cases' in the active language."""
    return _cases_in(page_language(), count)


@functools.lru_cache(maxsize=4096)
def _cases_in(language: str | None, count: int) -> str:
    # A pure function of its arguments (the number is given, nothing is read): remembered
    # because a dashboard's hover texts ask for a hundred of them on every request.
    return ngettext("%(count)s case", "%(count)s cases", count) % {"count": f"{count:,}"}


@functools.lru_cache(maxsize=1024)
def _wrap(label: str, language: str) -> str:
    """Long axis labels broken over lines so horizontal bars keep room on a phone (remembered:
    the labels are the reference data's names, and textwrap is slow)."""
    japanese = is_japanese(language)
    width = 14 if japanese else 30
    if japanese:
        lines = [label[i : i + width] for i in range(0, len(label), width)]
    else:
        lines = textwrap.wrap(label, width) or [label]
    return "<br>".join(lines)


# --- Links --------------------------------------------------------------------------------------


# Stands for the code while a URL pattern is reversed once (two letters: a state's pattern).
_PLACEHOLDER = "ZZ"


@functools.lru_cache(maxsize=64)
def _url_around_code(name: str, fallback: str, language: str, prefix: str, urlconf):
    """The URL of `name` split around its code: reversing once per language instead of once
    for each of the hundred-odd tiles and rows of a dashboard."""
    try:
        url = reverse(name, kwargs={"code": _PLACEHOLDER}, urlconf=urlconf)
    except NoReverseMatch:
        url = f"/{language}/{fallback}/{_PLACEHOLDER}/"
    before, _sep, after = url.partition(_PLACEHOLDER)
    return before, after


def _url_maker(name: str, fallback: str):
    """A function from a code to the page's URL, for the active language and URL conf: the
    language and URL conf are read once, not once per tile and row."""
    key = (name, fallback, page_language(), get_script_prefix(), get_urlconf())
    before, after = _url_around_code(*key)
    return lambda code: f"{before}{iri_to_uri(code)}{after}"


def state_urls():
    """The maker of state page URLs (see _url_maker)."""
    return _url_maker("cases:state-detail", "states")


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


# --- Figures ------------------------------------------------------------------------------------


def _counts_axis(largest: int) -> dict:
    """Ticks for an axis of case counts: whole numbers only. Plotly picks steps of 0.5 when
    the largest value is small, so up to 5 the step is 1."""
    ticks = {"tickformat": ",d"}
    if largest <= 5:
        ticks["dtick"] = 1
    return ticks


def _sentences(parts) -> str:
    """Sentences of a note in the page language: Japanese sentences follow one another with
    no space between them (。の後に半角スペースを入れない), English ones with one."""
    joiner = "" if is_japanese() else " "
    return joiner.join(str(part) for part in parts)


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


def _fiscal_year(filters: Filters, language: str, counts: stats.Counts) -> dict:
    records = stats.fiscal_year_rows(filters, counts)
    years = [row["key"] for row in records]
    labels = [_label(row, language) for row in records]
    cases = [row["cases"] for row in records]
    cumulative = [row["cumulative"] for row in records]
    # Two-line ticks in Japanese: '2024年度' over '（令和6年度）'.
    ticks = [label.replace("（", "<br>（") for label in labels]
    running = _("Running total")
    figure = _figure(
        data=[
            _trace(
                "bar",
                uid="cases",
                name=_("Cases in the year"),
                x=years,
                y=cases,
                marker={"color": NAVY},
                hovertext=[
                    f"{label}: {_cases(n)}" for label, n in zip(labels, cases, strict=True)
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
        ],
        layout=_layout(
            height=400,
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            margin={"l": 8, "r": 8, "t": 40, "b": 8, "pad": 4},
            xaxis=_axis(
                type="category", tickvals=years, ticktext=ticks, showgrid=False, title=None
            ),
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
        ),
    )
    if not years:
        figure["layout"].update(_no_data({}))
    return {
        "title": _("Cases by fiscal year"),
        "note": _sentences(
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
        hovertext=[f"{label}: {_cases(n)}" for label, n in zip(labels, values, strict=True)],
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
    labels = [_label(row, language) for row in records]
    values = [int(row["cases"]) for row in records]
    region_link = _url_maker("cases:region-detail", "regions")
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
                ticktext=[_wrap(label, language) for label in labels],
                autorange="reversed",
                showgrid=False,
            ),
            bargap=0.3,
        ),
    )
    return {
        "title": _("Cases by region"),
        "note": _sentences(
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


def _theme(filters: Filters, language: str, counts: stats.Counts) -> dict:
    # Groups in their own order (line of work, topic, priority area), themes as the stats give.
    order, group_labels = _theme_groups(page_language())
    records = sorted(
        stats.theme_rows(filters, counts), key=lambda row: order.get(row["group"], 99)
    )
    traces = []
    for group in dict.fromkeys(row["group"] for row in records):
        rows = [row for row in records if row["group"] == group]
        keys = [row["key"] for row in rows]
        labels = [_label(row, language) for row in rows]
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
    keys = [row["key"] for row in records]
    labels = [_label(row, language) for row in records]
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
                ticktext=[_wrap(label, language) for label in labels],
                autorange="reversed",
                showgrid=False,
            ),
            bargap=0.3,
        ),
    )
    return {
        "title": _("Cases by theme"),
        "note": _sentences(
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
        "note": _sentences(note),
        "figure": {},
        "svg": maps.render_map(filters, counts, element_id="us-map"),
        "columns": [_("State"), _("USPS code"), _("Cases")],
        "rows": [[_label(row, language), row["key"] or "", int(row["cases"])] for row in records],
        "row_links": [state_link(row["key"]) if row["key"] else None for row in records],
    }


_BUILDERS = {
    "state-map": _state_map,
    "fiscal-year": _fiscal_year,
    "region": _region,
    "theme": _theme,
}


# --- CSV ----------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading single quote. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_rows(chart: Chart):
    """The chart's table as CSV rows: the header, then the data, every cell made safe."""
    yield [csv_safe(column) for column in chart.columns]
    for row in chart.rows:
        yield [csv_safe(value) for value in row]
