"""Language-prefixed pages: downloads of the case browser's view, the page about the data."""

from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    # /en/cases/export.csv?region=miami: the case browser's query string, as a file.
    path("cases/export.<str:fmt>", views.case_download, name="case-download"),
    # /en/dashboard/compare/export.csv?by=fiscal-year&a=2023&b=2024: the comparison, as a file.
    path(
        "dashboard/compare/export.<str:fmt>", views.comparison_download, name="comparison-download"
    ),
    path("data/", views.about_data, name="about-data"),
]
