"""The case map as server-drawn SVG: states (and the parts of split states) or districts,
coloured by their number of held cases, each a link to its page.

`render_map()` draws both views into one figure with a two-way switch that works without
JavaScript (radio buttons and CSS); static/js/charts.js adds a label that follows the pointer
or the keyboard focus. Every shape also carries its name and count as an accessible name and
a <title>, so hovering names it even without the script.

The outlines do not change with the figures, so they are not in the page: they are one SVG
document (`geometry()`, served by `map_geometry` at an address named by its content), and the
page's shapes are `<use>` references into it with their colours. The outlines are about 400 kB
of path data, twice over (one view each); a page with the map was 440 kB of HTML (110 kB
compressed) and is now about a tenth of that, while the outlines travel once and stay in the
browser's cache.
"""

import gzip
import hashlib
import math
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from cases import geo
from cases.figures import reference
from cases.figures.assembled import accepts_gzip
from cases.stats import Counts, Filters
from grassroots.language import pick

# Light to dark blue, as the charts' map scale (dashboard/charts.py MAP_SCALE).
LOW, HIGH = (0xDF, 0xE7, 0xF2), (0x15, 0x30, 0x5A)
NONE = "#f1efe9"  # in scope, no case
OUTSIDE = "#f8f7f4"  # outside the filtered region or state


def colour(value: int, largest: int) -> str:
    """The fill for a count: square-root scale from LOW (one case) to HIGH (the largest)."""
    if value <= 0:
        return NONE
    share = math.sqrt(value / max(largest, 1))
    rgb = (round(low + (high - low) * share) for low, high in zip(LOW, HIGH, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def cases_label(count: int) -> str:
    return ngettext("%(count)s case", "%(count)s cases", count) % {"count": f"{count:,}"}


@dataclass
class MapShape:
    """One drawn, linked shape: what it is called, its count and where it leads."""

    key: str
    label: str
    count: int
    url: str
    fill: str
    outlines: tuple[str, ...]  # ids in the geometry document
    edge: str  # the id of the outline to stroke on top (a district has none)
    in_scope: bool
    marker: tuple[float, float] | None = None
    state: str = ""
    region: str = ""


# Shapes too small to point at get a marker circle at their centre.
SMALL = {"DC", "RI", "DE", "GU", "MP", "AS", "PR", "VI"}


def _state_shapes(filters: Filters, counts: Counts, parts, regions, states) -> list[MapShape]:
    """The state view: one shape per state, DC, territory and district part of a split
    state; `regions`/`states` are reference Names by code."""
    by_part = counts.of("state__code", "region__code")
    in_scope = _scope(filters, parts)
    values = {}
    for shape in parts:
        if shape.split:
            values[shape.key] = by_part.get((shape.state, shape.region), 0)
        else:
            values[shape.key] = sum(n for (s, _r), n in by_part.items() if s == shape.state)
    largest = max([1, *(values[s.key] for s in parts if s.key in in_scope)])
    centroids = geo.frame().centroids
    shapes = []
    for shape in parts:
        state = states[shape.state]
        name = pick(state.name_en, state.name_ja).text
        if shape.split:
            region = pick(regions[shape.region].name_en, regions[shape.region].name_ja).text
            name = _("%(state)s (%(region)s district)") % {"state": name, "region": region}
        count = values[shape.key]
        inside = shape.key in in_scope
        shapes.append(
            MapShape(
                key=shape.key,
                label=f"{name}: {cases_label(count)}",
                count=count,
                url=reverse("cases:state-detail", args=[shape.state]),
                fill=colour(count, largest) if inside else OUTSIDE,
                outlines=(outline_id(shape.key),),
                # A whole state's edge is its outline; a part's is its own (no county lines).
                edge=edge_id(shape.key) if shape.outline else outline_id(shape.key),
                in_scope=inside,
                marker=centroids.get(shape.state) if shape.state in SMALL else None,
                state=shape.state,
                region=shape.region,
            )
        )
    return shapes


def _scope(filters: Filters, parts) -> set[str]:
    keys = set()
    for shape in parts:
        if filters.region and shape.region != filters.region:
            continue
        if filters.state and shape.state != filters.state.upper():
            continue
        keys.add(shape.key)
    return keys


def _district_shapes(filters: Filters, counts: Counts, parts, regions) -> list[MapShape]:
    """The district view: one shape per region's district, all its states and parts."""
    by_region = counts.of("region__code")
    largest = max([1, *by_region.values()])
    centroids = geo.frame().centroids
    shapes = []
    for code, region in regions.items():
        members = [shape for shape in parts if shape.region == code]
        count = by_region.get(code, 0)
        inside = not filters.region or code == filters.region
        name = pick(region.name_en, region.name_ja).text
        small = [shape.state for shape in members if shape.state in SMALL]
        shapes.append(
            MapShape(
                key=code,
                label=f"{name}: {cases_label(count)}",
                count=count,
                url=reverse("cases:region-detail", args=[code]),
                fill=colour(count, largest) if inside else OUTSIDE,
                outlines=tuple(outline_id(shape.key) for shape in members),
                edge="",
                in_scope=inside,
                marker=centroids.get(small[0]) if members and len(small) == len(members) else None,
                region=code,
            )
        )
    return shapes


def outline_id(key: str) -> str:
    """The id of a shape's outline in the geometry document ("s-FL", "s-CA-los-angeles")."""
    return "s-" + key.replace(":", "-")


def edge_id(key: str) -> str:
    """The id of a split state's part's outer edge."""
    return "e-" + key.replace(":", "-")


def line_id(state: str) -> str:
    """The id of the line dividing a split state between its districts."""
    return f"l-{state}"


@dataclass(frozen=True)
class Geometry:
    """The map's outlines as one SVG document of ids (no colour, no style: a `<use>` gives
    them), with its address, which names its content."""

    svg: bytes
    gzipped: bytes
    digest: str

    @property
    def url(self) -> str:
        return reverse("map-geometry", args=[self.digest])


def _geometry_document(parts, lines: dict[str, str]) -> bytes:
    out = ['<svg xmlns="http://www.w3.org/2000/svg"><defs>']
    for shape in parts:
        out.append(f'<path id="{outline_id(shape.key)}" d="{shape.d}"/>')
        if shape.outline:
            out.append(f'<path id="{edge_id(shape.key)}" d="{shape.outline}"/>')
    out.extend(f'<path id="{line_id(state)}" d="{d}"/>' for state, d in sorted(lines.items()))
    out.append("</defs></svg>\n")
    return "".join(out).encode()


def _parts_and_lines():
    # The shapes and lines follow the jurisdictions and counties (two queries), remembered
    # per generation like the rest of the reference data.
    parts = reference.remembered("us-map-parts", geo.state_parts)
    lines = reference.remembered("us-map-lines", lambda: geo.district_lines(parts))
    return parts, lines


def _build_geometry() -> Geometry:
    svg = _geometry_document(*_parts_and_lines())
    digest = hashlib.blake2b(svg, digest_size=10).hexdigest()
    return Geometry(svg, gzip.compress(svg, compresslevel=9, mtime=0), digest)


def geometry() -> Geometry:
    """The outlines' document for the reference data as it is (built once per generation)."""
    return reference.remembered("us-map-geometry", _build_geometry)


@require_safe
def map_geometry(request, digest: str):
    """The outlines' document. At its own address it never changes, so browsers and shared
    caches keep it for a year; an older address (a page stored before the jurisdictions
    changed) gets today's outlines, to be asked again next time."""
    found = geometry()
    compressed = accepts_gzip(request)
    response = HttpResponse(
        found.gzipped if compressed else found.svg, content_type="image/svg+xml"
    )
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    if digest == found.digest:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["ETag"] = f'"{found.digest}"'
    else:
        response["Cache-Control"] = "no-cache"
    return response


def _use(href: str, ref: str, attrs: str = "") -> str:
    return f'<use href="{href}#{ref}"{attrs}/>'


def _svg(view: str, shapes: list[MapShape], parts, lines, title: str, href: str) -> str:
    frame = geo.frame()
    out = [
        f'<svg class="us-map-svg" viewBox="{frame.view_box}" role="group" '
        f'aria-label="{escape(title)}" data-view="{view}">'
    ]
    out.append('<g class="us-map-shapes">')
    for shape in shapes:
        label = escape(shape.label)
        attrs = (
            f' data-key="{escape(shape.key)}" data-region="{escape(shape.region)}"'
            f' data-count="{shape.count}"'
        )
        if shape.state:
            attrs += f' data-state="{escape(shape.state)}"'
        out.append(
            f'<a class="us-map-shape{"" if shape.in_scope else " is-outside"}" '
            f'href="{escape(shape.url)}" aria-label="{label}" data-label="{label}"{attrs}>'
            f"<title>{label}</title>"
        )
        paint = f' class="us-map-fill" fill="{shape.fill}" stroke="{shape.fill}"'
        out.extend(_use(href, outline, paint) for outline in shape.outlines)
        if shape.edge:
            out.append(_use(href, shape.edge, ' class="us-map-edge"'))
        if shape.marker:
            x, y = shape.marker
            out.append(
                f'<circle class="us-map-marker" cx="{x:g}" cy="{y:g}" r="7" fill="{shape.fill}"/>'
            )
        out.append("</a>")
    out.append("</g>")
    if view == "districts":
        # State borders inside districts, thin, under the district colours' edges.
        out.append('<g class="us-map-borders" aria-hidden="true">')
        out.extend(_use(href, outline_id(shape.key)) for shape in parts if not shape.split)
        out.append("</g>")
    if lines:
        out.append('<g class="us-map-district-lines" aria-hidden="true">')
        out.extend(
            _use(href, line_id(state), f' data-state="{escape(state)}"') for state in sorted(lines)
        )
        out.append("</g>")
    out.append('<g class="us-map-insets" aria-hidden="true">')
    for inset in frame.insets:
        out.append(
            f'<rect x="{inset.x:g}" y="{inset.y:g}" width="{inset.width:g}" '
            f'height="{inset.height:g}" rx="3"/>'
        )
    out.append("</g></svg>")
    return "".join(out)


def render_map(filters: Filters, counts: Counts, *, element_id: str = "us-map") -> SafeString:
    """Both views of the map (states and districts) with the switch between them."""
    regions = {names.key: names for names in reference.regions().items}
    states = {names.key: names for names in reference.states().items}
    parts, lines = _parts_and_lines()
    href = geometry().url
    state_view = _svg(
        "states",
        _state_shapes(filters, counts, parts, regions, states),
        parts,
        lines,
        _("Map of held cases by state; California, Connecticut and Idaho by district part"),
        href,
    )
    district_view = _svg(
        "districts",
        _district_shapes(filters, counts, parts, regions),
        parts,
        lines,
        _("Map of held cases by consular district"),
        href,
    )
    name = escape(element_id)
    words = {
        "view": _("Map view"),
        "states": _("States"),
        "districts": _("Consular districts"),
        "hint": _(
            "Point at or tab to a shape to see its name and number of cases; select it to "
            "open its page. Lines inside California, Connecticut and Idaho divide them "
            "between two districts along county lines."
        ),
        "few": _("Fewer cases"),
        "many": _("More cases"),
        "none": _("No case"),
    }
    html = (
        f'<div class="us-map" id="{name}">'
        f'<fieldset class="us-map-switch"><legend class="visually-hidden">{words["view"]}</legend>'
        f'<input type="radio" name="{name}-view" id="{name}-states" value="states" checked>'
        f'<label for="{name}-states">{words["states"]}</label>'
        f'<input type="radio" name="{name}-view" id="{name}-districts" value="districts">'
        f'<label for="{name}-districts">{words["districts"]}</label></fieldset>'
        f'<div class="us-map-view us-map-view--states">{state_view}</div>'
        f'<div class="us-map-view us-map-view--districts">{district_view}</div>'
        '<p class="us-map-tooltip" role="status" aria-live="polite"></p>'
        '<div class="us-map-legend" aria-hidden="true">'
        f'<span class="us-map-legend-none"></span><span>{words["none"]}</span>'
        f'<span class="us-map-legend-scale"></span><span>{words["few"]} → {words["many"]}</span>'
        "</div>"
        f'<p class="us-map-hint small muted">{words["hint"]}</p>'
        "</div>"
    )
    return mark_safe(html)  # every value from the data is escaped above
