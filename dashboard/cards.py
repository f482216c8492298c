"""The dashboard's chart cards as markup, made once per generation, language and filter set.

The cards (four figures with their data tables, the drawn map and the embed code) are most of
what an uncached dashboard costs to make, and they follow from nothing but the data (the
generation), the language, the filters, the current fiscal year and the host name the embed
code points at. So each worker keeps the markup of the filter sets used most recently
(`reference.remembered_recently`, bounded), and a change to any case drops them all with its
generation. The page around the cards (the filter form, the headline, the chips) is made on
every request.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from cases import rules
from cases.figures import reference
from cases.figures.charts import CHART_SLUGS, build_charts
from grassroots.language import page_language


def chart_cards(request, filters, counts=None) -> str:
    """The markup of every dashboard chart card for `filters` (safe: the template escaped it).

    `counts` (the page's `stats.Counts` for these filters) is read only when the cards are
    made afresh."""
    key = (
        "dashboard-cards",
        page_language(),
        request.scheme,
        request.get_host(),
        rules.fiscal_year_of(timezone.localdate()),
        filters,
    )
    return reference.remembered_recently(
        key,
        lambda: render_to_string(
            "dashboard/includes/charts.html",
            {"charts": build_charts(CHART_SLUGS, filters, counts)},
            request,
        ),
        request,
    )
