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

from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from cases import stats
from cases.figures.labels import describe, with_query
from cases.figures.plots import FIGURE_BUILDERS
from cases.stats import Filters, filters_query
from grassroots.language import page_language

CHART_SLUGS = ("state-map", "fiscal-year", "region", "theme")


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
    unknown = [slug for slug in slugs if slug not in FIGURE_BUILDERS]
    if unknown:
        raise UnknownChart(unknown[0])
    language = page_language()
    scope = describe(filters, language)
    query = filters_query(filters)
    if counts is None or counts.filters != filters:
        counts = stats.Counts(filters)
    charts = []
    for slug in slugs:
        parts = FIGURE_BUILDERS[slug](filters, language, counts)
        charts.append(
            Chart(
                slug=slug,
                csv_url=with_query(reverse("dashboard:csv", kwargs={"slug": slug}), query),
                embed_url=with_query(reverse("dashboard:embed", kwargs={"slug": slug}), query),
                scope=scope,
                **parts,
            )
        )
    return charts


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
