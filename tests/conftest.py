"""Shared test set-up: reference data in every test database, and the people who use it."""

import datetime

import pytest

from cases.models import Case, CaseFormat, CaseStatus, Region, State
from cases.reference import load_reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real reference data (17 regions, 56 states...)."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def make_case(db):
    """Build and save a held case; keyword arguments override the defaults.

    `region` and `state` may be given as codes. Dates default to 1 October 2024 (FY2024).
    """

    def make(**fields):
        region = fields.pop("region", "miami")
        state = fields.pop("state", "FL")
        themes = fields.pop("themes", [])
        defaults = {
            "title_en": "Test case",
            "title_ja": "テスト案件",
            "start_date": datetime.date(2024, 10, 1),
            "format": CaseFormat.WORKSHOP,
            "status": CaseStatus.HELD,
            "is_public": True,
        }
        defaults.update(fields)
        case = Case(
            region=region if isinstance(region, Region) else Region.objects.get(code=region),
            state=(
                state
                if isinstance(state, State) or state is None
                else State.objects.get(code=state)
            ),
            **defaults,
        )
        case.full_clean()
        case.save()
        if themes:
            case.themes.set(themes)
        return case

    return make
