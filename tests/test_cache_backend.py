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


def test_peek_reads_what_get_reads(cache):
    cache.set("generation", 1796483158287236288, None)
    cache.set("page", ("7", "200 OK", [("Vary", "Cookie")], b"\x1f\x8b"), 30)
    assert cache.peek("generation") == cache.get("generation") == 1796483158287236288
    assert cache.peek("page") == cache.get("page")
    assert cache.peek("missing") is None
    assert cache.peek("missing", "default") == "default"
    cache.incr("generation")
    assert cache.peek("generation") == 1796483158287236289


def test_peek_keeps_one_connection_per_thread(cache):
    import threading

    cache.set("generation", 3, None)
    cache.peek("generation")
    mine = cache._own.connection
    cache.peek("generation")
    assert cache._own.connection is mine
    seen = []
    thread = threading.Thread(target=lambda: seen.append((cache.peek("generation"), cache._own)))
    thread.start()
    thread.join()
    assert seen[0][0] == 3
    assert cache._own.connection is mine  # the other thread had its own


def test_peek_survives_a_connection_the_server_closed(cache):
    """A restarted Redis closes every connection: the next peek connects again and answers,
    and the cache is not taken for down."""
    import redis

    cache.set("generation", 5, None)
    assert cache.peek("generation") == 5
    connection = cache._own.connection
    connection.send_command("CLIENT", "ID")
    client_id = connection.read_response()
    killer = redis.Redis.from_url(REDIS)
    try:
        assert killer.client_kill_filter(_id=client_id) == 1
    finally:
        killer.close()
    assert cache.peek("generation") == 5
    assert cache.status() == "ok"
