"""Language-prefixed pages: downloads of the case browser's view, the page about the data."""

from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    # /en/cases/export.csv?region=miami: the case browser's query string, as a file.
    path("cases/export.<str:fmt>", views.case_download, name="case-download"),
    path("data/", views.about_data, name="about-data"),
]
