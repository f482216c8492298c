from django.urls import path

from showcase import views
from showcase.feeds import BestPracticeFeed

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("showcase/", views.index, name="index"),
    # Not "showcase/feed/": that address belongs to a page with the slug "feed".
    path("showcase/feed.atom", BestPracticeFeed(), name="feed"),
    path("showcase/preview/<int:pk>/", views.preview, name="preview"),
    path("showcase/<slug:slug>/", views.detail, name="detail"),
    path("showcase/<slug:slug>/og.jpg", views.og_image, name="og-image"),
    path("search/", views.search, name="search"),
]
