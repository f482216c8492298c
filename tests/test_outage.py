"""While the database does not answer: cached pages for anonymous visitors (marked stale),
a 503 in the visitor's language with Retry-After for the rest, JSON under /api/, never a 500,
and nothing half-written.

The outage here is every new cursor failing as psycopg fails on a stopped server; the fault
tests (tests/test_faults.py) stop a real PostgreSQL.
"""

import contextlib
import logging

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from cases.models import Case
from grassroots import outage


@contextlib.contextmanager
def database_down():
    original = BaseDatabaseWrapper._cursor

    def refused(self, *args, **kwargs):
        raise OperationalError(
            'connection failed: connection to server at "10.0.0.7", port 5432 failed: '
            "Connection refused"
        )

    BaseDatabaseWrapper._cursor = refused
    try:
        yield
    finally:
        BaseDatabaseWrapper._cursor = original


@pytest.fixture
def memory_cache(settings):
    """A cache that is not in the database (Redis in production), so it outlives the outage."""
    from tests.isolation import cache_key_prefix

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": cache_key_prefix("outage"),
        }
    }


@pytest.mark.django_db
class TestDatabaseDown:
    def test_a_cached_page_is_served_marked_stale_even_after_a_change(
        self, client, memory_cache, make_case
    ):
        make_case(title_en="Before the outage")
        first = client.get("/en/dashboard/", HTTP_ACCEPT_ENCODING="identity")
        assert first.status_code == 200
        from cases.figures.freshness import bump_generation

        bump_generation()  # a change: the stored page is no longer current
        with database_down():
            response = client.get("/en/dashboard/", HTTP_ACCEPT_ENCODING="identity")
        assert response.status_code == 200
        assert response[outage.STALE_HEADER] == "database-unavailable"
        assert response["Cache-Control"] == "no-store"
        assert response.content == first.content

    def test_a_cached_api_answer_is_served_too(self, client, memory_cache, make_case):
        make_case()
        client.get("/api/v1/cases/")
        from cases.figures.freshness import bump_generation

        bump_generation()
        with database_down():
            response = client.get("/api/v1/cases/")
        assert response.status_code == 200
        assert response.json()["count"] == 1
        assert response[outage.STALE_HEADER] == "database-unavailable"

    @pytest.mark.parametrize(
        ("language", "words"),
        [("en", "briefly unavailable"), ("ja", "一時的に")],
    )
    def test_a_page_not_in_the_cache_is_a_503_in_the_visitors_language(
        self, client, memory_cache, language, words
    ):
        with database_down():
            response = client.get(f"/{language}/cases/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Cache-Control"] == "no-store"
        assert f'<html lang="{language}">' in response.text
        assert words in response.text
        assert "10.0.0.7" not in response.text
        assert "Traceback" not in response.text

    def test_the_api_answers_a_json_503(self, client, memory_cache):
        with database_down():
            response = client.get("/api/v1/regions/")
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "30"
        assert "unavailable" in response.json()["error"]

    def test_a_signed_in_visitor_gets_no_cached_page(
        self, client, memory_cache, make_case, hq_editor
    ):
        make_case()
        client.get("/en/dashboard/")
        client.force_login(hq_editor)
        with database_down():
            response = client.get("/en/dashboard/")
        assert response.status_code == 503

    def test_a_staff_write_fails_cleanly_and_changes_nothing(self, client, hq_editor, make_case):
        case = make_case(title_en="Unchanged")
        client.force_login(hq_editor)
        page = client.get(f"/en/admin/cases/case/{case.pk}/change/")
        assert page.status_code == 200
        with database_down():
            response = client.post(
                f"/en/admin/cases/case/{case.pk}/change/", {"title_en": "Half-written"}
            )
        assert response.status_code == 503
        assert Case.objects.get(pk=case.pk).title_en == "Unchanged"

    def test_the_outage_is_logged_once_per_interval(self, client, memory_cache, caplog):
        outage._state.update(logged_at=None, count=0)
        with caplog.at_level(logging.ERROR, logger="grassroots.outage"), database_down():
            for _ in range(20):
                assert client.get("/en/cases/").status_code == 503
        reports = [r for r in caplog.records if r.name == "grassroots.outage"]
        assert len(reports) == 1
        assert not [r for r in caplog.records if r.name == "django.request"]

    def test_with_the_cache_in_the_database_too_it_is_a_quiet_503(self, client, caplog):
        """The default set-up without Redis keeps the cache in the database."""
        outage._state.update(logged_at=None, count=0)
        with caplog.at_level(logging.ERROR), database_down():
            for _ in range(5):
                assert client.get("/en/dashboard/").status_code == 503
        assert [r.name for r in caplog.records if r.levelno >= logging.ERROR].count(
            "grassroots.outage"
        ) == 1

    def test_healthz_takes_the_server_out(self, client, memory_cache):
        with database_down():
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "error"

    def test_other_errors_are_still_500s(self, client, monkeypatch):
        from django.test import Client

        def broken(request):
            raise RuntimeError("a bug")

        monkeypatch.setattr("showcase.views.render", lambda *a, **k: broken(None))
        response = Client(raise_request_exception=False).get("/en/about/")
        assert response.status_code == 500
