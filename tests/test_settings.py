"""Settings come from the environment and fail loudly when production values are missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from grassroots import env

PROJECT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
    "','.join(s.ALLOWED_HOSTS))"
)


def settings_with(**variables) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly these DJANGO_/DB variables."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    environ.update(variables, DJANGO_SETTINGS_MODULE="grassroots.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_nothing_set_means_development_on_sqlite():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    debug, engine, cache, _hosts = result.stdout.split()
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    # A database table, not per-process memory: app servers must share one cache.
    assert cache == "django.core.cache.backends.db.DatabaseCache"


def test_production_without_a_secret_key_refuses_to_start():
    result = settings_with(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = settings_with(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_with_everything_set_starts():
    result = settings_with(
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="portal.example.org, www.portal.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert result.stdout.split()[-1] == "portal.example.org,www.portal.example.org"


def test_postgres_url_selects_postgresql_and_redis_url_the_redis_cache():
    result = settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    _debug, engine, cache, _hosts = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert cache == "grassroots.cache.PortalRedisCache"


def test_unsupported_database_url_is_refused():
    result = settings_with(DATABASE_URL="mysql://root@localhost/portal")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_a_debug_value_that_means_nothing_is_refused():
    result = settings_with(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


class TestEnvironmentReaders:
    @pytest.mark.parametrize(
        ("raw", "value"), [("1", True), ("YES", True), ("off", False), ("", False)]
    )
    def test_bool(self, monkeypatch, raw, value):
        monkeypatch.setenv("PORTAL_TEST_FLAG", raw)
        assert env.env_bool("PORTAL_TEST_FLAG") is value

    def test_bool_default_when_unset(self, monkeypatch):
        monkeypatch.delenv("PORTAL_TEST_FLAG", raising=False)
        assert env.env_bool("PORTAL_TEST_FLAG", default=True) is True

    def test_int_refuses_words(self, monkeypatch):
        monkeypatch.setenv("PORTAL_TEST_INT", "ten")
        with pytest.raises(ImproperlyConfigured):
            env.env_int("PORTAL_TEST_INT", 1)

    def test_list_drops_blanks(self, monkeypatch):
        monkeypatch.setenv("PORTAL_TEST_LIST", " a.org, ,b.org ")
        assert env.env_list("PORTAL_TEST_LIST") == ["a.org", "b.org"]
