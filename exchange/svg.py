"""Small bar charts drawn on the server as inline SVG, for printed reports.

No script and no style attributes (only SVG presentation attributes), so the charts print,
work offline, and pass a strict Content-Security-Policy. Colours come from the stylesheet
through class names.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640


def _n(value: float) -> str:
    """A coordinate, to one decimal place."""
    return f"{value:.1f}"


def _nice_max(value: int) -> int:
    """A round number at least `value`, for the top of the scale."""
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def column_chart(items: list[tuple[str, int]], title: str, chart_id: str) -> SafeString:
    """Vertical bars, one per item (a fiscal year), value above each, label below."""
    height, top, bottom, left, right = 240, 24, 32, 36, 8
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right
    scale = _nice_max(max((v for _l, v in items), default=0))
    slot = plot_w / max(len(items), 1)
    bar_w = min(48, slot * 0.7)
    parts = []
    for tick in (0, scale // 2, scale):
        y = top + plot_h - plot_h * tick / scale
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH - right,
                _n(y),
                _n(y),
                left - 4,
                _n(y + 4),
                f"{tick:,}",
            )
        )
    for index, (label, value) in enumerate(items):
        x = left + slot * index + (slot - bar_w) / 2
        bar_h = plot_h * value / scale
        y = top + plot_h - bar_h
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x),
                _n(y),
                _n(bar_w),
                _n(bar_h),
                _n(x + bar_w / 2),
                _n(y - 4),
                f"{value:,}",
                _n(x + bar_w / 2),
                height - bottom + 16,
                label,
            )
        )
    return _svg(chart_id, title, height, parts, "chart chart-column")


def bar_chart(items: list[tuple[str, int]], title: str, chart_id: str) -> SafeString:
    """Horizontal bars, one per item: the label on its own line, the bar and value beneath."""
    row_h, top, left, right = 34, 8, 4, 48
    height = top + row_h * max(len(items), 1) + 4
    plot_w = WIDTH - left - right
    scale = _nice_max(max((v for _l, v in items), default=0))
    parts = []
    for index, (label, value) in enumerate(items):
        y = top + row_h * index
        bar_w = plot_w * value / scale
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}">{}</text>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="12"/>'
                '<text class="value" x="{}" y="{}">{}</text>',
                left,
                y + 12,
                label,
                left,
                y + 17,
                _n(bar_w),
                _n(left + bar_w + 4),
                y + 28,
                f"{value:,}",
            )
        )
    return _svg(chart_id, title, height, parts)


def _svg(chart_id: str, title: str, height: int, parts: list, css: str = "chart") -> SafeString:
    body = mark_safe("".join(parts))  # each part was built by format_html, so escaped
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>{}</svg>',
        css,
        WIDTH,
        height,
        chart_id,
        chart_id,
        title,
        body,
    )
