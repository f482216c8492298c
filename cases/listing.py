"""How far a public list of cases (the case browser, the API's case list) may be paged.

A list is paged up to its first `settings.PORTAL_LIST_DEPTH` cases (10,000: 500 pages of 20),
a text search up to its first `settings.PORTAL_SEARCH_DEPTH` (1,000: 50 pages). A deeper page
would make the database step over most of a million-case table (OFFSET) for one visitor;
nobody reads that far, and the downloads give the whole list at once. A search is shallower
because its count is a walk along the list that tests each case's text: to the 1,001st match
of a word in one case of ten that is about 12,000 cases at a million (about 10 ms), to the
10,001st about 120,000 (about 100 ms).

The number of cases a list has (`list_count`) is read from the tallies when its filters allow
(one value at most per filter, no search: `stats.Filters.simple`), a sum of a few rows; any
other list is counted only up to its depth, so no count reads more than 10,001 rows of the
case table, and a longer list says "more than 10,000 cases".
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# From this many cases on, a page is read by its ids first (`window`).
DEEP = 200


def window(queryset, start: int, stop: int, read=None) -> list:
    """The cases of a list from `start` to `stop`; a deep window (past DEEP cases) by its ids
    first: the database steps over the cases before it in an index alone, then reads only the
    window's own rows (with their joined regions and states).

    `read`, if given, makes the queryset that reads the rows into what the caller wants (a
    `values_list`, `exchange.exporting.value_rows`). The ids are taken from `queryset` as it
    is: a values_list through the region, state and county keeps their joins in any query
    made from it, and at a million cases the joined walk to a deep page took 29 ms where the
    index alone took 3."""
    if not isinstance(queryset, QuerySet):
        return list(queryset[start:stop])  # a ByRegion, which has its own `read`
    read = read or (lambda rows: rows)
    if start < DEEP:
        return list(read(queryset)[start:stop])
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    return list(read(queryset.filter(pk__in=ids)))


def list_depth(filters=None) -> int:
    """How many cases of a list (narrowed by `filters`, its `cases.stats.Filters`) can be
    reached page by page: fewer for a text search."""
    if filters is not None and filters.search:
        return search_depth()
    return int(getattr(settings, "PORTAL_LIST_DEPTH", 10_000))


def search_depth() -> int:
    """How many cases of a text search's list can be reached page by page."""
    return int(getattr(settings, "PORTAL_SEARCH_DEPTH", 1_000))


def list_depth_label(filters=None) -> str:
    return f"{list_depth(filters):,}"


@dataclass(frozen=True)
class ListCount:
    """How many cases a list has: `number` exactly, or (`exact` False) more than `number`."""

    number: int
    exact: bool = True


def list_count(queryset, filters=None) -> ListCount:
    """The number of cases of a public list: `queryset` (the list) narrowed by `filters` (its
    `cases.stats.Filters`, public). From the tallies when the filters are simple; otherwise
    counted up to `list_depth(filters)`, beyond which the count is "more than" the depth."""
    return list_counts(queryset, filters)[0]


def list_counts(queryset, filters=None, reach: int = 0) -> tuple[ListCount, ListCount | None]:
    """`list_count()` and, when the list had to be counted (not from the tallies), its count
    up to `reach` as well, from the same walk (up to the farther of the depth and `reach`):
    the case browser asks both how many cases a search lists (up to 1,000) and whether its
    option counts are affordable (up to 2,000), and two walks along a million cases cost it
    both, 25 and 35 ms for a common word."""
    from cases import stats

    if filters is not None and filters.public and filters.simple:
        return ListCount(stats.total(filters)), None
    depth = list_depth(filters)
    found = counted_up_to(queryset, max(depth, reach))
    if found.exact and found.number <= depth:
        return found, found
    return ListCount(depth, exact=False), found


def counted_up_to(queryset, limit: int) -> ListCount:
    """The number of cases of `queryset`, or "more than `limit`": COUNT(*) over a sub-select
    with LIMIT, so the database stops after limit + 1 rows."""
    found = queryset.order_by()[: limit + 1].count()
    if found > limit:
        return ListCount(limit, exact=False)
    return ListCount(found)


class ListPage(Page):
    """A page of a capped list: its last case is its own, not the whole list's last."""

    def end_index(self) -> int:
        return self.start_index() + len(self) - 1 if len(self) else 0


class ListPaginator(Paginator):
    """A paginator whose pages stop at `depth` cases (by default `list_depth()`). `count` is
    the list's total as `counted` gives it (a `ListCount`; by default the queryset's own
    count); when that is not exact, `count_exact` is False and `count` is the depth, which
    the list goes beyond."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        counted: ListCount | None = None,
        depth: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = counted
        self.depth = list_depth() if depth is None else depth

    @cached_property
    def count(self) -> int:
        if self.counted is None:
            return Paginator.count.func(self)
        return self.counted.number

    @property
    def count_exact(self) -> bool:
        return self.counted is None or self.counted.exact

    @cached_property
    def num_pages(self) -> int:
        return min(self.pages_of_the_whole_list, max(1, self.depth // self.per_page))

    @property
    def pages_of_the_whole_list(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        # A count that is not exact is one more case than the depth at least.
        return max(1, -(-(self.count + (not self.count_exact)) // self.per_page))

    def page(self, number):
        """A page; a deep one (past DEEP cases) by its ids first: the database steps over the
        cases before it in an index alone, then reads only the page's own rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom < DEEP or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        return self._get_page(window(self.object_list, bottom, top), number, self)

    def _get_page(self, *args, **kwargs) -> ListPage:
        # Django's documented hook for the page class.
        return ListPage(*args, **kwargs)

    @property
    def capped(self) -> bool:
        """Whether the list goes on beyond its last page."""
        return self.pages_of_the_whole_list > self.num_pages


class ByRegion:
    """A public list in region order (each region's cases newest first), read a region at a
    time: the regions' place in the order lives in another table, so one query sorted by it
    would read and sort every case of the list; with the number of cases of each region (the
    tallies'), a page is one or two reads of the (region, start date) index.

    Stands in for the queryset in a paginator: `count()` and slicing (each region's part
    read as `window` reads it, with `read`)."""

    ordered = True

    def __init__(self, queryset, counts: dict[int, int], order: list[int], read=None):
        self.queryset = queryset.order_by("-start_date", "-pk")
        self.counts = counts
        self.order = order
        self.read = read

    def count(self) -> int:
        return sum(self.counts.get(region, 0) for region in self.order)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, span):
        if not isinstance(span, slice) or span.step not in (None, 1):
            raise TypeError("ByRegion takes slices only")
        start, stop = span.start or 0, span.stop
        found = []
        for region in self.order:
            size = self.counts.get(region, 0)
            if stop is not None and stop <= 0:
                break
            if start < size:
                end = size if stop is None else min(size, stop)
                found += window(self.queryset.filter(region_id=region), start, end, self.read)
            start, stop = max(0, start - size), None if stop is None else stop - size
        return found


def by_region(queryset, filters, read=None):
    """The list in region order as a `ByRegion` when the tallies can count its regions (the
    filters but the regions are simple: several regions are counted region by region), else
    None (the queryset's own order by region serves)."""
    from cases.figures import reference
    from cases.stats.counting import count_by, tallied

    if filters is None or not filters.public:
        return None
    others = filters.without("region")
    if not tallied(others, "region__code"):
        return None
    regions = reference.regions()
    counts = count_by(others, "region__code")
    chosen = set(filters.regions)
    by_id = {
        regions.ids[code]: n
        for code, n in counts.items()
        if code in regions.ids and (not chosen or code in chosen)
    }
    return ByRegion(queryset, by_id, [regions.ids[item.key] for item in regions.items], read)


# The order a text search takes when it has more cases than its depth and was asked for an
# order by title or region: those would read and sort every match (at a million cases, a
# hundred thousand), newest first stops at the page's end.
COSTLY_ORDERS = ("title", "region")
NEWEST = ("-start_date", "-pk")


def order_for(filters, counted: ListCount, sort: str | None) -> str:
    """The order a list is given: `sort` as asked, or "newest" for a text search with more
    cases than its depth asked for a costly order (COSTLY_ORDERS)."""
    wide = filters is not None and filters.search and not counted.exact
    return "newest" if wide and sort in COSTLY_ORDERS else (sort or "newest")
