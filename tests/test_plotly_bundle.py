"""The portal serves plotly.js's cartesian partial bundle, derived from the npm registry by
tools/plotly/build: it must be the plotly.js the Python package builds figures for, and it
must draw every kind of trace the portal's charts use."""

import re
from pathlib import Path

import plotly.offline
import pytest

from cases.figures.charts import CHART_SLUGS, build_charts
from cases.stats import Filters

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "vendor" / "plotly" / "plotly.min.js"


def bundle_text() -> str:
    return BUNDLE.read_text(encoding="utf-8")


def test_the_bundle_is_the_plotly_js_the_python_package_needs():
    header = bundle_text()[:200]
    version = re.search(r"plotly\.js \(cartesian - minified\) v([0-9.]+)", header)
    assert version, header
    assert version.group(1) == plotly.offline.get_plotlyjs_version()


def test_the_bundle_is_the_partial_one_not_the_full_library():
    text = bundle_text()
    traces = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', text))
    assert {"bar", "scatter", "heatmap"} <= traces
    # The full bundle's maps and 3-D traces are what made the first visit heavy.
    assert not {"choropleth", "scattergeo", "scattermap", "surface", "mesh3d"} & traces
    assert BUNDLE.stat().st_size < 1_600_000


@pytest.mark.django_db
def test_every_trace_the_charts_draw_is_in_the_bundle():
    registered = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', bundle_text()))
    used = {
        trace["type"]
        for chart in build_charts(CHART_SLUGS, Filters())
        # The map is drawn by the portal as SVG (no plotly figure).
        for trace in chart.figure.get("data", [])
    }
    assert used
    assert used <= registered, used - registered


def test_the_derivation_is_committed_beside_its_lock():
    tools = BUNDLE.parents[3] / "tools" / "plotly"
    assert (tools / "build").stat().st_mode & 0o111
    assert (tools / "package-lock.json").is_file()
    assert '"plotly.js-cartesian-dist-min": "' + plotly.offline.get_plotlyjs_version() in (
        tools / "package.json"
    ).read_text(encoding="utf-8")
