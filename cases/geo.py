"""The map of the United States and its consular districts, drawn by the portal itself.

The geometry is `cases/geodata/us-map.json`, made by `tools/map/build-map.mjs` from the Census
Bureau's cartographic boundaries (npm `us-atlas`): SVG path data (x right, y down) in one
975 × 700 drawing, the lower 48 states in an Albers projection, Alaska and Hawaii as insets and
the five territories in a row of insets below. It also holds every county of the three states
two districts share (California, Connecticut, Idaho); which district a county belongs to is the
register's own data (the County table, edited by headquarters), so the map follows a change
without a rebuild.

Public API (the printable handout reuses it):

- `district_map()` -> a list of `District`, one per region, each with its `shapes` (the states
  and state parts of its district, with SVG path data) and `d` (all of them as one path);
- `state_parts()` -> a list of `Shape`, one per state, DC, territory and district part of a
  split state;
- `frame()` -> the drawing's size, its insets and where each state's centre is.
"""

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from cases.models import County, Jurisdiction, Region

MAP_FILE = Path(__file__).resolve().parent / "geodata" / "us-map.json"


@functools.lru_cache(maxsize=1)
def _atlas() -> dict:
    with MAP_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Inset:
    """A framed box of the drawing that holds far-away states or territories."""

    codes: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Frame:
    """The drawing: its size (SVG user units), its insets and each state's centre."""

    width: float
    height: float
    insets: tuple[Inset, ...]
    centroids: dict[str, tuple[float, float]]
    source: str

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def frame() -> Frame:
    atlas = _atlas()
    return Frame(
        width=atlas["width"],
        height=atlas["height"],
        insets=tuple(Inset(tuple(inset["codes"]), *inset["frame"]) for inset in atlas["insets"]),
        centroids={code: tuple(point) for code, point in atlas["centroids"].items()},
        source=atlas["source"],
    )


@dataclass(frozen=True)
class Shape:
    """A state, DC or territory, or the part of a split state one district holds.

    `key` is the USPS code ("FL") or, for a part, code and region ("CA:los-angeles");
    `d` is SVG path data (y down) to fill; `outline` path data to stroke (the part's edge,
    without the county lines inside it; for a whole state the same as `d`); `counties` the
    FIPS codes of a part's counties.
    """

    key: str
    state: str
    region: str
    d: str
    split: bool = False
    counties: tuple[str, ...] = ()
    outline: str = ""

    @property
    def edge(self) -> str:
        return self.outline or self.d


@dataclass
class District:
    """One region's consular district: its shapes and all of them as one path."""

    region: Region
    shapes: list[Shape] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def d(self) -> str:
        return "".join(shape.d for shape in self.shapes)


def part_key(state: str, region: str) -> str:
    """The key of a split state's part: "CA:los-angeles"."""
    return f"{state}:{region}"


def state_parts() -> list[Shape]:
    """Every state, DC and territory as one shape, except that a state two districts share is
    drawn as two shapes, each the union of the counties its district holds (two queries)."""
    atlas = _atlas()
    holders: dict[str, list[str]] = {}
    for state, region in Jurisdiction.objects.values_list("state__code", "region__code"):
        holders.setdefault(state, []).append(region)
    county_region = dict(County.objects.values_list("fips", "region__code"))
    parts: dict[tuple[str, str], list[str]] = {}
    for fips, county in atlas["counties"].items():
        region = county_region.get(fips)
        if region is not None:
            parts.setdefault((county["state"], region), []).append(fips)
    shapes = []
    for state in sorted(atlas["states"]):
        regions = holders.get(state, [])
        split = len(regions) > 1 and any(key[0] == state for key in parts)
        if not split:
            region = regions[0] if regions else ""
            shapes.append(Shape(state, state, region, atlas["states"][state]))
            continue
        for region in sorted(regions):
            fips = tuple(sorted(parts.get((state, region), ())))
            d = "".join(atlas["counties"][code]["d"] for code in fips)
            if d:
                outline = _edge(atlas, fips)
                shapes.append(
                    Shape(part_key(state, region), state, region, d, True, fips, outline)
                )
    return shapes


def _edge(atlas: dict, fips) -> str:
    """The edge of a set of counties: the arcs exactly one of them uses."""
    uses: dict[str, int] = {}
    for code in fips:
        for arc in atlas["counties"][code]["arcs"]:
            uses[str(arc)] = uses.get(str(arc), 0) + 1
    return "".join(atlas["arcs"][arc] for arc, count in sorted(uses.items()) if count == 1)


def district_lines(shapes: list[Shape] | None = None) -> dict[str, str]:
    """{USPS code: path data} of the line that divides each split state between its two
    districts: the county arcs shared by counties of different parts."""
    atlas = _atlas()
    shapes = state_parts() if shapes is None else shapes
    part_of = {code: shape.key for shape in shapes if shape.split for code in shape.counties}
    arc_parts: dict[str, set[str]] = {}
    for code, part in part_of.items():
        for arc in atlas["counties"][code]["arcs"]:
            arc_parts.setdefault(str(arc), set()).add(part)
    lines: dict[str, list[str]] = {}
    for arc, found in sorted(arc_parts.items()):
        if len(found) > 1:
            state = next(iter(found)).split(":")[0]
            lines.setdefault(state, []).append(atlas["arcs"][arc])
    return {state: "".join(paths) for state, paths in lines.items()}


def district_map() -> list[District]:
    """One District per region, in the regions' order, each with the shapes of its district
    (states, and its part of a split state) and their SVG path data."""
    districts = {region.code: District(region) for region in Region.objects.all()}
    for shape in state_parts():
        if shape.region in districts:
            districts[shape.region].shapes.append(shape)
    return list(districts.values())
