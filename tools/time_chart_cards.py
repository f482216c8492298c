"""How long the dashboard takes uncached, and how much of it the chart cards are.

    .venv/bin/python tools/time_chart_cards.py [--runs 25]

Reads the development database (db.sqlite3 after `./dev up`, or DATABASE_URL) with the
figure cache off (PORTAL_FIGURE_CACHE=0), so every request builds the page. Prints the median
wall-clock and CPU time of:

- the whole page, /en/dashboard/ and /ja/dashboard/, through Django's test Client;
- the four cards alone: `dashboard/includes/chart.html` rendered for each of the dashboard's
  charts, with the charts built once beforehand (so only the card markup is timed).

Nothing is written. The numbers are for comparing two versions of the code on one machine
(issue 15, item 3: the card moved from Python format strings to a template).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
os.environ["PORTAL_FIGURE_CACHE"] = "0"
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # not a log line per request


def _timed(functions: dict, runs: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and median CPU time of `runs` calls of each function, in
    milliseconds, after five unmeasured ones. The functions take turns, so a burst of load
    elsewhere falls on all of them alike; the CPU time (this process's own, SQLite included)
    is the steadier number on a shared machine."""
    wall = {name: [] for name in functions}
    cpu = {name: [] for name in functions}
    for run in range(runs + 5):
        for name, function in functions.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            if run >= 5:
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - start_cpu) * 1000)
    return {
        name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in functions
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    runs = parser.parse_args().runs

    import django

    django.setup()

    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.utils import translation

    from cases.figures.charts import CHART_SLUGS, build_charts
    from cases.figures.freshness import generation
    from cases.figures.reference import request_scope
    from cases.stats import ALL

    client = Client()

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    def cards(language):
        request = RequestFactory().get(f"/{language}/dashboard/")
        with translation.override(language), request_scope(generation()):
            charts = build_charts(CHART_SLUGS, ALL)

        def render():
            with translation.override(language):
                for chart in charts:
                    render_to_string("dashboard/includes/chart.html", {"chart": chart}, request)

        return render

    results = _timed(
        {
            "page /en/dashboard/": page("/en/dashboard/"),
            "page /ja/dashboard/": page("/ja/dashboard/"),
            "4 cards en": cards("en"),
            "4 cards ja": cards("ja"),
        },
        runs,
    )
    print(f"{runs} runs each, medians")
    for name, (wall, cpu) in results.items():
        print(f"{name:<20} {wall:7.2f} ms wall   {cpu:7.2f} ms CPU")


if __name__ == "__main__":
    main()
