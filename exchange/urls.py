from django.urls import path  # noqa: F401

app_name = "exchange"
urlpatterns: list = [
    # Language-prefixed pages: downloads of the case browser's view, the about-the-data page.
]
