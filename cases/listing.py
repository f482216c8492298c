"""How far a public list of cases (the case browser, the API's case list) may be paged.

A list is paged up to its first `settings.PORTAL_LIST_DEPTH` cases (10,000: 500 pages of 20).
A deeper page would make the database step over most of a million-case table (OFFSET) for
one visitor; nobody reads that far, and the downloads give the whole list at once.
"""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


def list_depth() -> int:
    """How many cases of a list can be reached page by page."""
    return int(getattr(settings, "PORTAL_LIST_DEPTH", 10_000))


def list_depth_label() -> str:
    return f"{list_depth():,}"


class ListPage(Page):
    """A page of a capped list: its last case is its own, not the whole list's last."""

    def end_index(self) -> int:
        return self.start_index() + len(self) - 1 if len(self) else 0


class ListPaginator(Paginator):
    """A paginator whose pages stop at `list_depth()` cases; `count` stays the real total."""

    @cached_property
    def num_pages(self) -> int:
        return min(self.pages_of_the_whole_list, max(1, list_depth() // self.per_page))

    @property
    def pages_of_the_whole_list(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, -(-self.count // self.per_page))

    def _get_page(self, *args, **kwargs) -> ListPage:
        # Django's documented hook for the page class.
        return ListPage(*args, **kwargs)

    @property
    def capped(self) -> bool:
        """Whether the list goes on beyond its last page."""
        return self.pages_of_the_whole_list > self.num_pages
