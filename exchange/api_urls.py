from django.urls import path  # noqa: F401

app_name = "api"
urlpatterns: list = [
    # The read-only open-data API (data issue).
]
