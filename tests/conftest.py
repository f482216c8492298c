"""Shared test set-up: reference data in every test database, and the people who use it."""

import datetime
import os

import pytest
import redis
from django.conf import settings
from django.utils import translation

from cases.models import Case, CaseFormat, CaseStatus, County, Publication, Region, State
from cases.reference import load_reference_data
from tests.isolation import RUN_ID, cache_key_prefix, delete_redis_keys


def pytest_configure(config):
    """This run's cache keys carry its own prefix (clearing the cache clears only them), set
    before any cache is opened, so every thread of the run (a live server's too) uses it."""
    for cache in settings.CACHES.values():
        cache["KEY_PREFIX"] = cache_key_prefix()


def pytest_unconfigure(config):
    """The run leaves no Redis key behind: the last test's cached pages and the data
    generation are removed with the rest of this run's prefix (and nothing else)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    try:
        delete_redis_keys(url, cache_key_prefix())
    except redis.exceptions.RedisError as error:  # Redis gone at the end: nothing to remove
        print(f"could not remove this run's Redis keys: {error}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A PostgreSQL test database of this run's own (`test_<name>_<run id>`), which
    pytest-django drops at the end: two runs against one server never share or drop each
    other's. (SQLite test databases live in memory and need nothing.)"""
    from django.db import connections

    for alias in connections:
        config = connections[alias].settings_dict
        if config["ENGINE"] != "django.db.backends.sqlite3":
            config.setdefault("TEST", {})["NAME"] = f"test_{config['NAME']}_{RUN_ID}"[:63]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real reference data (17 regions, 56 states...)."""
    with django_db_blocker.unblock():
        load_reference_data()


def pytest_collection_modifyitems(items):
    """Browser tests run last: they use a transactional database, whose flush at the end of
    each test would empty the reference data the other tests share."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test starts after an earlier one's flush: put the reference data back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        if not Region.objects.exists():
            load_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache_for_each_test():
    """Cached figures and pages are keyed by a generation counter that lives in the cache, not
    the database: a test's rolled-back data must not be served to the next test from the cache
    (local memory, or the shared Redis when REDIS_URL is set). A database cache needs nothing:
    its rows roll back with the test's transaction."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    for cache in caches.all():
        if not isinstance(cache, DatabaseCache):
            cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /ja/ leaves Japanese active on the thread; give every test a clean start so
    what a command prints never depends on which page an earlier test opened."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_case(db):
    """Build and save a held case; keyword arguments override the defaults.

    `region` and `state` may be given as codes, `county` as a FIPS code. In a state two
    districts share (CA, CT, ID) the county defaults to one of the region's there.
    Dates default to 1 October 2024 (FY2024).
    The case has been through review: published when public, else approved (counted, not
    listed); pass `publication=Publication.DRAFT` for one that has not.
    """

    def make(**fields):
        region = fields.pop("region", "miami")
        state = fields.pop("state", "FL")
        county = fields.pop("county", None)
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
        defaults.setdefault(
            "publication", Publication.PUBLISHED if defaults["is_public"] else Publication.APPROVED
        )
        case = Case(
            region=region if isinstance(region, Region) else Region.objects.get(code=region),
            state=(
                state
                if isinstance(state, State) or state is None
                else State.objects.get(code=state)
            ),
            **defaults,
        )
        if isinstance(county, str):
            county = County.objects.get(fips=county)
        elif county is None and case.state is not None:
            county = (
                County.objects.filter(state=case.state, region=case.region)
                .order_by("name_en")
                .first()
            )
        case.county = county
        case.full_clean()
        case.save()
        if themes:
            case.themes.set(themes)
        return case

    return make


# --- The people who use the register (shared personas) -------------------------------------------


def staff_member(username, role, *regions, email=""):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    args = ["create_staff", username, "--role", role]
    for region in regions:
        args += ["--region", region]
    call_command(*args, stdout=io.StringIO())
    user = get_user_model().objects.get(username=username)
    user.email = email or f"{username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def make_staff(db, settings):
    """make_staff(username, role, *regions, password=None) -> a staff member made the way the
    task force makes one (`manage.py create_staff`)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def make(username, role, *regions, password=None):
        user = staff_member(username, role, *regions)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    return make


@pytest.fixture
def hq_editor(db, settings):
    """An HQ editor: every district, may publish and review."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return staff_member("persona-hq", "hq")


@pytest.fixture
def editor_a(db, settings):
    """A consulate editor of district A (Miami)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return staff_member("persona-miami", "consulate", "miami")


@pytest.fixture
def editor_b(db, settings):
    """A consulate editor of district B (New York)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return staff_member("persona-new-york", "consulate", "new-york")


@pytest.fixture
def viewer(db, settings):
    """A viewer: reads everything, changes nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return staff_member("persona-viewer", "viewer")


@pytest.fixture
def signed_in():
    """signed_in(user) -> a test client signed in as the user."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def hq_client(hq_editor, signed_in):
    """A browser signed in as the HQ editor: the persona who does most of the register's work
    (the superuser's `admin_client` is for tests about the superuser)."""
    return signed_in(hq_editor)
