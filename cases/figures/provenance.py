"""Where a figure or a file comes from: its data date, filters, count, counting rule, link,
licence and, while the register holds demonstration data, a label saying so.

Every page with figures, embed, CSV, XLSX, JSON and API answer carries these (the same words
everywhere, in both languages where a file may be read by either):

- the **data date** is the time of the last change that affects the figures asked for: the
  latest `FigureChange` stamp of the (fiscal year, region) groups the filters cover, or of a
  rebuild of all of them. Read once per generation (`reference.remembered`), so a warm page
  pays no query for it;
- the **licence** is the Government of Japan Standard Terms of Use (Version 2.0), which is
  compatible with CC BY 4.0.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from cases.figures.models import FigureChange
from cases.figures.reference import remembered
from cases.models import Case, CaseOrigin, Region
from cases.stats import QUERY_NAMES, InvalidFilter, parse_fiscal_year

LICENCE = {
    "en": "Government of Japan Standard Terms of Use (Version 2.0), compatible with CC BY 4.0",
    "ja": "政府標準利用規約（第2.0版）（CC BY 4.0 と互換）",
}
LICENCE_BOTH = f"{LICENCE['en']} / {LICENCE['ja']}"
# The counting rule in one line: for figures, and for lists of public cases.
FIGURES_RULE = {
    "en": "Held cases HQ has reviewed, public or not, each counted once: under the region whose "
    "mission led it, in the fiscal year (April–March) of its start date.",
    "ja": "本部の確認を経た実施済みの案件のみ（公開・非公開を問わず）を、"
    "主催した公館の管轄地域と開始日の年度（4月～3月）で1件ずつ数えます。",
}
LISTING_RULE = {
    "en": "Public held cases only, one row per case.",
    "ja": "公開されている実施済みの案件のみ（1案件1行）。",
}
DEMO_LABEL = {
    "en": "DEMONSTRATION DATA: apart from the published totals and the three FY2024 best "
    "practices, these cases are invented for testing and are not official figures.",
    "ja": "デモデータ：公表済みの合計と2024年度の3件のベストプラクティスを除き、テスト用に作成した"
    "架空の案件で、公式の数値ではありません。",
}
DATA_DATE = {"en": "Data as of", "ja": "データの日付"}


def _latest_change(from_fy, to_fy, region) -> datetime.datetime | None:
    years = Q(fiscal_year=FigureChange.ALL)
    if from_fy is not None and to_fy is not None:
        years |= Q(fiscal_year__range=(from_fy, to_fy))
    elif from_fy is not None:
        years |= Q(fiscal_year__gte=from_fy)
    elif to_fy is not None:
        years |= Q(fiscal_year__lte=to_fy)
    else:
        years = Q()
    groups = Q()
    codes = (region,) if isinstance(region, str) else tuple(region or ())
    if codes:
        region_ids = Region.objects.filter(code__in=codes).values("pk")
        groups = Q(region_id=FigureChange.ALL) | Q(region_id__in=region_ids)
    return FigureChange.objects.filter(years, groups).aggregate(at=Max("changed_at"))["at"]


def data_date(
    from_fy: int | None = None, to_fy: int | None = None, region: str | None = None
) -> datetime.datetime | None:
    """The time of the last change to the figures of these fiscal years and region (a code,
    several codes, or None: all), or None if no change was ever recorded. One query, once
    per generation."""
    return remembered(
        f"data-date:{from_fy}:{to_fy}:{region}",
        lambda: _latest_change(from_fy, to_fy, region),
    )


def holds_demo_data(request=None) -> bool:
    """Whether the register holds demonstration records (remembered per generation: without
    them the query reads every case). Pass the request where there is one, to reuse the
    generation it has already read."""
    return remembered(
        "demo-data", lambda: Case.objects.filter(origin=CaseOrigin.DEMO).exists(), request
    )


def date_label(when: datetime.datetime | None) -> str:
    if when is None:
        return "—"
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M %Z")


@dataclass
class Provenance:
    """What a download or an answer says about itself."""

    data_date: datetime.datetime | None
    filters: dict = field(default_factory=dict)
    count: int = 0
    link: str = ""
    listing: bool = False  # a list of public cases, rather than figures
    demo: bool = False

    @property
    def rule(self) -> dict:
        return LISTING_RULE if self.listing else FIGURES_RULE

    @property
    def filter_text(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in self.filters.items()) or "—"

    def as_dict(self) -> dict:
        """For JSON: a `provenance` object."""
        return {
            "data_date": self.data_date.isoformat(timespec="seconds") if self.data_date else None,
            "filters": dict(self.filters),
            "count": self.count,
            "counting_rule": dict(self.rule),
            "link": self.link,
            "licence": dict(LICENCE),
            "demonstration_data": self.demo,
            "demonstration_label": dict(DEMO_LABEL) if self.demo else None,
        }

    def rows(self) -> list[list[str]]:
        """Bilingual label / value rows, for a CSV's first lines or an XLSX's About sheet."""
        rows = []
        if self.demo:
            label = f"{DEMO_LABEL['en']} {DEMO_LABEL['ja']}"
            rows.append(["DEMONSTRATION DATA / デモデータ", label])
        rows += [
            ["Data as of / データの日付", date_label(self.data_date)],
            ["Filters / 条件", self.filter_text],
            ["Count / 件数", str(self.count)],
            ["Counting rule / 集計方法", f"{self.rule['en']} {self.rule['ja']}"],
            ["Source / 出典", self.link],
            ["Licence / 利用規約", LICENCE_BOTH],
        ]
        return rows


def for_filters(filters, count: int, link: str, *, listing: bool = False) -> Provenance:
    """The provenance of figures (or a public list) chosen by a `stats.Filters`-like object
    (from_fy, to_fy, region, state, theme), each filter named as a query string names it
    (`from`, `to`, ...), so the filters read back as the query that asks for them."""
    named = {
        QUERY_NAMES[field]: value
        for field in ("from_fy", "to_fy", "region", "state", "theme")
        if (value := getattr(filters, field, None)) not in (None, "")
    }
    return Provenance(
        data_date=data_date(
            getattr(filters, "from_fy", None),
            getattr(filters, "to_fy", None),
            getattr(filters, "region", None),
        ),
        filters=named,
        count=count,
        link=link,
        listing=listing,
        demo=holds_demo_data(),
    )


def _year(value) -> int | None:
    """A year of the query (already checked by the list's reader), or None."""
    try:
        return parse_fiscal_year(value) if value else None
    except InvalidFilter:
        return None


def for_case_list(request, count: int) -> Provenance:
    """The provenance of a public case list chosen by the case browser's query string, which
    the browser's downloads and the API's case list share: every value of a repeated filter
    is named, and the data date covers every region chosen."""
    query = request.GET.copy()
    for key in ("page", "page_size"):
        query.pop(key, None)
    regions = tuple(code for code in query.getlist("region") if code)
    browse = reverse("cases:list")
    return Provenance(
        data_date=data_date(
            _year(query.get(QUERY_NAMES["from_fy"])),
            _year(query.get(QUERY_NAMES["to_fy"])),
            regions or None,
        ),
        filters={key: ", ".join(values) for key, values in query.lists()},
        count=count,
        link=request.build_absolute_uri(browse + (f"?{query.urlencode()}" if query else "")),
        listing=True,
        demo=holds_demo_data(),
    )
