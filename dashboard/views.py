"""The dashboard, each chart's data as CSV, and the embeddable charts."""

import csv

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import stats
from cases.figures import comparison, provenance
from cases.figures.assembled import assembled_response
from cases.figures.caching import figure_response
from cases.figures.charts import CHART_SLUGS, build_chart, csv_rows
from cases.filters import redirect_old_spellings
from cases.stats import filters_query
from dashboard.cards import dashboard_figures
from dashboard.forms import ChartFilterForm
from grassroots.language import page_language
from security.csp import embeddable


def _filters_from(request):
    """The filter form bound to the query string (unbound when there is none) and the Filters
    of its valid fields."""
    form = ChartFilterForm(request.GET or None)
    return form, form.filters()


@redirect_old_spellings
@require_safe
@figure_response()
def index(request):
    """Headline figures and every chart, for the filters in the query string.

    What follows from the figures (headline, data date, the chart cards) is kept per
    generation (`dashboard.cards`); only the page around it is rendered per request, and the
    kept cards are put in as they are, already encoded and compressed
    (`cases.figures.assembled`)."""
    form, filters = _filters_from(request)
    figures = dashboard_figures(request, filters)
    removals = []
    for name, label in form.active():
        query = request.GET.copy()
        query.pop(name, None)
        removals.append((label, f"?{query.urlencode()}" if query else request.path))
    context = {
        "form": form,
        # Not {{ form.rendered_fields }}: a template's lookup tries form["rendered_fields"]
        # first, which would build every field of a form that needs none.
        "filter_fields": form.rendered_fields(),
        "filters": filters,
        "filter_messages": form.messages(),
        "active_filters": removals,
        "headline": figures.headline,
        "first_fy_label": figures.first_fy_label,
        "latest_fy_label": figures.latest_fy_label,
        "filtered_total": figures.filtered_total,
        "headline_html": figures.headline_html,
        "chart_cards": figures.cards,
        "page_data_date": figures.page_data_date,
    }
    return assembled_response(request, "dashboard/index.html", context)


def _data_date(filters) -> str:
    return provenance.date_label(
        provenance.data_date(filters.from_fy, filters.to_fy, filters.region)
    )


def _chart_or_404(slug: str, filters):
    if slug not in CHART_SLUGS:
        raise Http404(_("There is no chart called “%(slug)s”.") % {"slug": slug})
    return build_chart(slug, filters)


@redirect_old_spellings
@require_safe
@figure_response()
def chart_csv(request, slug):
    """One chart's table as CSV: UTF-8 with a byte-order mark, so Excel in Japanese reads it."""
    form, filters = _filters_from(request)
    if slug not in CHART_SLUGS:
        raise Http404(_("There is no chart called “%(slug)s”.") % {"slug": slug})
    if form.messages():
        # A file silently counting something else than asked would mislead; say what is wrong.
        return HttpResponseBadRequest(
            "\n".join(form.messages()), content_type="text/plain; charset=utf-8"
        )
    chart = build_chart(slug, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    query = filters_query(filters).replace("&", "_").replace("=", "-")
    name = "-".join(part for part in ("grassroots", slug, query, page_language()) if part)
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    # What the file is, then a blank line, then the chart's table.
    shown = filters_query(filters)
    link = request.build_absolute_uri(reverse("dashboard:index")) + (f"?{shown}" if shown else "")
    about = provenance.for_filters(filters, stats.total(filters), link)
    writer.writerows(about.rows())
    writer.writerow([])
    writer.writerows(csv_rows(chart))
    return response


@redirect_old_spellings
@embeddable
@require_safe
@figure_response()
def embed(request, slug):
    """One chart with its note and a link back, without the site frame, for other sites to
    show in an iframe: the only pages that may be framed."""
    form, filters = _filters_from(request)
    chart = _chart_or_404(slug, filters)
    query = filters_query(filters)
    dashboard_url = reverse("dashboard:index") + (f"?{query}" if query else "")
    return render(
        request,
        "dashboard/embed.html",
        {
            "chart": chart,
            "page_data_date": _data_date(filters),
            "filter_messages": form.messages(),
            "dashboard_url": f"{dashboard_url}#{chart.element_id}",
        },
    )


def _selected(request, by: str, fallback: dict) -> dict:
    """The values one of the page's two forms shows: the query's when it asked for this kind
    of comparison (even a refused one, so the reader sees what was asked), else `fallback`."""
    if (request.GET.get("by") or comparison.BY_FISCAL_YEAR) == by and request.GET:
        return {name: request.GET.get(name, "") for name in ("a", "b", "region", "from", "to")}
    return {name: str(value) for name, value in fallback.items()}


@redirect_old_spellings
@require_safe
@figure_response()
def compare(request):
    """Two fiscal years, or two districts, side by side: totals, tables by theme, state and
    format with the differences, and a paragraph saying what changed."""
    context, status = comparison_context(request, reverse("dashboard:compare"))
    return render(request, "dashboard/compare.html", context, status=status)


def comparison_context(request, action: str) -> tuple[dict, int]:
    """The comparison page's context and status (400 for a refused query), shared by the
    public page and the staff view in the admin; `action` is where its forms go."""
    messages, result = [], None
    try:
        asked = comparison.read_query(request.GET)
    except comparison.BadComparison as problem:
        messages = problem.messages
    else:
        result = comparison.compare(asked)
    default_years = comparison.default_request() if result is None or result.by_region else None
    years = result.request if result and not result.by_region else default_years
    regions = [key for key, _label in comparison.region_choices()]
    context = {
        "problems": messages,
        "form_action": action,
        "comparison": result,
        "year_choices": [(str(year), label) for year, label in comparison.year_choices()],
        "region_choices": comparison.region_choices(),
        "year_form": _selected(
            request,
            comparison.BY_FISCAL_YEAR,
            {"a": years.a, "b": years.b, "region": years.region or ""},
        ),
        "region_form": _selected(
            request, comparison.BY_REGION, {"a": regions[0], "b": regions[1], "from": "", "to": ""}
        ),
        "page_data_date": provenance.date_label(result.data_date()) if result else "",
    }
    if result is not None:
        context.update(_result_context(result))
    return context, 400 if messages else 200


def _result_context(result) -> dict:
    """What the page shows of a comparison: title, summary, the tables with the differences
    and the downloads of the same comparison."""
    language = page_language()
    query = urlencode(result.request.query())
    return {
        "title": result.title(language),
        "scope": result.scope(language),
        "summary": result.summary(language),
        "first_label": result.first.label(language),
        "second_label": result.second.label(language),
        "difference": comparison.signed(result.difference),
        "tables": [
            {
                "name": name,
                "title": comparison.table_title(name),
                "rows": [
                    {
                        "label": row.label(language),
                        "first": row.first,
                        "second": row.second,
                        "difference": comparison.signed(row.difference),
                        "change": _change(row.difference),
                    }
                    for row in result.tables[name]
                ],
            }
            for name in comparison.DIMENSIONS
        ],
        "downloads": [
            (label, f"{reverse('exchange:comparison-download', args=[fmt])}?{query}")
            for fmt, label in (
                ("csv", _("CSV file")),
                ("xlsx", _("Excel workbook (XLSX)")),
                ("json", _("JSON file")),
            )
        ],
    }


def _change(difference: int) -> str:
    return "up" if difference > 0 else "down" if difference < 0 else "same"
