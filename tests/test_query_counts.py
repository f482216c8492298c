"""Every public page and every admin list runs as many queries at 10,000 cases as at 100.

The pages are measured uncached (PORTAL_FIGURE_CACHE off), so what is counted is the work of
building the page; queries of a database cache are left out, as they are not the page's (with
Redis there are none). A page whose count grows with the data has an N+1 somewhere.
"""

import contextlib
import datetime
import random

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cases import rules, tracking
from cases.figures import freshness
from cases.models import (
    Case,
    CaseFormat,
    CasePartner,
    CaseStatus,
    Partner,
    PartnerKind,
    PartnerRole,
    Publication,
    Region,
    Theme,
)

SMALL, LARGE = 100, 10_000


def data_queries(context: CaptureQueriesContext) -> list[str]:
    """The captured queries, without those of a database cache (table portal_cache) and
    without savepoints."""
    return [
        query["sql"]
        for query in context.captured_queries
        if "portal_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"].upper()
    ]


@contextlib.contextmanager
def assert_data_queries(expected: int):
    """Like django_assert_num_queries, for the uncached page and counting only data_queries.

    The writes made so far are counted into the tallies first: in production a writer does
    that in its own transaction, and no reader pays for it.
    """
    freshness.flush()
    with override_settings(PORTAL_FIGURE_CACHE=False), CaptureQueriesContext(connection) as ctx:
        yield ctx
    queries = data_queries(ctx)
    assert len(queries) == expected, "\n".join([f"{len(queries)} queries:", *queries])


def add_cases(count: int, seed: int) -> None:
    """`count` varied public and non-public cases with themes and partners, written through
    the bulk paths (as the benchmark and the importer do) and announced with cases_changed()."""
    rng = random.Random(seed)
    regions = list(Region.objects.prefetch_related("jurisdictions__state"))
    themes = list(Theme.objects.values_list("pk", flat=True))
    partners = list(Partner.objects.values_list("pk", flat=True))
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    cases = []
    for n in range(count):
        region = rng.choice(regions)
        states = [j.state for j in region.jurisdictions.all()]
        start = datetime.date(2017, 4, 1) + datetime.timedelta(days=rng.randrange(0, 8 * 365))
        public = rng.random() > 0.2
        cases.append(
            Case(
                pk=first_id + n,
                title_en=f"Case {seed}-{n}",
                title_ja=f"案件{seed}-{n}",
                summary_en="A workshop.",
                start_date=start,
                fiscal_year=rules.fiscal_year_of(start),
                region=region,
                state=rng.choice(states) if states and rng.random() > 0.1 else None,
                city_en="Springfield",
                format=rng.choice(CaseFormat.values),
                status=CaseStatus.HELD if rng.random() > 0.1 else CaseStatus.PLANNED,
                is_public=public,
                publication=Publication.PUBLISHED if public else Publication.DRAFT,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    through = Case.themes.through
    through.objects.bulk_create(
        [
            through(case_id=case.pk, theme_id=theme)
            for case in cases
            for theme in rng.sample(themes, rng.randrange(1, 4))
        ],
        batch_size=2000,
    )
    tracking.retag([case.pk for case in cases])
    CasePartner.objects.bulk_create(
        [
            CasePartner(case_id=case.pk, partner_id=rng.choice(partners), role=PartnerRole.SPEAKER)
            for case in cases
            if rng.random() > 0.5
        ],
        batch_size=2000,
    )
    freshness.cases_changed()
    freshness.flush()


@pytest.fixture
def register(db, make_case):
    """A few named records the pages link to, then SMALL cases in all."""
    from cases.models import Publication
    from showcase.models import HeroIllustration, ShowcasePage

    Partner.objects.bulk_create(
        [
            Partner(name_en=f"Partner {n}", slug=f"partner-{n}", kind=PartnerKind.UNIVERSITY)
            for n in range(30)
        ]
    )
    case = make_case(title_en="Showcased", themes=list(Theme.objects.all()[:2]))
    ShowcasePage.objects.create(
        case=case,
        slug="showcased",
        title_en="Showcased",
        lead_en="Lead.",
        body_en="Body.",
        hero_illustration=HeroIllustration.TRANSPORT,
        hero_alt_en="A train.",
        publication=Publication.PUBLISHED,
        published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )
    add_cases(SMALL - 1, seed=1)
    return case


PUBLIC_PAGES = [
    "/en/",
    "/en/dashboard/",
    "/ja/dashboard/?from=2019&to=2023&region=miami&theme=energy",
    "/en/dashboard/compare/",
    "/ja/dashboard/compare/?by=region&a=miami&b=new-york&from=2019&to=2023",
    "/en/dashboard/compare/export.csv?by=fiscal-year&a=2022&b=2023&region=miami",
    "/en/cases/",
    "/en/cases/?region=new-york&page=2",
    "/en/cases/{case}/",
    "/en/regions/",
    "/en/regions/miami/",
    "/en/states/",
    "/en/states/FL/",
    "/en/showcase/",
    "/en/showcase/showcased/",
    "/api/v1/cases/",
    "/api/v1/stats/region/",
    "/api/v1/stats/fiscal-year/",
    "/api/v1/stats/state/?region=miami",
    "/api/v1/stats/theme/",
]
ADMIN_LISTS = [
    "/en/admin/cases/case/",
    "/en/admin/cases/partner/",
    "/en/admin/showcase/showcasepage/",
    "/en/admin/cases/region/",
    "/en/admin/exchange/importbatch/",
]


def _measure(client, urls, case) -> dict[str, int]:
    counts = {}
    for template in urls:
        url = template.format(case=case.pk)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(data_queries(context))
    return counts


@pytest.mark.django_db
def test_public_pages_run_the_same_queries_at_100_and_10000_cases(client, register, settings):
    settings.PORTAL_FIGURE_CACHE = False
    small = _measure(client, PUBLIC_PAGES, register)
    assert all(small.values())
    add_cases(LARGE - SMALL, seed=2)
    assert Case.objects.count() == LARGE
    large = _measure(client, PUBLIC_PAGES, register)
    assert large == small


@pytest.mark.django_db
def test_admin_lists_run_the_same_queries_at_100_and_10000_cases(hq_client, register):
    small = _measure(hq_client, ADMIN_LISTS, register)
    assert all(small.values())
    add_cases(LARGE - SMALL, seed=3)
    large = _measure(hq_client, ADMIN_LISTS, register)
    assert large == small


@pytest.mark.django_db
def test_a_cached_figure_page_costs_no_data_query(client, register):
    """With the cache on, a repeat visit is served whole from the cache."""
    client.get("/en/dashboard/")
    with CaptureQueriesContext(connection) as context:
        assert client.get("/en/dashboard/").status_code == 200
    assert data_queries(context) == []
