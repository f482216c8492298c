"""Serve plotly.js from the installed plotly package, so the portal never needs a CDN and the
browser library always matches the Python library that builds the figures."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PUBLIC_PATH = "vendor/plotly/plotly.min.js"


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=PLOTLY_DIR)
    storage.prefix = "vendor/plotly"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PUBLIC_PATH:
            return [] if find_all else None
        match = str(PLOTLY_DIR / PLOTLY_FILE)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
