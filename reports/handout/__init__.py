"""The task force's annual handout for fiscal year N, made from the register.

What the task force used to make by hand every year (資料1, "2017年度－2024年度の案件実施状況
（地域別累計実績）"): one summary slide with the map of cumulative cases by consular district from
FY2017 to N, each district's figure on the map, and the sentence with the year's and the
cumulative totals and the lines of work; then one slide per best practice of year N (title,
city and state, month, a few lines, partners).

- `content`: `build_handout()` gathers everything once, in one language, from the one figures
  layer (`cases.stats`: counted cases only) and the register (the best practices), with the
  data date and, while the register holds demonstration data, the label saying so.
- `drawing`: the map, from `cases.geo`, as SVG and as geometry for the slides.
- `page`: `html_handout()`, a printable page with the map as SVG.
- `slides`: `write_pptx()`, an editable PowerPoint file whose map is drawn as freeform shapes.
"""

from pathlib import Path

from django.utils.translation import gettext as _

from reports.handout.content import (
    PPTX_CONTENT_TYPE,
    Handout,
    HandoutError,
    build_handout,
    check_language,
    check_year,
    summary_lines,
)
from reports.handout.page import html_handout
from reports.handout.slides import write_pptx

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "HandoutError",
    "build_handout",
    "check_language",
    "check_year",
    "html_handout",
    "summary_lines",
    "write_handout",
    "write_pptx",
]

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
