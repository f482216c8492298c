"""Root URLs: every page lives under a language prefix (/en/, /ja/)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from cases.maps import map_geometry
from grassroots.health import healthz
from showcase.sitemaps import SITEMAPS
from showcase.views import robots_txt

# A database outage met anywhere is a 503 with Retry-After, not a 500 (grassroots/outage.py).
handler500 = "grassroots.outage.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("exchange.api_urls")),
    # Crawlers look for these at the root; the sitemap lists the pages in both languages.
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # For load balancers and monitors: outside the language prefix, never redirected.
    path("healthz", healthz, name="healthz"),
    # The map's outlines, named by their content (cases.maps): one file for every language.
    re_path(r"^maps/us-(?P<digest>[0-9a-f]{20})\.svg$", map_geometry, name="map-geometry"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("dashboard.urls")),
    path("", include("exchange.urls")),
    path("", include("showcase.urls")),
)
# Uploaded images in development; in production the web server or object storage serves them.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
