"""The benchmark's URLconf: every route of the portal, plus the hello-world ceiling."""

from django.urls import path

from bench.views import hello
from grassroots.urls import urlpatterns

urlpatterns = [*urlpatterns, path("bench/hello", hello, name="bench-hello")]
