"""With the cache unreachable every page still renders from the database, nothing fails, the
log says so once per interval, /healthz reports the cache degraded and sign-in throttling
(counted in the database) keeps working.

"Unreachable" is real: a Redis URL on a local port where nothing listens, so every call meets
the same refused connection a stopped Redis gives.
"""

import logging
import socket

import pytest

from grassroots.cache import PortalRedisCache
from tests.isolation import cache_key_prefix


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_redis_url():
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def down_cache(settings, dead_redis_url):
    """The portal's default cache pointed at a Redis that is not there."""
    settings.CACHES = {
        "default": {
            "BACKEND": "grassroots.cache.PortalRedisCache",
            "LOCATION": dead_redis_url,
            "KEY_PREFIX": cache_key_prefix("down"),
        }
    }
    from django.core.cache import cache

    return cache


class TestTheBackend:
    def test_every_call_is_a_miss_and_none_raises(self, dead_redis_url):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        assert cache.get("page") is None
        assert cache.get("page", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.peek("generation") is None
        assert cache.peek("generation", "default") == "default"
        assert cache.watch("generation") is None
        assert cache.watch("generation", "default") == "default"
        assert cache.set("page", b"body", 30) is None
        assert cache.add("page", b"body") is False
        assert cache.has_key("page") is False
        assert cache.delete("page") is False
        assert cache.incr("counter") is None
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.delete_many(["a"]) is None
        assert cache.touch("a") is False
        assert cache.get_or_set("a", 5) == 5
        assert cache.clear() is False
        assert cache.status() == "degraded"

    def test_the_failure_is_logged_once_per_interval_not_per_call(self, dead_redis_url, caplog):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        cache.RETRY_SECONDS = 0  # try the server on every call, as under load
        with caplog.at_level(logging.WARNING, logger="grassroots.cache"):
            for _ in range(50):
                cache.get("page")
                cache.set("page", b"body")
        warnings = [r for r in caplog.records if r.name == "grassroots.cache"]
        assert len(warnings) == 1
        assert "not answering" in warnings[0].getMessage()

    def test_after_a_failure_the_server_is_left_alone_for_the_retry_interval(
        self, dead_redis_url, monkeypatch
    ):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        cache.get("page")
        calls = []
        monkeypatch.setattr(
            cache._cache, "get", lambda *args: calls.append(args) or pytest.fail("asked")
        )
        for _ in range(100):
            assert cache.get("page") is None
        assert calls == []

    def test_peek_fails_like_get_and_then_leaves_the_server_alone(
        self, dead_redis_url, monkeypatch
    ):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        assert cache.peek("generation") is None
        assert cache.status() == "degraded"
        monkeypatch.setattr(
            cache, "_own_connection", lambda: pytest.fail("asked during the retry interval")
        )
        for _ in range(100):
            assert cache.peek("generation") is None

    def test_watch_fails_like_get_and_then_leaves_the_server_alone(
        self, dead_redis_url, monkeypatch
    ):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        assert cache.watch("generation") is None
        assert cache.status() == "degraded"
        for name in ("_watch_connection", "_own_connection"):
            monkeypatch.setattr(
                cache, name, lambda: pytest.fail("asked during the retry interval")
            )
        for _ in range(100):
            assert cache.watch("generation") is None

    def test_a_failure_in_the_code_itself_is_not_hidden(self, dead_redis_url):
        cache = PortalRedisCache(dead_redis_url, {"KEY_PREFIX": "t"})
        with pytest.raises(TypeError):
            cache.get()


@pytest.mark.django_db
class TestThePortalWithoutItsCache:
    @pytest.mark.parametrize(
        "url",
        [
            "/en/",
            "/ja/",
            "/en/dashboard/",
            "/en/cases/",
            "/en/cases/?region=miami",
            "/api/v1/cases/",
            "/api/v1/stats/region/",
            "/en/data/",
        ],
    )
    def test_public_pages_render_from_the_database(self, client, down_cache, make_case, url):
        make_case(title_en="Seen without a cache")
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url

    def test_a_case_page_shows_current_data(self, client, down_cache, make_case):
        case = make_case(title_en="Fresh from the database")
        response = client.get(f"/en/cases/{case.pk}/")
        assert response.status_code == 200
        assert "Fresh from the database" in response.text
        assert client.get("/en/dashboard/").status_code == 200
        assert down_cache.status() == "degraded"

    def test_healthz_reports_the_cache_degraded_but_the_server_able_to_serve(
        self, client, down_cache
    ):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}

    def test_sign_in_throttling_keeps_working(self, client, down_cache, make_staff):
        password = "a long and unusual password 41"
        make_staff("chief", "hq", password=password)
        login = "/en/admin/login/"
        for _ in range(5):
            response = client.post(login, {"username": "chief", "password": "wrong"})
            assert response.status_code == 200
        response = client.post(login, {"username": "chief", "password": password})
        assert "Too many failed sign-in attempts" in response.text
        assert "_auth_user_id" not in client.session

    def test_signing_in_works(self, client, down_cache, make_staff):
        password = "a long and unusual password 41"
        make_staff("chief", "hq", password=password)
        response = client.post("/en/admin/login/", {"username": "chief", "password": password})
        assert response.status_code == 302
        assert client.get("/en/admin/").status_code == 200


@pytest.mark.parametrize("read", ["get", "peek", "watch"])
def test_an_increment_lost_in_an_outage_is_made_when_the_cache_answers_again(
    settings, monkeypatch, read
):
    """A change saved while the cache was down must still make cached pages stale."""
    import os

    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("PORTAL_REQUIRE_SERVICES"):
            pytest.fail(f"needs Redis: {error}")
        pytest.skip(f"needs Redis: {error}")
    cache = PortalRedisCache(url, {"KEY_PREFIX": cache_key_prefix("owed")})
    try:
        cache.set("generation", 7, None)
        real_get_client = cache._cache.get_client

        def refused(*args, **kwargs):
            raise redis.exceptions.ConnectionError("Connection refused")

        monkeypatch.setattr(cache._cache, "get_client", refused)
        assert cache.incr("generation") is None
        assert cache.status() == "degraded"
        monkeypatch.setattr(cache._cache, "get_client", real_get_client)
        cache._outage.retry_at = 0  # the retry interval has passed
        # peek and watch (the stored pages' read) go through get while the cache is marked
        # down.
        assert getattr(cache, read)("generation") == 8
        assert cache.status() == "ok"
    finally:
        cache.clear()
