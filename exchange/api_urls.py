"""/api/v1/: the read-only open-data API, outside the language prefix."""

from django.urls import path, re_path

from exchange import api

app_name = "api"
urlpatterns = [
    path("cases/", api.case_list, name="case-list"),
    # Any segment reaches the view, so a malformed id is a JSON 404 like a missing one.
    path("cases/<str:pk>/", api.case_detail, name="case-detail"),
    path("stats/region/", api.stats_view("region"), name="stats-region"),
    path("stats/fiscal-year/", api.stats_view("fiscal-year"), name="stats-fiscal-year"),
    path("stats/state/", api.stats_view("state"), name="stats-state"),
    path("stats/theme/", api.stats_view("theme"), name="stats-theme"),
    path("regions/", api.region_list, name="region-list"),
    path("states/", api.state_list, name="state-list"),
    path("themes/", api.theme_list, name="theme-list"),
    path("openapi.json", api.openapi, name="openapi"),
    # Anything else ending in a slash is a JSON 404 (without the slash, Django first redirects
    # to the address with one).
    re_path(r"^(?P<path>.*/)$", api.not_found),
    # The API's front page, for people: every address and its limits, and the document.
    path("", api.index, name="index"),
]
