from django.urls import path

from showcase import views

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("showcase/", views.index, name="index"),
    path("showcase/preview/<int:pk>/", views.preview, name="preview"),
    path("showcase/<slug:slug>/", views.detail, name="detail"),
    path("search/", views.search, name="search"),
]
