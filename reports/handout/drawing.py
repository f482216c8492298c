"""The handout's map: the districts' outlines and labels from cases.geo, drawn as SVG
for the printable page and as geometry for the slides' freeform shapes.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases import geo
from reports.handout.content import DistrictFigure, Handout, number
from reports.handout.paths import polylines

# --- The map ----------------------------------------------------------------------------------


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
