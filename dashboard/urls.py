from django.urls import path

app_name = "dashboard"
urlpatterns: list = [
    # The dashboard, chart data/CSV and embed pages (public-portal issue).
]
