from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.index, name="index"),
    path("dashboard/data/<slug:slug>.csv", views.chart_csv, name="csv"),
    path("dashboard/embed/<slug:slug>/", views.embed, name="embed"),
    path("dashboard/compare/", views.compare, name="compare"),
]
