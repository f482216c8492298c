"""sitemap.xml: every public page, in English and Japanese, and nothing else.

Each sitemap lists its items once per language (`i18n`), with the other language as an
hreflang alternate. Drafts, pages whose case is not public, and non-public cases never appear:
the items come from the same queryset methods the pages themselves use.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cases.models import Case, Region, State
from showcase.links import SECTIONS
from showcase.models import ShowcasePage


class _Bilingual(Sitemap):
    i18n = True
    languages = ["en", "ja"]
    alternates = True
    x_default = True


class PortalSitemap(_Bilingual):
    """The portal's fixed pages: this app's, and the sections other apps serve."""

    priority = 0.8
    changefreq = "weekly"
    own_pages = ["showcase:home", "showcase:index", "showcase:about", "showcase:accessibility"]

    def items(self):
        return [*self.own_pages, *SECTIONS.values()]

    def location(self, name):
        return reverse(name)


class ShowcaseSitemap(_Bilingual):
    """Published best-practice pages."""

    priority = 0.9
    changefreq = "monthly"

    def items(self):
        return ShowcasePage.objects.published().order_by("slug").only("slug", "updated_at")

    def lastmod(self, page):
        return page.updated_at


class CaseSitemap(_Bilingual):
    """Public cases' pages (`cases:detail`)."""

    priority = 0.5
    changefreq = "monthly"

    def items(self):
        return Case.objects.public().order_by("pk").only("pk", "updated_at")

    def location(self, case):
        return reverse("cases:detail", kwargs={"pk": case.pk})

    def lastmod(self, case):
        return case.updated_at


class RegionSitemap(_Bilingual):
    """Each region's page (`cases:region-detail`)."""

    priority = 0.6
    changefreq = "weekly"

    def items(self):
        return list(Region.objects.order_by("sort_order", "code").values_list("code", flat=True))

    def location(self, code):
        return reverse("cases:region-detail", kwargs={"code": code})


class StateSitemap(_Bilingual):
    """Each state's page, DC's and the territories' too (`cases:state-detail`)."""

    priority = 0.6
    changefreq = "weekly"

    def items(self):
        return list(State.objects.order_by("code").values_list("code", flat=True))

    def location(self, code):
        return reverse("cases:state-detail", kwargs={"code": code})


SITEMAPS = {
    "portal": PortalSitemap,
    "showcase": ShowcaseSitemap,
    "regions": RegionSitemap,
    "states": StateSitemap,
    "cases": CaseSitemap,
}
