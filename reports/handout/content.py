"""What the handout says, gathered once in one language: the year's and the cumulative
totals from the one figures layer (`cases.stats`: counted cases only), each district's
cumulative figure and outline, the best practices of the year from the register, the data date
and, while the register holds demonstration data, the label saying so
(`cases.figures.provenance`). The writers (`page`, `slides`) only lay it out."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import geo, places, rules, stats
from cases.figures import provenance, reference
from cases.maps import colour as count_colour
from cases.models import Case, CasePartner, PartnerRole
from grassroots.language import LANGUAGES, is_japanese, join_sentences, localized
from reports.handout.paths import polygons

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# A best practice's lines on its slide: its summary's sentences, at most this many.
MAX_LINES = 4


class HandoutError(ValueError):
    """The handout cannot be made as asked; the message says why (in the active language)."""


def check_year(fiscal_year) -> int:
    """The fiscal year as an int the register can answer for (`stats.parse_fiscal_year`, the
    one parser and rule), or HandoutError with a message a person can act on."""
    try:
        return stats.parse_fiscal_year(fiscal_year)
    except stats.InvalidFilter as problem:
        raise HandoutError(str(problem)) from None


def check_language(language) -> str:
    """ "ja" or "en", or HandoutError."""
    if language not in LANGUAGES:
        raise HandoutError(
            _("The language must be “ja” (Japanese) or “en” (English), not “%(language)s”.")
            % {"language": str(language)[:20]}
        )
    return language


# --- What the handout says ------------------------------------------------------------------


@dataclass
class DistrictFigure:
    """One consular district on the map: its cumulative count and its drawn shapes."""

    code: str
    name: str
    cases: int
    fill: str
    polygons: list[list[tuple[float, float]]]

    @property
    def cases_label(self) -> str:
        return number(self.cases)


@dataclass
class BestPractice:
    number: int
    title: str
    place: str
    month: str
    lines: list[str]
    partners: list[str]


@dataclass
class Handout:
    """Everything the handout shows, in its language, computed once."""

    fiscal_year: int
    language: str
    year_cases: int
    cumulative_cases: int
    districts: list[DistrictFigure]
    best_practices: list[BestPractice]
    data_date: datetime.datetime | None
    demo: bool
    taken_at: datetime.datetime
    words: dict = field(default_factory=dict)

    @property
    def first_fy(self) -> int:
        return rules.FIRST_FISCAL_YEAR

    @property
    def cumulative_label(self) -> str:
        return number(self.cumulative_cases)

    @property
    def year_label(self) -> str:
        return number(self.year_cases)

    @property
    def filters(self) -> dict:
        return {"from_fy": self.first_fy, "to_fy": self.fiscal_year, "status": "held"}

    def file_name(self, fmt: str) -> str:
        return f"handout-FY{self.fiscal_year}-{self.language}.{fmt}"


def number(value: int) -> str:
    """A count as both languages write it in the handout: 1,292."""
    return f"{value:,}"


def _year(year: int, language: str) -> str:
    """The short form of a fiscal year in running text: FY2024, 2024年度."""
    return f"{year}年度" if is_japanese(language) else f"FY{year}"


def _month(day: datetime.date, language: str) -> str:
    if is_japanese(language):
        return f"{day.year}年{day.month}月"
    return dateformat.format(day, "F Y")


# Sentences end at 。 in Japanese; in English at . ! ? before a capital, except after a title
# or an initial ("Dr. Maki Kano", "U.S. Navy").
_ENGLISH_END = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\bSt\.)(?<!\b[A-Z]\.)"
    r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])"
)


def summary_lines(text: str, language: str) -> list[str]:
    """A summary as the handout's lines: its sentences, at most MAX_LINES (the rest joined to
    the last line, so nothing is lost)."""
    text = " ".join((text or "").split())
    if not text:
        return []
    if is_japanese(language):
        parts = [part + "。" for part in text.split("。") if part.strip()]
        if not text.endswith("。") and parts:
            parts[-1] = parts[-1].removesuffix("。")
    else:
        parts = [part for part in _ENGLISH_END.split(text) if part.strip()]
    if len(parts) > MAX_LINES:
        parts = [*parts[: MAX_LINES - 1], join_sentences(parts[MAX_LINES - 1 :], language)]
    return parts


def _role_line(role: str, names: list[str], language: str) -> str:
    """ "Co-hosts: A; B" in the language (English names are separated by semicolons: a
    partner's own name may hold a comma)."""
    joined = ("、" if is_japanese(language) else "; ").join(names)
    count = len(names)
    lines = {
        PartnerRole.CO_HOST: ngettext("Co-host: %(names)s", "Co-hosts: %(names)s", count),
        PartnerRole.SPEAKER: ngettext("Speaker: %(names)s", "Speakers: %(names)s", count),
        PartnerRole.SPONSOR: ngettext("Sponsor: %(names)s", "Sponsors: %(names)s", count),
        PartnerRole.PARTICIPANT: ngettext(
            "Taking part: %(names)s", "Taking part: %(names)s", count
        ),
    }
    return lines.get(role, "%(names)s") % {"names": joined}


def _partners(case: Case, language: str) -> list[str]:
    """One line per role, roles in their order: "Co-host: Greater Miami Chamber of Commerce"."""
    by_role: dict[str, list[str]] = {}
    links = CasePartner.objects.filter(case=case).select_related("partner").order_by("pk")
    for link in links:
        by_role.setdefault(link.role, []).append(localized(link.partner, "name", language).text)
    return [
        _role_line(role, by_role[role], language) for role in PartnerRole.values if role in by_role
    ]


def _best_practices(fiscal_year: int, language: str) -> list[BestPractice]:
    """The counted best practices of the year, by start date."""
    cases = (
        Case.objects.counted()
        .filter(is_best_practice=True, fiscal_year=fiscal_year)
        .select_related("state")
        .order_by("start_date", "pk")
    )
    return [
        BestPractice(
            number=index,
            title=localized(case, "title", language).text,
            place=places.case_place(case, language),
            month=_month(case.start_date, language),
            lines=summary_lines(localized(case, "summary", language).text, language),
            partners=_partners(case, language),
        )
        for index, case in enumerate(cases, start=1)
    ]


def _districts(cumulative: stats.Filters) -> list[DistrictFigure]:
    counts = {row["key"]: row["cases"] for row in stats.region_rows(cumulative)}
    largest = max([1, *counts.values()])
    figures = []
    for district in geo.district_map():
        count = counts.get(district.code, 0)
        figures.append(
            DistrictFigure(
                code=district.code,
                name=district.region.name,
                cases=count,
                fill=count_colour(count, largest),
                polygons=[ring for shape in district.shapes for ring in polygons(shape.d)],
            )
        )
    return figures


def _words(handout: "Handout", lines_of_work: list[str]) -> dict:
    """The handout's sentences, in its language (built under translation.override)."""
    n, first = handout.fiscal_year, handout.first_fy
    language = handout.language
    separator = "、" if is_japanese(language) else "; "
    values = {
        "first": _year(first, language),
        "year": _year(n, language),
        "lines": separator.join(lines_of_work),
        "year_cases": number(handout.year_cases),
        "total": number(handout.cumulative_cases),
    }
    return {
        "organisation": _("Task Force on Strengthening Japan–US Relations from the Grassroots"),
        "title": _("Cases held %(first)s–%(year)s (cumulative, by consular district)") % values,
        "sentence": _(
            "Since %(first)s the task force has worked on %(lines)s (%(year)s: %(year_cases)s "
            "cases held; %(total)s in total since %(first)s)."
        )
        % values,
        "map_title": _("Cases held %(first)s–%(year)s by consular district") % values,
        "map_note": _(
            "Each district's figure is its cumulative count from %(first)s to %(year)s. A case "
            "counts once, under the district whose mission led it (a case with no single "
            "state included). California, Connecticut and Idaho are divided between two "
            "districts along county lines."
        )
        % values,
        "practices_title": _("Best practices of %(year)s") % values,
        "no_practices": _("No best practice of %(year)s is in the register yet.") % values,
        "partners": _("Partners"),
        "data_date": _("Data as of %(date)s") % {"date": provenance.date_label(handout.data_date)},
        "rule": provenance.FIGURES_RULE[language],
        "demo": provenance.DEMO_LABEL[language] if handout.demo else "",
        "district": _("Consular district"),
        "range": _("%(first)s–%(year)s") % values,
        "total": _("Total"),
    }


def build_handout(fiscal_year, language, *, taken_at: datetime.datetime | None = None) -> Handout:
    """The handout of `fiscal_year` in `language` ("ja" or "en"); HandoutError for a year
    outside FY2017 to the current one or an unknown language."""
    fiscal_year, language = check_year(fiscal_year), check_language(language)
    year = stats.Filters(from_fy=fiscal_year, to_fy=fiscal_year)
    cumulative = stats.Filters(from_fy=rules.FIRST_FISCAL_YEAR, to_fy=fiscal_year)
    with translation.override(language):
        handout = Handout(
            fiscal_year=fiscal_year,
            language=language,
            year_cases=stats.total(year),
            cumulative_cases=stats.total(cumulative),
            districts=_districts(cumulative),
            best_practices=_best_practices(fiscal_year, language),
            data_date=provenance.data_date(rules.FIRST_FISCAL_YEAR, fiscal_year),
            demo=provenance.holds_demo_data(),
            taken_at=taken_at or timezone.now(),
        )
        lines_of_work = [
            theme.label(language)
            for theme in reference.themes().items
            if theme.group == "line-of-work"
        ]
        handout.words = _words(handout, lines_of_work)
    return handout
