from django.urls import path

app_name = "cases"
urlpatterns: list = [
    # The public case browser, case detail, region and state pages (public-portal issue).
]
