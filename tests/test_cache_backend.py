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


def _other_client():
    """A client of its own (another app server, say), on its own connection."""
    import redis

    return redis.Redis.from_url(REDIS)


def test_watch_reads_what_get_reads(cache):
    cache.set("generation", 1796483158287236288, None)
    cache.set("page", ("7", "200 OK", [("Vary", "Cookie")], b"\x1f\x8b"), 30)
    assert cache.watch("generation") == cache.get("generation") == 1796483158287236288
    assert cache.watch("page") == cache.get("page")
    assert cache.watch("missing") is None
    assert cache.watch("missing", "default") == "default"
    cache.set("missing", 4, 30)  # a miss is not kept
    assert cache.watch("missing") == 4
    cache.incr("generation")
    assert cache.watch("generation") == 1796483158287236289
    cache.delete("generation")
    assert cache.watch("generation", "gone") == "gone"


def test_watch_sees_another_servers_change_on_the_very_next_call(cache, monkeypatch):
    """Redis tells the watching connection of every change of a key it read, and a write
    through the backend returns only once that message has been sent (`_told`), so no call
    after another server's change gets the old value."""
    monkeypatch.setattr(cache, "WATCH_SECONDS", 3600)  # only Redis's message can tell
    cache.set("generation", 1, None)
    other = PortalRedisCache(REDIS, {"KEY_PREFIX": cache.key_prefix})  # another app server
    for expected in range(2, 1002):
        other.incr("generation")
        assert cache.watch("generation") == expected
    other.delete("generation")
    assert cache.watch("generation") is None
    other.set("generation", 9, None)
    assert cache.watch("generation") == 9


def test_watch_hears_of_a_change_by_any_client(cache, monkeypatch):
    """A client without the backend (redis-cli, another program) is heard of too, moments later:
    its write may return just before Redis sends the message."""
    import time

    monkeypatch.setattr(cache, "WATCH_SECONDS", 3600)
    cache.set("generation", 1, None)
    assert cache.watch("generation") == 1
    other = _other_client()
    try:
        other.incr(cache.make_key("generation"))
        deadline = time.monotonic() + 2
        while cache.watch("generation") != 2:
            assert time.monotonic() < deadline, "no message from Redis"
            time.sleep(0.001)
    finally:
        other.close()


def test_watch_uses_its_copy_without_asking_redis(cache, monkeypatch):
    cache.set("generation", 3, None)
    assert cache.watch("generation") == 3
    connection = cache._watch.connection
    sent = []
    real_send = connection.send_command
    monkeypatch.setattr(
        connection, "send_command", lambda *args, **kwargs: sent.append(args) or real_send(*args)
    )
    for _ in range(50):
        assert cache.watch("generation") == 3
    assert sent == []
    cache.incr("generation")  # through the pool, as the register's writes go
    assert cache.watch("generation") == 4
    assert len(sent) == 1
    monkeypatch.setattr(cache, "WATCH_SECONDS", 0)  # a copy is kept that long at most
    assert cache.watch("generation") == 4
    assert len(sent) == 2


def test_watch_after_a_write_of_its_own_process_reads_again(cache, monkeypatch):
    """Even if Redis's message were late, a write this process made is not missed."""
    cache.set("generation", 3, None)
    assert cache.watch("generation") == 3
    monkeypatch.setattr(cache._watch.connection, "can_read", lambda timeout=0: False)
    cache.set("generation", 4, None)
    assert cache.watch("generation") == 4


def test_watch_survives_a_connection_the_server_closed(cache):
    """A restarted Redis closes every connection, and a closed connection brings no message:
    every copy is dropped and the value read afresh, and the cache is not taken for down."""
    cache.set("generation", 5, None)
    assert cache.watch("generation") == 5
    connection = cache._watch.connection
    connection.send_command("CLIENT", "ID")
    client_id = connection.read_response()
    other = _other_client()
    try:
        assert other.client_kill_filter(_id=client_id) == 1
        other.set(cache.make_key("generation"), b"6")
    finally:
        other.close()
    assert cache.watch("generation") == 6
    assert cache.status() == "ok"
    assert cache._watch.connection is not connection  # a new one, watching again
    cache.incr("generation")
    assert cache.watch("generation") == 7


def test_watch_keeps_one_connection_per_thread(cache):
    import threading

    cache.set("generation", 3, None)
    cache.watch("generation")
    mine = cache._watch.connection
    seen = []
    thread = threading.Thread(
        target=lambda: seen.append((cache.watch("generation"), cache._watch.connection))
    )
    thread.start()
    thread.join()
    assert seen[0][0] == 3
    assert seen[0][1] is not mine
    seen[0][1].disconnect()
    assert cache._watch.connection is mine


def test_without_client_side_caching_watch_is_a_plain_read(cache, monkeypatch):
    """A Redis before 6.0 knows neither RESP3 nor CLIENT TRACKING: watch then reads each time."""
    from redis.exceptions import ResponseError

    cache.set("generation", 3, None)

    def refused():
        raise ResponseError("unknown command 'HELLO'")

    monkeypatch.setattr(cache, "_watch_connection", refused)
    assert cache.watch("generation") == 3
    monkeypatch.setattr(cache, "_watch_connection", lambda: pytest.fail("asked again"))
    cache.incr("generation")
    assert cache.watch("generation") == 4
