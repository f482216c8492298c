"""The benchmark's settings: the portal's own, with the benchmark's URLconf
(bench/urls.py, which adds the hello-world ceiling). bench/server.py serves with these."""

from grassroots.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
