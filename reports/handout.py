"""The task force's annual handout for fiscal year N, made from the register.

What the task force used to make by hand every year (資料1, "2017年度－2024年度の案件実施状況
（地域別累計実績）"): one summary slide with the map of cumulative cases by consular district from
FY2017 to N, each district's figure on the map, and the sentence with the year's and the
cumulative totals and the lines of work; then one slide per best practice of year N (title,
city and state, month, a few lines, partners).

`build_handout()` gathers everything once, in one language, from the one figures layer
(`cases.stats`: counted cases only) and the register (the best practices), with the data date
and, while the register holds demonstration data, the label saying so
(`cases.figures.provenance`). The writers only lay it out: `write_pptx()` as an editable
PowerPoint file, whose map is drawn as freeform shapes (every district a shape staff can
recolour or move), and `html_handout()` as a printable page with the same map as SVG.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from cases import geo, places, rules, stats
from cases.figures import provenance, reference
from cases.maps import colour as count_colour
from cases.models import Case, CasePartner, PartnerRole
from exchange.reports import default_paper
from grassroots.language import LANGUAGES, is_japanese, localized

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# A best practice's lines on its slide: its summary's sentences, at most this many.
MAX_LINES = 4


class HandoutError(ValueError):
    """The handout cannot be made as asked; the message says why (in the active language)."""


def check_year(fiscal_year) -> int:
    """The fiscal year as an int the register can answer for (`stats.fiscal_year_problem`,
    the one rule), or HandoutError with a message a person can act on."""
    text = str(fiscal_year).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise HandoutError(
            _("The fiscal year must be a year such as %(last)s, not “%(year)s”.")
            % {"last": stats.fiscal_year_span()[1], "year": text[:20]}
        )
    problem = stats.fiscal_year_problem(int(text))
    if problem:
        raise HandoutError(problem)
    return int(text)


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
        joiner = "" if is_japanese(language) else " "
        parts = [*parts[: MAX_LINES - 1], joiner.join(parts[MAX_LINES - 1 :])]
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


# --- The map ----------------------------------------------------------------------------------

_POINT = re.compile(r"([MLZ])([^MLZ]*)")


def polygons(d: str) -> list[list[tuple[float, float]]]:
    """SVG path data of the map (absolute M, L and Z only) as rings of (x, y) points."""
    rings: list[list[tuple[float, float]]] = []
    for command, args in _POINT.findall(d):
        if command == "Z":
            continue
        x, y = (float(value) for value in args.split(","))
        if command == "M":
            rings.append([(x, y)])
        else:
            rings[-1].append((x, y))
    return [ring for ring in rings if len(ring) >= 3]


def _ring_area_centre(ring) -> tuple[float, float, float]:
    """(area, centre x, centre y) of a ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


# Where a district's label goes, in the drawing's units, when its own centre is too crowded
# or too small: the north-east's districts are labelled out at sea, with a leader line. Any
# other district (or a new one) is labelled at the centre of its largest piece.
LABEL_AT = {
    "boston": (905, 100),
    "new-york": (920, 205),
    "washington-dc": (868, 334),
    "detroit": (735, 150),
    "hagatna": (88, 648),
    "honolulu": (300, 560),
    "anchorage": (120, 560),
    "miami": (845, 510),
}


@dataclass
class Label:
    code: str
    name: str
    cases: int
    x: float  # where the label's centre is
    y: float
    anchor: tuple[float, float]  # the district's centre, the leader line's end
    leader: bool


def labels(districts: list[DistrictFigure]) -> list[Label]:
    """One label per district with shapes: its name and figure, and a leader line when the
    label is placed away from the district."""
    found = []
    for district in districts:
        if not district.polygons:
            continue
        _area, x, y = max(_ring_area_centre(ring) for ring in district.polygons)
        at = LABEL_AT.get(district.code)
        lx, ly = at if at else (x, y)
        leader = at is not None and ((lx - x) ** 2 + (ly - y) ** 2) ** 0.5 > 30
        found.append(Label(district.code, district.name, district.cases, lx, ly, (x, y), leader))
    return found


# A label's text sizes and padding, in the drawing's units (975 wide): the printable page and
# the slide draw the map at about the same size, so one set serves both.
NAME_SIZE, COUNT_SIZE, PAD = 15, 24, 4


def text_width(text: str, size: float) -> float:
    """A generous estimate of a text's width at a font size: full width for CJK."""
    return sum(size if ord(char) > 0x2E7F else size * 0.6 for char in text)


def label_box(label: Label) -> tuple[float, float, float, float]:
    """(left, top, width, height) of a label in the drawing's units."""
    width = max(text_width(label.name, NAME_SIZE), text_width(number(label.cases), COUNT_SIZE))
    width += 2 * PAD + 4
    height = NAME_SIZE * 1.25 + COUNT_SIZE * 1.15 + PAD
    return label.x - width / 2, label.y - height / 2, width, height


def _segment_key(a, b):
    a, b = (round(a[0], 1), round(a[1], 1)), (round(b[0], 1), round(b[1], 1))
    return (a, b) if a <= b else (b, a)


def outline(rings) -> list[list[tuple[float, float]]]:
    """The outer edge of a district's pieces as polylines: every segment that only one of its
    rings uses (neighbouring states share their border's points, so an inner border is used
    twice and drops out), chained end to end."""
    uses: dict = {}
    for ring in rings:
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            key = _segment_key(a, b)
            if key[0] != key[1]:
                uses[key] = uses.get(key, 0) + 1
    edges = [key for key, count in uses.items() if count == 1]
    at: dict = {}
    for index, (a, b) in enumerate(edges):
        at.setdefault(a, []).append(index)
        at.setdefault(b, []).append(index)
    done = [False] * len(edges)
    lines = []
    for index, (a, b) in enumerate(edges):
        if done[index]:
            continue
        done[index] = True
        line = [a, b]
        while True:
            following = [i for i in at[line[-1]] if not done[i]]
            if not following:
                break
            done[following[0]] = True
            a2, b2 = edges[following[0]]
            line.append(b2 if a2 == line[-1] else a2)
        lines.append(line)
    return lines


def polylines(d: str) -> list[list[tuple[float, float]]]:
    """SVG path data as open runs of points (every run of two points or more)."""
    runs: list[list[tuple[float, float]]] = []
    for command, args in _POINT.findall(d):
        if command == "Z":
            if runs and len(runs[-1]) > 2:
                runs[-1].append(runs[-1][0])
            continue
        x, y = (float(value) for value in args.split(","))
        if command == "M":
            runs.append([(x, y)])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if len(run) >= 2]


@dataclass
class MapDrawing:
    """What the map draws, in the drawing's units: the districts (filled), their outer edges,
    the state borders inside them, the lines that divide a split state, the inset frames and
    the labels."""

    districts: list[DistrictFigure]
    edges: list[list[tuple[float, float]]]
    borders: list[list[tuple[float, float]]]
    split_lines: list[list[tuple[float, float]]]
    insets: list[tuple[float, float, float, float]]
    labels: list[Label]
    width: float
    height: float


def drawing(handout: Handout) -> MapDrawing:
    frame = geo.frame()
    shapes = geo.state_parts()
    borders = [line for shape in shapes if not shape.split for line in polylines(shape.d)]
    split_lines = [
        line for _state, d in sorted(geo.district_lines(shapes).items()) for line in polylines(d)
    ]
    return MapDrawing(
        districts=handout.districts,
        edges=[line for district in handout.districts for line in outline(district.polygons)],
        borders=borders,
        split_lines=split_lines,
        insets=[(inset.x, inset.y, inset.width, inset.height) for inset in frame.insets],
        labels=labels(handout.districts),
        width=frame.width,
        height=frame.height,
    )


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path(lines, close: bool = False) -> str:
    end = "Z" if close else ""
    return "".join("M" + "L".join(f"{_fmt(x)},{_fmt(y)}" for x, y in line) + end for line in lines)


INK, BORDER, EDGE = "#1b1f24", "#ffffff", "#1b1f24"


def map_svg(handout: Handout) -> SafeString:
    """The map as SVG for the printable page: districts filled by their count, state borders
    thin and white, district edges dark, each district's figure in a label (presentation
    attributes only: the page's Content-Security-Policy allows no inline style)."""
    art = drawing(handout)
    words = handout.words
    out = [
        f'<svg class="handout-map" viewBox="0 0 {_fmt(art.width)} {_fmt(art.height)}" '
        f'role="img" aria-label="{escape(words["map_title"])}">'
    ]
    for district in art.districts:
        out.append(
            f'<path d="{_path(district.polygons, close=True)}" fill="{district.fill}" '
            f'stroke="{district.fill}" stroke-width="0.6" data-region="{escape(district.code)}"/>'
        )
    out.append(
        f'<path d="{_path(art.borders)}" fill="none" stroke="{BORDER}" stroke-width="0.6" '
        'stroke-linejoin="round"/>'
        f'<path d="{_path(art.edges)}" fill="none" stroke="{EDGE}" stroke-width="1.3" '
        'stroke-linejoin="round"/>'
        f'<path d="{_path(art.split_lines)}" fill="none" stroke="{EDGE}" stroke-width="1.3" '
        'stroke-dasharray="4 2"/>'
    )
    for x, y, width, height in art.insets:
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(width)}" height="{_fmt(height)}" '
            'rx="3" fill="none" stroke="#9aa3ad" stroke-width="1"/>'
        )
    for label in art.labels:
        left, top, width, height = label_box(label)
        if label.leader:
            ax, ay = label.anchor
            line = f'x1="{_fmt(ax)}" y1="{_fmt(ay)}" x2="{_fmt(label.x)}" y2="{_fmt(label.y)}"'
            out.append(
                f'<line {line} stroke="{BORDER}" stroke-width="4"/>'
                f'<line {line} stroke="{INK}" stroke-width="1.5"/>'
                f'<circle cx="{_fmt(ax)}" cy="{_fmt(ay)}" r="3" fill="{INK}" '
                f'stroke="{BORDER}" stroke-width="1.2"/>'
            )
        out.append(
            f'<g class="handout-label" data-region="{escape(label.code)}">'
            f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(width)}" '
            f'height="{_fmt(height)}" rx="3" fill="#ffffff" stroke="{INK}" stroke-width="0.8"/>'
            f'<text x="{_fmt(label.x)}" y="{_fmt(top + PAD / 2 + NAME_SIZE)}" '
            f'text-anchor="middle" font-size="{NAME_SIZE}" fill="{INK}">'
            f"{escape(label.name)}</text>"
            f'<text x="{_fmt(label.x)}" y="{_fmt(top + height - PAD)}" text-anchor="middle" '
            f'font-size="{COUNT_SIZE}" font-weight="700" fill="{INK}">'
            f"{number(label.cases)}</text></g>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text from the data is escaped above


# --- The printable page ----------------------------------------------------------------------


def handout_stylesheet() -> str:
    path = finders.find("reports/handout.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def html_handout(handout: Handout, browser: dict | None = None) -> str:
    """The handout as a printable page: one landscape page per slide, self-contained (styles
    inline, the map as SVG, no script).

    `browser` ({"downloads": {"pptx": url, "html": url}, "form": url}): the page opened from
    the admin links the stylesheet and the print script instead (its Content-Security-Policy
    allows no inline style or script) and shows a print button and links, not printed.
    """
    with translation.override(handout.language):
        return render_to_string(
            "reports/handout.html",
            {
                "handout": handout,
                "words": handout.words,
                "map": map_svg(handout),
                "browser": browser,
                "paper": default_paper(handout.language),
                "stylesheet": "" if browser else mark_safe(handout_stylesheet()),  # our own file
            },
        )


# --- The PowerPoint file ---------------------------------------------------------------------
#
# 16:9 slides in inches. Every text is a text box (the titles are the slides' title
# placeholders, so PowerPoint's outline and accessibility checker find them), the district
# table a real table, and the map a group of freeform shapes: all of it editable.

SLIDE_W, SLIDE_H, MARGIN = 13.333, 7.5, 0.5
LATIN_FONT, ASIAN_FONT = "Arial", "Meiryo"
ACCENT, MUTED, WARNING = "1D3F72", "56606B", "B3202A"


def _rgb(hex_colour: str):
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _font(run, size: float, *, bold: bool = False, colour: str = "1B1F24") -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    run.font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    # The East Asian typeface, which python-pptx does not set: Japanese text in a font that
    # every Windows has, instead of whatever the viewer falls back to.
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = rpr.makeelement(qn(tag), {})
            rpr.append(element)
        element.set("typeface", ASIAN_FONT if tag == "a:ea" else LATIN_FONT)


def _frame(box, *, margin: float = 0.04, anchor: str = "top"):
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE}[anchor]
    for side in ("left", "right", "top", "bottom"):
        setattr(frame, f"margin_{side}", Inches(margin))
    return frame


def _paragraph(
    frame, text: str, size: float, *, first: bool = False, bullet: bool = False, **style
):
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    if bullet:
        ppr = paragraph._p.get_or_add_pPr()
        ppr.set("marL", str(int(size * 1.1 * 12700)))
        ppr.set("indent", str(-int(size * 1.1 * 12700)))
        char = ppr.makeelement(qn("a:buChar"), {"char": "•"})
        ppr.append(char)
        paragraph.space_after = Pt(size * 0.5)
    run = paragraph.add_run()
    run.text = text
    _font(run, size, **style)
    return paragraph


def _text_box(shapes, left, top, width, height, lines, size, *, anchor="top", **style):
    """A text box of `lines` (one paragraph each) at a position in inches."""
    box = shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = _frame(box, anchor=anchor)
    for index, line in enumerate(lines):
        _paragraph(frame, line, size, first=index == 0, **style)
    return box


def fitting_size(paragraphs: list[str], width: float, height: float, sizes, *, bullet=False):
    """The largest font size (pt) at which the paragraphs fit a box (inches), by a generous
    estimate of their wrapped lines; the smallest size when none does."""
    for size in sizes:
        indent = size * 1.1 if bullet else 0
        usable = width * 72 - indent - 6
        lines = sum(max(1, -(-text_width(text, size) // usable)) for text in paragraphs)
        needed = lines * size * 1.22 + len(paragraphs) * size * (0.5 if bullet else 0.15)
        if needed <= height * 72 - 6:
            return size
    return sizes[-1]


def _title(slide, text: str, size: float, top: float = 0.62, height: float = 0.6) -> None:
    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN), Inches(top)
    title.width, title.height = Inches(SLIDE_W - 2 * MARGIN), Inches(height)
    frame = _frame(title, anchor="middle")
    frame.text = ""
    paragraph = frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = text
    _font(run, size, bold=True, colour=ACCENT)


def _head(slide, handout: Handout, kicker: str) -> None:
    """The kicker line above a slide's title, and the demonstration label beside it."""
    words = handout.words
    _text_box(slide.shapes, MARGIN, 0.22, 8.2, 0.34, [kicker], 11, colour=MUTED)
    if handout.demo:
        box = _text_box(
            slide.shapes,
            8.9,
            0.16,
            SLIDE_W - MARGIN - 8.9,
            0.48,
            [words["demo"]],
            8,
            bold=True,
            colour=WARNING,
            anchor="middle",
        )
        box.line.color.rgb = _rgb(WARNING)


def _foot(slide, handout: Handout) -> None:
    """The data date and the counting rule, at the foot of every slide."""
    words = handout.words
    text = f"{words['data_date']}　{words['rule']}"
    _text_box(
        slide.shapes, MARGIN, SLIDE_H - 0.5, SLIDE_W - 2 * MARGIN, 0.36, [text], 8.5, colour=MUTED
    )


def _freeform(shapes, lines, close: bool, scale: float, origin_x, origin_y):
    """A freeform shape of many contours, in local units of a tenth of the drawing's unit.

    python-pptx's FreeformBuilder recomputes the shape's extent for every point it writes
    (quadratic: a minute for the map), so the builder only makes the shape, over the lines'
    bounding box, and the path's points are written here in one pass.
    """
    points = [[(round(x * 10), round(y * 10)) for x, y in line] for line in lines]
    xs = [x for line in points for x, _y in line]
    ys = [y for line in points for _x, y in line]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    builder = shapes.build_freeform(left, top, scale=scale)
    builder.add_line_segments([(right, top), (right, bottom), (left, bottom)], close=True)
    shape = builder.convert_to_shape(origin_x, origin_y)
    path = shape._element.spPr.find(qn("a:custGeom")).find(qn("a:pathLst")).find(qn("a:path"))
    for child in list(path):
        path.remove(child)
    for line in points:
        for index, (x, y) in enumerate(line):
            step = _child(path, "a:moveTo" if index == 0 else "a:lnTo")
            _child(step, "a:pt", x=str(x - left), y=str(y - top))
        if close:
            _child(path, "a:close")
    return shape


def _child(parent, tag: str, **attributes):
    element = parent.makeelement(qn(tag), attributes)
    parent.append(element)
    return element


def _add_map(slide, handout: Handout, left: float, top: float, width: float) -> None:
    """The map as a group of freeform shapes: a district is one shape (its states and state
    parts as contours), lines and labels their own shapes."""
    art = drawing(handout)
    # Local units are tenths of the drawing's units (a freeform rounds its points to whole
    # local units).
    emu_per_unit = Inches(width) / art.width
    scale = emu_per_unit / 10
    origin_x, origin_y = Inches(left), Inches(top)
    group = slide.shapes.add_group_shape()
    group.name = handout.words["map_title"]
    shapes = group.shapes

    def freeform(lines, close: bool):
        return _freeform(shapes, lines, close, scale, origin_x, origin_y)

    for district in art.districts:
        if not district.polygons:
            continue
        shape = freeform(district.polygons, close=True)
        shape.name = f"{district.name}: {number(district.cases)}"
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(district.fill)
        shape.line.color.rgb = _rgb(district.fill)
        shape.line.width = Pt(0.4)
        shape.shadow.inherit = False
    for lines, colour, weight, dashed in (
        (art.borders, BORDER, 0.4, False),
        (art.edges, EDGE, 0.9, False),
        (art.split_lines, EDGE, 0.9, True),
    ):
        if not lines:
            continue
        shape = freeform(lines, close=False)
        shape.fill.background()
        shape.line.color.rgb = _rgb(colour)
        shape.line.width = Pt(weight)
        if dashed:
            shape.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        shape.shadow.inherit = False
    for x, y, w, h in art.insets:
        frame_shape = shapes.add_shape(
            MSO_SHAPE.RECTANGLE,
            Emu(int(origin_x + x * emu_per_unit)),
            Emu(int(origin_y + y * emu_per_unit)),
            Emu(int(w * emu_per_unit)),
            Emu(int(h * emu_per_unit)),
        )
        frame_shape.fill.background()
        frame_shape.line.color.rgb = _rgb("9AA3AD")
        frame_shape.line.width = Pt(0.75)
        frame_shape.shadow.inherit = False
    points_per_unit = width * 72 / art.width
    for label in art.labels:
        box_left, box_top, box_w, box_h = label_box(label)
        if label.leader:
            ax, ay = label.anchor
            # A line drawn as a freeform (LibreOffice drops connectors inside a group).
            # A dark line on a white one, visible over a dark district and a light one.
            for colour, weight in ((BORDER, 2.5), (INK, 1)):
                leader = freeform([[(ax, ay), (label.x, label.y)]], close=False)
                leader.name = f"{label.name} →"
                leader.fill.background()
                leader.line.color.rgb = _rgb(colour)
                leader.line.width = Pt(weight)
                leader.shadow.inherit = False
            dot = shapes.add_shape(
                MSO_SHAPE.OVAL,
                Emu(int(origin_x + (ax - 2.5) * emu_per_unit)),
                Emu(int(origin_y + (ay - 2.5) * emu_per_unit)),
                Emu(int(5 * emu_per_unit)),
                Emu(int(5 * emu_per_unit)),
            )
            dot.fill.solid()
            dot.fill.fore_color.rgb = _rgb(INK)
            dot.line.color.rgb = _rgb(BORDER)
            dot.line.width = Pt(0.75)
            dot.shadow.inherit = False
        box = shapes.add_textbox(
            Emu(int(origin_x + box_left * emu_per_unit)),
            Emu(int(origin_y + box_top * emu_per_unit)),
            Emu(int(box_w * emu_per_unit)),
            Emu(int(box_h * emu_per_unit)),
        )
        box.name = f"{label.name} {number(label.cases)}"
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("FFFFFF")
        box.line.color.rgb = _rgb(INK)
        box.line.width = Pt(0.6)
        frame = _frame(box, margin=0, anchor="middle")
        name = _paragraph(frame, label.name, NAME_SIZE * points_per_unit, first=True)
        figure = _paragraph(frame, number(label.cases), COUNT_SIZE * points_per_unit, bold=True)
        for paragraph in (name, figure):
            paragraph.alignment = PP_ALIGN.CENTER
            paragraph.line_spacing = 0.95


def _summary_slide(prs, handout: Handout) -> None:
    words = handout.words
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _head(slide, handout, words["organisation"])
    _title(slide, words["title"], 24)
    _text_box(
        slide.shapes,
        MARGIN,
        1.25,
        SLIDE_W - 2 * MARGIN,
        0.75,
        [words["sentence"]],
        fitting_size([words["sentence"]], SLIDE_W - 2 * MARGIN, 0.75, (16, 15, 14, 13, 12)),
    )
    map_top, map_bottom = 2.05, SLIDE_H - 0.55
    map_width = (map_bottom - map_top) * 975 / 700
    _add_map(slide, handout, MARGIN, map_top, map_width)
    # The figures as a table beside the map: the same numbers, easy to read out and to check;
    # the map's note under it.
    rows = handout.districts
    left = MARGIN + map_width + 0.4
    width = SLIDE_W - MARGIN - left
    table_bottom = map_bottom - 0.8
    table = slide.shapes.add_table(
        len(rows) + 2, 2, Inches(left), Inches(map_top), Inches(width), Inches(0.2)
    ).table
    table.columns[0].width = Inches(width - 1.6)
    table.columns[1].width = Inches(1.6)
    cells = [
        (words["district"], words["range"]),
        *((d.name, number(d.cases)) for d in rows),
        (words["total"], number(handout.cumulative_cases)),
    ]
    _text_box(
        slide.shapes,
        left,
        table_bottom + 0.08,
        width,
        map_bottom - table_bottom - 0.08,
        [words["map_note"]],
        8,
        colour=MUTED,
    )
    row_h = (table_bottom - map_top) / len(cells)
    for index, (name, figure) in enumerate(cells):
        table.rows[index].height = Inches(row_h)
        strong = index in (0, len(cells) - 1)
        for column, text in enumerate((name, figure)):
            cell = table.cell(index, column)
            cell.margin_top = cell.margin_bottom = Inches(0.01)
            cell.margin_left = cell.margin_right = Inches(0.06)
            frame = cell.text_frame
            frame.text = ""
            run = frame.paragraphs[0].add_run()
            run.text = text
            _font(run, 10, bold=strong, colour="FFFFFF" if index == 0 else "1B1F24")
            if column == 1:
                frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
    _foot(slide, handout)


def _practice_slide(prs, handout: Handout, practice: BestPractice | None) -> None:
    words = handout.words
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _head(slide, handout, f"{words['organisation']}　{words['practices_title']}")
    if practice is None:
        _title(slide, words["practices_title"], 24)
        _text_box(slide.shapes, MARGIN, 1.6, SLIDE_W - 2 * MARGIN, 1, [words["no_practices"]], 18)
        _foot(slide, handout)
        return
    title = f"({practice.number}) {practice.title}"
    _title(slide, title, fitting_size([title], SLIDE_W - 2 * MARGIN, 0.6, (26, 24, 22, 20, 18)))
    _text_box(
        slide.shapes,
        MARGIN,
        1.3,
        SLIDE_W - 2 * MARGIN,
        0.45,
        [f"{practice.place}　{practice.month}"],
        16,
        bold=True,
        colour=MUTED,
    )
    body_top, body_bottom = 1.95, 5.55
    width = SLIDE_W - 2 * MARGIN
    size = fitting_size(
        practice.lines,
        width,
        body_bottom - body_top,
        (20, 19, 18, 17, 16, 15, 14, 13, 12),
        bullet=True,
    )
    box = _text_box(slide.shapes, MARGIN, body_top, width, body_bottom - body_top, [], size)
    frame = box.text_frame
    for index, line in enumerate(practice.lines):
        _paragraph(frame, line, size, first=index == 0, bullet=True)
    partners = [words["partners"], *practice.partners] if practice.partners else []
    if partners:
        psize = fitting_size(partners, width - 0.16, 1.2, (13, 12, 11, 10, 9))
        lines = sum(
            max(1, -(-text_width(line, psize) // ((width - 0.16) * 72 - 6))) for line in partners
        )
        height = min(1.25, lines * psize * 1.25 / 72 + 0.2)
        box = _text_box(slide.shapes, MARGIN, 6.95 - height, width, height, [], psize)
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("F4F1EC")
        frame = _frame(box, margin=0.08)
        for index, line in enumerate(partners):
            _paragraph(
                frame,
                line,
                psize,
                first=index == 0,
                bold=index == 0,
                colour=ACCENT if index == 0 else "1B1F24",
            )
    _foot(slide, handout)


def write_pptx(handout: Handout, target) -> None:
    """The handout as an editable PowerPoint file, to a path or an open binary file."""

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    words = handout.words
    prs.core_properties.title = words["title"]
    prs.core_properties.author = words["organisation"]
    prs.core_properties.language = handout.language
    _summary_slide(prs, handout)
    for practice in handout.best_practices or [None]:
        _practice_slide(prs, handout, practice)
    prs.save(target)


FORMATS = ("pptx", "html")
CONTENT_TYPES = {"pptx": PPTX_CONTENT_TYPE, "html": "text/html; charset=utf-8"}


def write_handout(handout: Handout, fmt: str, target) -> None:
    """Write the handout as pptx or html to a path or an open binary file."""
    if fmt == "pptx":
        write_pptx(handout, target)
        return
    if fmt != "html":
        raise HandoutError(_("Unknown format: %(format)s.") % {"format": fmt})
    data = html_handout(handout).encode("utf-8")
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
