"""The fast paths of the figure pages give the same answers as the slow ones.

- one shared `stats.Counts` (one read of each tally) gives the figures the frame functions and
  the case table give;
- the reference data and rendered filter widgets remembered per generation are dropped when
  the generation moves, and never kept inside a transaction.

(The chart card, once built in Python here for speed, is a template now: its escaping is
tested in tests/test_chart_cards.py.)
"""

import pytest
from django.db import transaction

from cases import stats
from cases.figures import freshness, reference
from cases.models import Region

FILTERS = [
    stats.ALL,
    stats.Filters(from_fy=2023),
    stats.Filters(region="miami"),
    stats.Filters(state="FL", from_fy=2024, to_fy=2024),
    stats.Filters(theme="energy"),
    stats.Filters(region="miami", theme="culture", from_fy=2023, to_fy=2024),
    stats.Filters(state="ZZ"),
]


@pytest.fixture
def register(make_case):
    from cases.models import CaseStatus, Theme

    energy, culture = Theme.objects.get(slug="energy"), Theme.objects.get(slug="culture")
    make_case(region="miami", state="FL", themes=[energy])
    make_case(region="miami", state="FL", themes=[energy, culture], is_public=False)
    make_case(region="miami", state=None, themes=[culture])
    make_case(region="new-york", state="NY", themes=[energy])
    make_case(region="new-york", state="NY", status=CaseStatus.PLANNED, themes=[energy])
    import datetime

    make_case(region="chicago", state="IL", start_date=datetime.date(2023, 5, 1))
    freshness.flush()


@pytest.mark.django_db
@pytest.mark.parametrize("filters", FILTERS)
def test_a_shared_counts_gives_the_same_figures(register, filters):
    counts = stats.Counts(filters)
    with stats.counting_raw():
        raw = {
            "region": stats.by_region(filters).to_dict("records"),
            "fiscal_year": stats.by_fiscal_year(filters).to_dict("records"),
            "state": stats.by_state(filters).to_dict("records"),
            "theme": stats.by_theme(filters).to_dict("records"),
            "total": stats.total(filters),
        }
    assert stats.region_rows(filters, counts) == raw["region"]
    assert stats.fiscal_year_rows(filters, counts) == raw["fiscal_year"]
    assert stats.state_rows(filters, counts) == raw["state"]
    assert stats.theme_rows(filters, counts) == raw["theme"]
    assert stats.total(filters, counts) == raw["total"]
    assert stats.by_state(filters, counts).to_dict("records") == raw["state"]
    assert stats.by_fiscal_year(filters).dtypes.to_dict() == (
        stats.by_fiscal_year(filters, counts).dtypes.to_dict()
    )


@pytest.mark.django_db
def test_the_headline_from_shared_counts(register):
    assert stats.headline(stats.ALL, stats.Counts()) == stats.headline()
    assert stats.headline().total == 5  # the non-public held case counts


@pytest.mark.django_db(transaction=True)
def test_reference_data_is_remembered_per_generation():
    from cases.reference import load_reference_data

    load_reference_data()
    freshness.bump_generation()
    first = reference.regions()
    assert reference.regions() is first  # not read again
    region = Region.objects.get(code="miami")
    region.name_en = "Miami (renamed)"
    region.save()  # a reference change moves the generation
    assert reference.regions().get("miami").name_en == "Miami (renamed)"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_remembered_inside_a_transaction():
    from cases.reference import load_reference_data

    load_reference_data()
    outside = reference.regions()
    with transaction.atomic():
        Region.objects.filter(code="miami").update(name_en="Uncommitted")
        assert reference.regions().get("miami").name_en == "Uncommitted"
        transaction.set_rollback(True)
    assert reference.regions() is outside
    assert reference.regions().get("miami").name_en != "Uncommitted"


@pytest.mark.django_db
def test_the_remembered_site_nav_marks_the_page_shown(register, client):
    def current(html):
        import re

        nav = html[html.index('<nav class="site-nav"') :]
        nav = nav[: nav.index("</nav>")]
        return re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', nav)

    for _ in range(2):  # the second round is served from the remembered navigation
        assert current(client.get("/en/dashboard/").content.decode()) == [
            ("/en/dashboard/", "Dashboard")
        ]
        assert current(client.get("/en/").content.decode()) == [("/en/", "Home")]
        assert current(client.get("/ja/dashboard/").content.decode()) == [
            ("/ja/dashboard/", "ダッシュボード")
        ]
        assert current(client.get("/en/regions/miami/").content.decode()) == [
            ("/en/regions/", "Regions")
        ]
        assert current(client.get("/en/cases/").content.decode()) == [("/en/cases/", "Cases")]


@pytest.mark.django_db
def test_the_language_switch_keeps_the_query(register, client):
    html = client.get("/en/dashboard/?region=miami&from=2023").content.decode()
    assert 'href="/ja/dashboard/?region=miami&amp;from=2023" lang="ja"' in html
    html = client.get("/ja/regions/miami/").content.decode()
    assert 'href="/en/regions/miami/" lang="en"' in html
