"""The Redis cache backend, keeping one client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object around its connection pool for every
cache call, and redis-py sets up its table of response callbacks each time: about 0.1 ms, a
fifth of a cached page's whole cost. The client is safe to share between threads (the pool
hands each command its own connection), so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def clear(self):
        """Remove this cache's keys only (those under its key prefix), never the whole Redis
        database: other portals or test runs may share it. Without a prefix there is no way
        to tell our keys apart, and the database is flushed as Django would."""
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
