"""The Redis cache backend: one client per connection pool, and a cache that may fail.

Django's RedisCacheClient builds a new redis.Redis object around its connection pool for every
cache call, and redis-py sets up its table of response callbacks each time: about 0.1 ms, a
fifth of a cached page's whole cost. The client is safe to share between threads (the pool
hands each command its own connection), so one per pool is enough.

The cache only ever saves work, so an unreachable Redis must never fail a request:

- every read or write that fails is a miss (`get` gives the default, `set` stores nothing, `add`
  adds nothing), and pages are made from the database;
- after a failure the cache is not asked again for `RETRY_SECONDS`, so a Redis that hangs
  costs one timeout per interval, not one per call;
- one warning per `LOG_SECONDS` says the cache is down (and how many calls failed since the last
  one), and one line says when it answers again: never a line per request;
- an increment that failed (the figures' generation, moved on after every change) is made
  again as soon as the cache answers, so pages cached before the outage are not served as if
  nothing had changed during it.

`status()` tells `/healthz` whether the cache is answering.
"""

import contextlib
import logging
import os
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger("grassroots.cache")

# What redis-py raises for a server that is down, hanging, restarting or refusing (and the
# socket errors beneath); a programming error (a bad value, a missing key for incr) still raises.
FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError)

# The calls that change what is stored (after which `PortalRedisCache.watch` reads afresh).
WRITES = frozenset({"add", "set", "touch", "delete", "set_many", "delete_many", "incr", "clear"})

# Connect and read timeouts (seconds) unless the settings give others: a Redis that does not
# answer costs at most this much, once per retry interval.
DEFAULT_SOCKET_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class _OwnConnection(threading.local):
    """The connection `PortalRedisCache.peek` uses: one per thread, and one per process (a
    forked worker opens its own rather than share its parent's socket)."""

    connection = None
    pid = 0


class _Watch(threading.local):
    """What `PortalRedisCache.watch` keeps: one connection per thread (and per process) with
    Redis's client-side caching on, and the copies of the keys read on it, as
    {key: (value, read at (time.monotonic()), writes (`PortalRedisCache._writes`) then)}."""

    connection = None
    pid = 0

    def __init__(self):
        self.copies = {}

    def drop(self, *_push) -> None:
        """Forget every copy (also the handler of Redis's invalidation messages)."""
        self.copies.clear()


class _Outage:
    """Whether the cache is failing, since when, and what is owed to it; shared by threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.logged_at: float | None = None
        self.failures = 0
        self.owed_increments: set[str] = set()


class PortalRedisCache(RedisCache):
    RETRY_SECONDS = 2.0
    LOG_SECONDS = 60.0

    def __init__(self, server, params):
        params = dict(params)
        options = {**DEFAULT_SOCKET_OPTIONS, **params.get("OPTIONS", {})}
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._outage = _Outage()
        self._own = _OwnConnection()
        self._watch = _Watch()
        self._watch_unsupported = False
        # Writes this process has made through this cache: a copy read before one is not used
        # (see `watch`).
        self._writes = 0

    # --- failure handling --------------------------------------------------------------

    def status(self) -> str:
        """ "ok", or "degraded" while calls fail (or are skipped after a failure)."""
        return "ok" if self._outage.down_since is None else "degraded"

    def _skipping(self) -> bool:
        outage = self._outage
        return outage.down_since is not None and time.monotonic() < outage.retry_at

    def _failed(self, operation: str, error: BaseException) -> None:
        outage = self._outage
        now = time.monotonic()
        with outage.lock:
            outage.failures += 1
            outage.retry_at = now + self.RETRY_SECONDS
            if outage.down_since is None:
                outage.down_since = now
            if outage.logged_at is not None and now - outage.logged_at < self.LOG_SECONDS:
                return
            outage.logged_at = now
            failures, outage.failures = outage.failures, 0
        logger.warning(
            "The cache is not answering (%s failed: %s: %s); pages are made without it. "
            "%d failed call(s) since the last warning; the next warning comes in %ds at most.",
            operation,
            type(error).__name__,
            error,
            failures,
            self.LOG_SECONDS,
        )

    def _recover(self) -> bool:
        """After a failure: make the increments owed to the cache first, so the call that
        follows already reads their result; False if the cache still fails."""
        outage = self._outage
        with outage.lock:
            owed, outage.owed_increments = outage.owed_increments, set()
        for number, key in enumerate(sorted(owed)):
            try:
                self._cache.incr(key, 1)
                self._writes += 1
                self._told()
            except ValueError:
                pass  # the key is gone (a restarted Redis): its readers start afresh
            except FAILURES as error:
                with outage.lock:
                    outage.owed_increments.update(sorted(owed)[number:])
                self._failed("incr", error)
                return False
        return True

    def _answered(self) -> None:
        outage = self._outage
        with outage.lock:
            if outage.down_since is None:
                return
            lasted = time.monotonic() - outage.down_since
            outage.down_since = outage.logged_at = None
            outage.failures = 0
        logger.warning("The cache answers again after %.1fs.", lasted)

    def _call(self, operation: str, fallback, method, *args):
        if self._outage.down_since is not None and (self._skipping() or not self._recover()):
            return fallback
        try:
            result = method(*args)
        except FAILURES as error:
            self._failed(operation, error)
            return fallback
        finally:
            if operation in WRITES:
                self._writes += 1
        if operation in WRITES:
            self._told()
        if self._outage.down_since is not None:
            self._answered()
        return result

    def _told(self) -> None:
        """After a write: one more round trip (PING), so that every connection watching the key
        (`watch`, on any app server) has been sent Redis's message before this write returns.
        Redis queues those messages as it runs the write but may send them just after the
        writer's own answer, in the same turn; the PING's answer comes in a later turn. So a
        request that begins after the writer's returns finds the message waiting."""
        # The write itself went through; a failing cache is noticed by the next call.
        with contextlib.suppress(*FAILURES):
            self._cache.get_client(write=True).ping()

    # --- the cache API, each call a miss when the cache fails ---------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def peek(self, key, default=None, version=None):
        """`get` of one key in one round trip on a connection this thread keeps for it, without
        redis-py's per-command bookkeeping (taking a connection from the pool and giving it
        back, retry policy, event hooks): about 0.1 ms less CPU a call, half of what answering
        a stored page cost with a round trip (`watch` reads this way when it cannot use its
        copy's connection). The key is not checked for memcached's rules: give it a constant.

        While the cache is failing this is plain `get`, which waits out the retry interval and
        makes the increments owed to the cache before it reads."""
        if self._outage.down_since is not None:
            return self.get(key, default, version)
        name = self.make_key(key, version)
        for attempt in (1, 2):
            connection = self._own_connection()
            try:
                connection.send_command("GET", name)
                value = connection.read_response()
                break
            except FAILURES as error:
                connection.disconnect()
                # A connection the server has closed (a restarted Redis) fails once: the
                # second attempt connects afresh.
                if attempt == 2:
                    self._failed("get", error)
                    return default
        return default if value is None else self._cache._serializer.loads(value)

    # How long `watch` uses a copy at most before it reads the key again: Redis tells when a
    # key changes, but a Redis that stopped answering without closing the connection would
    # tell nothing.
    WATCH_SECONDS = 1.0

    def watch(self, key, default=None, version=None):
        """`get` of a key read on every request and seldom changed (the figures' generation),
        usually without a round trip: the value is read once on a connection this thread keeps
        with Redis's client-side caching on (RESP3, CLIENT TRACKING), and that copy is used
        until Redis says the key changed. Redis sends that message on the same connection
        when any client writes the key, deletes it or it expires; a write through this backend
        returns only once it has been sent (`_told`), and a call first reads whatever Redis has
        sent (a poll of the socket, nothing sent). So another app server's change is seen on
        the next request, as with a round trip.

        A copy is read again after `WATCH_SECONDS` at most, and after any write this process
        made through the cache. A closed connection, a failure or a Redis without client-side
        caching (before 6.0) drops every copy and the call is `peek`; while the cache is
        failing it is `get`."""
        if self._outage.down_since is not None or self._watch_unsupported:
            return self.get(key, default, version)
        name = self.make_key(key, version)
        watch = self._watch
        try:
            connection = self._watch_connection()
            while connection.can_read(timeout=0):  # invalidations Redis has sent
                connection.read_response(push_request=True)
            copy = watch.copies.get(name)
            now = time.monotonic()
            if copy is not None and now - copy[1] < self.WATCH_SECONDS and copy[2] == self._writes:
                return copy[0]
            writes = self._writes
            connection.send_command("GET", name)
            raw = connection.read_response()
        except ResponseError:  # no client-side caching on this server
            self._watch_unsupported = True
            self._drop_watch()
            return self.peek(key, default, version)
        except FAILURES:
            self._drop_watch()
            return self.peek(key, default, version)
        if raw is None:
            return default
        value = self._cache._serializer.loads(raw)
        watch.copies[name] = (value, now, writes)
        return value

    def _watch_connection(self):
        watch = self._watch
        if watch.connection is None or watch.pid != os.getpid():
            watch.connection, watch.pid = None, os.getpid()
            watch.drop()
            pool = self._cache._get_connection_pool(write=False)
            connection = pool.connection_class(**{**pool.connection_kwargs, "protocol": 3})
            connection.connect()
            watch.connection = connection  # from here on `_drop_watch` closes it
            connection._parser.set_invalidation_push_handler(watch.drop)
            connection.send_command("CLIENT", "TRACKING", "ON")
            connection.read_response()
        return watch.connection

    def _drop_watch(self) -> None:
        watch = self._watch
        watch.drop()
        if watch.connection is not None:
            watch.connection.disconnect()
            watch.connection = None

    def _own_connection(self):
        own = self._own
        if own.connection is None or own.pid != os.getpid():
            pool = self._cache._get_connection_pool(write=False)
            own.connection = pool.connection_class(**pool.connection_kwargs)
            own.pid = os.getpid()
        return own.connection

    def incr(self, key, delta=1, version=None):
        """The new value; None when the cache failed (the increment is made on recovery)."""
        sentinel = object()
        result = self._call("incr", sentinel, super().incr, key, delta, version)
        if result is sentinel:
            with self._outage.lock:
                self._outage.owed_increments.add(self.make_and_validate_key(key, version))
            return None
        return result

    def clear(self):
        """Remove this cache's keys only (those under its key prefix), never the whole Redis
        database: other portals or test runs may share it. Without a prefix there is no way
        to tell our keys apart, and the database is flushed as Django would."""
        return self._call("clear", False, self._clear)

    def _clear(self):
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
