"""The handout as a printable page (one landscape page per slide)."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from exchange.reports import default_paper
from reports.handout.content import Handout
from reports.handout.drawing import map_svg


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
