"""The map's SVG path data (absolute M, L and Z only) read as points."""

import re

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
