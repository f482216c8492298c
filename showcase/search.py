"""The site search page's results: every kind the portal shows, grouped, with counts.

Matching is the register's (`cases.search`); this module adds the best-practice pages and
puts the kinds in the order the results page shows them.
"""

from dataclasses import dataclass, field

from cases.models import Case, CasePartner, Partner
from cases.search import (
    matching_cases,
    matching_pages,
    matching_partners,
    matching_regions,
    matching_states,
)
from showcase.models import ShowcasePage


@dataclass
class Group:
    """One kind of result: its key, its heading, how many match and the first few of them."""

    kind: str
    count: int
    items: list = field(default_factory=list)
    more_url: str | None = None


KINDS = ("cases", "best-practices", "partners", "regions", "states")


def search_everything(
    query: str, limit: int = 10, *, more: str | None = None, more_limit: int = 200
) -> list[Group]:
    """Every kind of result for `query`, in the order of KINDS, each with its count and its
    first `limit` items (`more_limit` for the kind named by `more`).

    A case or page listed is public; a partner is listed when it took part in a public case.
    """
    size = {kind: more_limit if kind == more else limit for kind in KINDS}
    cases = matching_cases(Case.objects.public(), query)
    pages = matching_pages(ShowcasePage.objects.published(), query)
    partners = matching_partners(Partner.objects.filter(pk__in=_public_partner_ids()), query)
    regions = matching_regions(query)
    states = matching_states(query)
    return [
        Group("cases", cases.count(), list(cases.for_listing()[: size["cases"]])),
        Group("best-practices", pages.count(), list(pages.for_cards()[: size["best-practices"]])),
        Group(
            "partners",
            partners.count(),
            list(partners.select_related("state")[: size["partners"]]),
        ),
        Group("regions", len(regions), regions[: size["regions"]]),
        Group("states", len(states), states[: size["states"]]),
    ]


def _public_partner_ids():
    return CasePartner.objects.filter(case__in=Case.objects.public().values("pk")).values(
        "partner_id"
    )
