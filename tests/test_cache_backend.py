"""The Redis cache backend against the real Redis: one client per pool, and it still works."""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from grassroots.cache import PortalRedisCache

REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@pytest.fixture
def cache():
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("PORTAL_REQUIRE_SERVICES"):
            pytest.fail(f"needs Redis: {error}")
        pytest.skip(f"needs Redis: {error}")
    backend = PortalRedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.clear()


def test_the_client_is_made_once_and_reused(cache):
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client() is first  # one server: reads and writes share it
    # Django's own client makes a new one each time, which is what this backend avoids.
    plain = RedisCache(REDIS, {})
    assert plain._cache.get_client() is not plain._cache.get_client()


def test_it_stores_reads_counts_and_deletes_like_any_cache(cache):
    cache.set("page", (b"\x1f\x8b body", [("Content-Type", "text/html")]), 30)
    assert cache.get("page") == (b"\x1f\x8b body", [("Content-Type", "text/html")])
    assert cache.get_many(["page", "missing"]) == {"page": cache.get("page")}
    assert cache.add("generation", 1)
    assert cache.incr("generation") == 2
    cache.delete("page")
    assert cache.get("page") is None


def test_clearing_removes_only_keys_under_its_own_prefix(cache):
    import redis

    client = redis.Redis.from_url(REDIS)
    stranger = f"someone-else-{uuid.uuid4().hex}"
    client.set(stranger, b"keep me")
    try:
        cache.set("page", b"ours", 30)
        cache.clear()
        assert cache.get("page") is None
        assert client.get(stranger) == b"keep me"
    finally:
        client.delete(stranger)
        client.close()
