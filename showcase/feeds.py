"""The Atom feed of best practices, one per language (/en/showcase/feed.atom, /ja/…).

It lists the published pages the public can see (`ShowcasePage.objects.published()`), newest
publication first, in the language of the address: a title or lead missing in that language
falls back to the other, as on the pages themselves.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from showcase.models import ShowcasePage

FEED_ITEMS = 30


class BestPracticeFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Best practices | Grassroots Portal")

    def subtitle(self):
        return _(
            "New best practices of the Task Force on Strengthening Japan–US Relations from the "
            "Grassroots, Government of Japan."
        )

    def link(self):
        return reverse("showcase:index")

    def feed_url(self):
        return reverse("showcase:feed")

    def author_name(self):
        return _("Task Force on Strengthening Japan–US Relations from the Grassroots")

    def feed_copyright(self):
        return _(
            "Licence: Government of Japan Standard Terms of Use (Version 2.0), compatible with "
            "CC BY 4.0."
        )

    def items(self):
        return (
            ShowcasePage.objects.published()
            .select_related("case__region")
            .order_by("-published_at", "pk")[:FEED_ITEMS]
        )

    def item_title(self, page):
        return str(page.title)

    def item_description(self, page):
        return str(page.lead or page.title)

    def item_link(self, page):
        return page.get_absolute_url()

    def item_pubdate(self, page):
        return page.published_at

    def item_updateddate(self, page):
        return page.updated_at

    def item_categories(self, page):
        return [str(page.case.region.name), page.case.fiscal_year_label]
