"""What the dashboard shows of the figures, made once per generation, language and filter set.

The chart cards (four figures with their data tables, the drawn map and the embed code), the
headline figures and the data date are what an uncached dashboard would spend most of its time
on, and they follow from nothing but the data (the generation), the language, the filters, the
current fiscal year and the host name the embed code points at. So each worker keeps them for
the filter sets used most recently (`reference.remembered_recently`, bounded), and a change to
any case drops them all with its generation. The headline section is kept as markup, the cards
as a `cases.figures.assembled.Piece` (their markup, UTF-8 bytes and compressed form, each made
once); the page around them (the filter form, the chips, the site's frame) is rendered on every
request.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from cases import rules, stats
from cases.figures import provenance, reference
from cases.figures.assembled import Piece
from cases.figures.charts import CHART_SLUGS, build_charts
from grassroots.language import page_language


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard shows that follows from the figures alone."""

    headline: stats.Headline
    first_fy_label: str
    latest_fy_label: str
    filtered_total: int | None  # None without filters
    page_data_date: str
    headline_html: SafeString  # the headline section, rendered (and escaped) by its template
    cards: Piece


def dashboard_figures(request, filters) -> DashboardFigures:
    """The dashboard's figures and chart cards for `filters`, kept per generation, language,
    scheme and host, fiscal year and filter set."""
    key = (
        "dashboard-figures",
        page_language(),
        request.scheme,
        request.get_host(),
        rules.fiscal_year_of(timezone.localdate()),
        filters,
    )
    return reference.remembered_recently(key, lambda: _made(request, filters), request)


def _made(request, filters) -> DashboardFigures:
    language = page_language()
    counts = stats.Counts(filters)
    cards = Piece(
        render_to_string(
            "dashboard/includes/charts.html",
            {"charts": build_charts(CHART_SLUGS, filters, counts)},
            request,
        )
    )
    # The cards have read the tally rows: the headline and the filtered total are sums of
    # them when the filters are the ones the headline counts (all cases).
    filtered = filters != stats.ALL
    headline = stats.headline(stats.ALL, None if filtered else counts)
    figures = {
        "headline": headline,
        "first_fy_label": (
            rules.fiscal_year_label(headline.first_fy, language) if headline.first_fy else ""
        ),
        "latest_fy_label": (
            rules.fiscal_year_label(headline.latest_fy, language) if headline.latest_fy else ""
        ),
        "filtered_total": stats.total(filters, counts) if filtered else None,
    }
    return DashboardFigures(
        **figures,
        page_data_date=provenance.date_label(
            provenance.data_date(filters.from_fy, filters.to_fy, filters.region)
        ),
        headline_html=render_to_string("dashboard/includes/headline.html", figures, request),
        cards=cards,
    )


def chart_cards(request, filters) -> str:
    """The markup of every dashboard chart card for `filters` (safe: the template escaped it)."""
    return dashboard_figures(request, filters).cards.html
