"""The regional report as a printable page."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cases import places
from exchange import svg
from exchange.exporting import case_values
from exchange.reports.region import RegionReport
from grassroots.language import is_japanese


def report_stylesheet() -> str:
    path = finders.find("css/report.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def html_report(report: RegionReport, browser: dict | None = None) -> str:
    """A printable, self-contained page: styles inline, charts as SVG, no script.

    `browser` (the staff page that opens the report in the browser): {"downloads": {format:
    url}, "form": url}. The page then links the stylesheet and a small print script from the
    portal's static files (its Content-Security-Policy allows no inline style or script) and
    shows a toolbar, which is not printed.
    """
    with translation.override(report.language):
        label = "label_ja" if is_japanese(report.language) else "label_en"
        years = report.fiscal_years.to_dict("records")
        states = report.states.to_dict("records")
        themes = report.themes.to_dict("records")
        kinds = report.partner_kinds.to_dict("records")
        for rows in (years, states, themes, kinds):
            for row in rows:
                row["label"] = row[label]
        context = {
            "report": report,
            "region_name": report.region.name,
            "mission_name": report.region.mission_name,
            "years": years,
            "states": states,
            "themes": themes,
            "kinds": kinds,
            "cases": [
                case_values(case) | {"case": case, "place": places.case_place(case)}
                for case in report.exporter().cases()
            ],
            "browser": browser,
            "stylesheet": "" if browser else mark_safe(report_stylesheet()),  # our own file
            "charts": {
                "fiscal_year": svg.column_chart(
                    [(row["label_en"], row["cases"]) for row in years],
                    _("Cases by fiscal year"),
                    "chart-fiscal-year",
                ),
                "state": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in states],
                    _("Cases by state"),
                    "chart-state",
                ),
                "theme": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in themes if row["cases"]],
                    _("Cases by theme"),
                    "chart-theme",
                ),
                "partner_kind": svg.bar_chart(
                    [(row["label"], row["cases"]) for row in kinds if row["cases"]],
                    _("Cases by partner kind"),
                    "chart-partner-kind",
                ),
            },
        }
        return render_to_string("exchange/region_report.html", context)
