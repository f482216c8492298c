"""The figures read pre-aggregated tallies: they must always equal counting the case table.

Also: every kind of write keeps the tallies current (saves, deletes, moves between years and
regions, theme changes from either side, bulk writes with cases_changed()), and the shared
generation moves on with every committed change.
"""

import datetime
import random

import pandas as pd
import pytest
from django.core.management import call_command

from cases import rules, stats, tracking
from cases.figures import freshness
from cases.figures.models import CaseTally, ThemeTally, ThemeYearTally
from cases.models import Case, CaseFormat, CaseStatus, Publication, Region, State, Theme

STATUSES = [CaseStatus.HELD] * 6 + [CaseStatus.DRAFT, CaseStatus.PLANNED, CaseStatus.CANCELLED]


def _bulk_cases(count: int, seed: int = 7) -> list[Case]:
    """`count` varied cases written with bulk_create (no signals), themes included, then
    announced with cases_changed(), as a bulk writer must."""
    rng = random.Random(seed)
    regions = list(Region.objects.prefetch_related("jurisdictions__state"))
    themes = list(Theme.objects.values_list("pk", flat=True))
    formats = list(CaseFormat.values)
    cases = []
    for n in range(count):
        region = rng.choice(regions)
        states = [j.state for j in region.jurisdictions.all()]
        state = rng.choice(states) if states and rng.random() > 0.15 else None
        start = datetime.date(2017, 4, 1) + datetime.timedelta(days=rng.randrange(0, 8 * 365))
        public = rng.random() > 0.3
        cases.append(
            Case(
                title_en=f"Case {n}",
                start_date=start,
                fiscal_year=rules.fiscal_year_of(start),
                region=region,
                state=state,
                format=rng.choice(formats),
                status=rng.choice(STATUSES),
                is_public=public,
                publication=Publication.PUBLISHED if public else Publication.APPROVED,
            )
        )
    created = Case.objects.bulk_create(cases, batch_size=1000)
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    through = Case.themes.through
    links = [
        through(case_id=case_id, theme_id=theme_id)
        for case_id in ids
        for theme_id in rng.sample(themes, rng.randrange(0, 4))
    ]
    through.objects.bulk_create(links, batch_size=1000)
    # What a writer outside the register owes: the cases' tags, and the figures.
    tracking.retag(ids)
    freshness.cases_changed()
    return created


def _filter_sets():
    region = Region.objects.order_by("pk").first().code
    split_region = "los-angeles"
    state = "CA"
    theme = Theme.objects.order_by("pk").first().slug
    yield stats.ALL
    yield stats.Filters(from_fy=2019)
    yield stats.Filters(to_fy=2021)
    yield stats.Filters(from_fy=2020, to_fy=2022)
    yield stats.Filters(region=region)
    yield stats.Filters(region=split_region, from_fy=2018)
    yield stats.Filters(state=state)
    yield stats.Filters(state="ca", to_fy=2023)
    yield stats.Filters(theme=theme)
    yield stats.Filters(theme=theme, region=split_region, from_fy=2018, to_fy=2023)
    yield stats.Filters(theme=theme, state=state)
    yield stats.Filters(from_fy=2030)  # nothing there


FUNCTIONS = [
    stats.by_region,
    stats.by_fiscal_year,
    stats.by_state,
    stats.by_theme,
    stats.by_region_fiscal_year,
]


def _assert_same_as_raw(filters_list=None):
    for filters in filters_list or list(_filter_sets()):
        for function in FUNCTIONS:
            from_tallies = function(filters)
            with stats.counting_raw():
                from_cases = function(filters)
            pd.testing.assert_frame_equal(from_tallies, from_cases, obj=f"{function.__name__}")
        with stats.counting_raw():
            raw_total, raw_headline = stats.total(filters), stats.headline(filters)
        assert stats.total(filters) == raw_total, filters
        assert stats.headline(filters) == raw_headline, filters
    with stats.counting_raw():
        raw_reconcile = stats.reconcile()
    pd.testing.assert_frame_equal(stats.reconcile(), raw_reconcile)


@pytest.mark.django_db
def test_tallies_give_the_same_figures_as_the_case_table():
    _bulk_cases(600)
    # The data set is varied: cases with no state, theme counts, all statuses.
    held = Case.objects.counted()
    assert held.filter(state=None).exists()
    assert Case.objects.exclude(status=CaseStatus.HELD).exists()
    assert stats.by_state()["key"].isna().any()
    assert stats.by_theme()["cases"].sum() > 0
    assert stats.total() == held.count()
    _assert_same_as_raw()


@pytest.mark.django_db
def test_only_held_cases_are_tallied():
    _bulk_cases(300)
    freshness.flush()  # the stats layer does this before every read
    assert CaseTally.objects.filter(cases__lte=0).count() == 0
    assert sum(CaseTally.objects.values_list("cases", flat=True)) == Case.objects.counted().count()
    through = Case.themes.through
    held_links = through.objects.filter(case__in=Case.objects.counted()).count()
    assert sum(ThemeTally.objects.values_list("cases", flat=True)) == held_links


def _case(**fields) -> Case:
    values = {
        "title_en": "A case",
        "start_date": datetime.date(2024, 10, 1),
        "region": Region.objects.get(code="miami"),
        "state": State.objects.get(code="FL"),
        "format": CaseFormat.WORKSHOP,
        "status": CaseStatus.HELD,
        "publication": Publication.APPROVED,
    }
    values.update(fields)
    case = Case(**values)
    case.save()
    return case


@pytest.mark.django_db
def test_saves_deletes_and_moves_keep_the_tallies_current():
    _bulk_cases(100)
    miami = stats.Filters(region="miami")
    before = stats.total(miami)
    case = _case()
    assert stats.total(miami) == before + 1
    # Moving it to another year and region recounts both groups.
    case.region = Region.objects.get(code="new-york")
    case.state = State.objects.get(code="NY")
    case.start_date = datetime.date(2019, 5, 1)
    case.save()
    assert stats.total(miami) == before
    assert stats.total(stats.Filters(region="new-york", from_fy=2019, to_fy=2019)) == (
        Case.objects.counted().filter(region__code="new-york", fiscal_year=2019).count()
    )
    # No longer held: no longer counted.
    case.status = CaseStatus.CANCELLED
    case.save()
    _assert_same_as_raw([stats.ALL, stats.Filters(region="new-york")])
    case.status = CaseStatus.HELD
    case.save()
    case.delete()
    _assert_same_as_raw([stats.ALL, stats.Filters(region="new-york")])


@pytest.mark.django_db
def test_theme_changes_from_either_side_keep_the_tallies_current():
    _bulk_cases(100)
    theme, other = Theme.objects.order_by("pk")[:2]
    by_theme = stats.Filters(theme=theme.slug)
    case = _case(state=None)
    count = stats.total(by_theme)
    case.themes.add(theme, other)
    assert stats.total(by_theme) == count + 1
    case.themes.remove(theme)
    assert stats.total(by_theme) == count
    theme.cases.add(case)
    assert stats.total(by_theme) == count + 1
    theme.cases.remove(case)
    assert stats.total(by_theme) == count
    case.themes.add(theme)
    case.themes.clear()
    assert stats.total(by_theme) == count
    case.themes.add(theme)
    theme.cases.clear()
    assert stats.total(by_theme) == 0
    _assert_same_as_raw([stats.ALL, by_theme, stats.Filters(theme=other.slug)])


@pytest.mark.django_db
def test_bulk_writes_need_cases_changed():
    _bulk_cases(50)
    total = stats.total()
    Case.objects.filter(status=CaseStatus.HELD).update(status=CaseStatus.CANCELLED)
    assert stats.total() == total  # bypassed the signals: not seen yet
    freshness.cases_changed()
    assert stats.total() == 0


@pytest.mark.django_db
def test_rebuild_tallies_command_counts_from_scratch(capsys):
    _bulk_cases(80)
    CaseTally.objects.all().delete()
    ThemeTally.objects.all().delete()
    call_command("rebuild_tallies")
    assert "Tallies rebuilt" in capsys.readouterr().out
    _assert_same_as_raw([stats.ALL, stats.Filters(state="CA")])


@pytest.mark.django_db
def test_a_committed_change_moves_the_generation_on(django_capture_on_commit_callbacks):
    first = freshness.generation()
    assert freshness.generation() == first  # reading does not move it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _case()
    assert callbacks
    second = freshness.generation()
    assert second != first
    with django_capture_on_commit_callbacks(execute=True):
        Theme.objects.order_by("pk").first().save()  # names appear on every page
    assert freshness.generation() != second


@pytest.mark.django_db
def test_the_generation_survives_a_flushed_cache():
    from django.core.cache import cache

    first = freshness.generation()
    cache.clear()
    assert freshness.generation() != first


@pytest.mark.django_db
def test_the_national_theme_tally_is_the_theme_tally_summed_over_regions():
    """The theme chart without a region or state reads ThemeYearTally: it must always equal
    the detailed theme tally summed, after bulk loads, single saves, theme edits and deletes."""

    def summed() -> dict:
        totals: dict = {}
        for year, theme, n in ThemeTally.objects.values_list("fiscal_year", "theme_id", "cases"):
            totals[(year, theme)] = totals.get((year, theme), 0) + n
        return totals

    def national() -> dict:
        freshness.flush()
        return {
            (year, theme): n
            for year, theme, n in ThemeYearTally.objects.values_list(
                "fiscal_year", "theme_id", "cases"
            )
        }

    _bulk_cases(120)
    assert national() == summed()
    assert national()
    case = _case(state=None)
    theme = Theme.objects.order_by("pk").first()
    case.themes.add(theme)
    assert national() == summed()
    case.start_date = datetime.date(2019, 6, 1)
    case.save()
    assert national() == summed()
    case.delete()
    assert national() == summed()
