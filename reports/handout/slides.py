"""The handout as an editable PowerPoint file: 16:9 slides whose map is a group of
freeform shapes staff can recolour or move."""

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from reports.handout.content import BestPractice, Handout, number
from reports.handout.drawing import (
    BORDER,
    COUNT_SIZE,
    EDGE,
    INK,
    NAME_SIZE,
    drawing,
    label_box,
    text_width,
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


def _style(shape, *, line: str, weight: float, fill: str | None = None) -> None:
    if fill is None:
        shape.fill.background()
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.color.rgb = _rgb(line)
    shape.line.width = Pt(weight)
    shape.shadow.inherit = False


class _MapCanvas:
    """A group of shapes on a slide, placed in the map drawing's units."""

    def __init__(self, slide, name: str, art, left: float, top: float, width: float):
        group = slide.shapes.add_group_shape()
        group.name = name
        self.shapes = group.shapes
        self.unit = Inches(width) / art.width
        self.points_per_unit = width * 72 / art.width
        self.origin_x, self.origin_y = Inches(left), Inches(top)

    def box(self, x: float, y: float, w: float, h: float) -> tuple[Emu, Emu, Emu, Emu]:
        return (
            Emu(int(self.origin_x + x * self.unit)),
            Emu(int(self.origin_y + y * self.unit)),
            Emu(int(w * self.unit)),
            Emu(int(h * self.unit)),
        )

    def freeform(self, lines, close: bool):
        # Local units are tenths of the drawing's units (a freeform rounds its points to whole
        # local units).
        return _freeform(self.shapes, lines, close, self.unit / 10, self.origin_x, self.origin_y)

    def districts(self, art) -> None:
        for district in art.districts:
            if district.polygons:
                shape = self.freeform(district.polygons, close=True)
                shape.name = f"{district.name}: {number(district.cases)}"
                _style(shape, line=district.fill, weight=0.4, fill=district.fill)

    def lines(self, art) -> None:
        for lines, colour, weight, dashed in (
            (art.borders, BORDER, 0.4, False),
            (art.edges, EDGE, 0.9, False),
            (art.split_lines, EDGE, 0.9, True),
        ):
            if lines:
                shape = self.freeform(lines, close=False)
                _style(shape, line=colour, weight=weight)
                if dashed:
                    shape.line.dash_style = MSO_LINE_DASH_STYLE.DASH

    def insets(self, art) -> None:
        for x, y, w, h in art.insets:
            frame = self.shapes.add_shape(MSO_SHAPE.RECTANGLE, *self.box(x, y, w, h))
            _style(frame, line="9AA3AD", weight=0.75)

    def leader(self, label) -> None:
        ax, ay = label.anchor
        # A line drawn as a freeform (LibreOffice drops connectors inside a group): a dark
        # line on a white one, visible over a dark district and a light one.
        for colour, weight in ((BORDER, 2.5), (INK, 1)):
            line = self.freeform([[(ax, ay), (label.x, label.y)]], close=False)
            line.name = f"{label.name} →"
            _style(line, line=colour, weight=weight)
        dot = self.shapes.add_shape(MSO_SHAPE.OVAL, *self.box(ax - 2.5, ay - 2.5, 5, 5))
        _style(dot, line=BORDER, weight=0.75, fill=INK)

    def label(self, label) -> None:
        if label.leader:
            self.leader(label)
        box = self.shapes.add_textbox(*self.box(*label_box(label)))
        box.name = f"{label.name} {number(label.cases)}"
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("FFFFFF")
        box.line.color.rgb = _rgb(INK)
        box.line.width = Pt(0.6)
        frame = _frame(box, margin=0, anchor="middle")
        size = self.points_per_unit
        name = _paragraph(frame, label.name, NAME_SIZE * size, first=True)
        figure = _paragraph(frame, number(label.cases), COUNT_SIZE * size, bold=True)
        for paragraph in (name, figure):
            paragraph.alignment = PP_ALIGN.CENTER
            paragraph.line_spacing = 0.95


def _add_map(slide, handout: Handout, left: float, top: float, width: float) -> None:
    """The map as a group of freeform shapes: a district is one shape (its states and state
    parts as contours), lines and labels their own shapes."""
    art = drawing(handout)
    canvas = _MapCanvas(slide, handout.words["map_title"], art, left, top, width)
    canvas.districts(art)
    canvas.lines(art)
    canvas.insets(art)
    for label in art.labels:
        canvas.label(label)


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
