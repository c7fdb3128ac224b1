"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's RedisCacheClient makes a new `redis.Redis` for every cache call, and redis-py builds a
table of about a hundred response callbacks in each one: profiling a signed-in page (five cache
reads: session, permissions, ground rules…) put an eighth of its time there. A client only wraps
its pool, is safe to share between threads, and so is made once per pool here."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
