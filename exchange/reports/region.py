"""A regional report's content: every figure for one district and a fiscal-year range,
gathered once from `cases.stats` (and the partner-kind count from `exchange.analytics`)."""

import datetime
from dataclasses import dataclass

import pandas as pd
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from cases import rules, stats
from cases.figures import provenance
from cases.models import CaseOrigin, Region
from exchange import analytics
from exchange.exporting import CaseExporter
from grassroots.language import is_japanese, page_language

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
FORMATS = ("xlsx", "csv", "html")
PAPERS = ("a4", "letter")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}

NO_STATE_NOTE = (
    "A case with no single state (such as a nationwide campaign) counts under its region but "
    "under no state."
)


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why."""


@dataclass
class RegionReport:
    """Everything a regional report shows, computed once."""

    region: Region
    filters: stats.Filters
    taken_at: datetime.datetime
    base_url: str
    language: str
    paper: str
    total: int
    fiscal_years: pd.DataFrame
    states: pd.DataFrame
    themes: pd.DataFrame
    partner_kinds: pd.DataFrame
    previous_cases: int
    demo_cases: int

    @property
    def from_fy(self) -> int:
        return self.filters.from_fy

    @property
    def to_fy(self) -> int:
        return self.filters.to_fy

    @property
    def latest_fy(self) -> int:
        return self.filters.to_fy

    @property
    def latest_cases(self) -> int:
        row = self.fiscal_years[self.fiscal_years["key"] == self.latest_fy]
        return int(row["cases"].iloc[0]) if len(row) else 0

    @property
    def change(self) -> int:
        return self.latest_cases - self.previous_cases

    @property
    def change_ratio(self) -> float | None:
        return self.change / self.previous_cases if self.previous_cases else None

    @property
    def range_label(self) -> str:
        return fiscal_year_range_label(self.from_fy, self.to_fy, self.language)

    @property
    def taken_at_label(self) -> str:
        return timezone.localtime(self.taken_at).strftime("%Y-%m-%d %H:%M %Z")

    @property
    def data_date(self):
        """When the figures of this region and these years last changed."""
        return provenance.data_date(self.from_fy, self.to_fy, self.region.code)

    @property
    def data_date_label(self) -> str:
        return provenance.date_label(self.data_date)

    @property
    def filter_label(self) -> str:
        return f"region={self.region.code}, from={self.from_fy}, to={self.to_fy}, status=held"

    @property
    def region_url(self) -> str:
        """The region's page on the portal."""
        return self.base_url + _portal_path(
            "cases:region-detail", {"code": self.region.code}, self.language
        )

    @property
    def browse_url(self) -> str:
        """The case browser with this report's filters (its public cases)."""
        path = _portal_path("cases:list", {}, self.language)
        query = urlencode({"region": self.region.code, "from": self.from_fy, "to": self.to_fy})
        return f"{self.base_url}{path}?{query}"

    def exporter(self) -> CaseExporter:
        return CaseExporter(self.filters.cases().order_by("start_date", "pk"))

    def file_name(self, fmt: str) -> str:
        return f"region-report-{self.region.code}-FY{self.from_fy}-FY{self.to_fy}.{fmt}"


def fiscal_year_range_label(first: int, last: int, language: str) -> str:
    if first == last:
        return rules.fiscal_year_label(first, language)
    separator = "～" if is_japanese(language) else "–"
    return (
        f"{rules.fiscal_year_label(first, language)}{separator}"
        f"{rules.fiscal_year_label(last, language)}"
    )


def _portal_path(name: str, kwargs: dict, language: str) -> str:
    """The path of a portal page in the report's language (every URLconf routes them)."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def build_region_report(
    region_code: str,
    from_fy: int | None = None,
    to_fy: int | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    language: str = "en",
    paper: str | None = None,
    taken_at: datetime.datetime | None = None,
) -> RegionReport:
    """The figures of one region's report. Open years default to FY2017 and the current FY
    (the span's ends: defaults, not a check). The region and the years are checked by the one
    rule of filters (`stats.Filters.problems`); ReportError says what is wrong."""
    first, last = stats.fiscal_year_span()
    from_fy = first if from_fy is None else from_fy
    to_fy = last if to_fy is None else to_fy
    filters = stats.Filters(from_fy=from_fy, to_fy=to_fy, region=region_code)
    try:
        filters.validate()
    except stats.InvalidFilter as problem:
        raise ReportError(str(problem)) from None
    region = Region.objects.get(code=region_code)
    language = page_language(language)
    previous = stats.Filters(from_fy=to_fy - 1, to_fy=to_fy - 1, region=region.code)
    return RegionReport(
        region=region,
        filters=filters,
        taken_at=taken_at or timezone.now(),
        base_url=base_url.rstrip("/"),
        language=language,
        paper=paper or default_paper(language),
        total=stats.total(filters),
        fiscal_years=stats.by_fiscal_year(filters),
        states=stats.by_state(filters),
        themes=stats.by_theme(filters),
        partner_kinds=analytics.by_partner_kind(filters),
        # No year before the register's first: the one rule says whether there is one.
        previous_cases=0 if previous.problems() else stats.total(previous),
        demo_cases=filters.cases().filter(origin=CaseOrigin.DEMO).count(),
    )


def default_paper(language: str) -> str:
    """The paper from settings.PORTAL_REPORT_PAPER; "auto" is A4 in Japanese, else Letter."""
    from django.conf import settings

    chosen = getattr(settings, "PORTAL_REPORT_PAPER", "auto")
    if chosen in PAPERS:
        return chosen
    return "a4" if is_japanese(language) else "letter"


def demo_label() -> str:
    return f"{provenance.DEMO_LABEL['en']} {provenance.DEMO_LABEL['ja']}"
