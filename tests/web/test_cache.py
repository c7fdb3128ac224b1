"""The Redis cache backend (cop_portal/web/cache.py) against a real Redis, when one answers."""

import uuid

import pytest
import redis

from cop_portal.web.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/6"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (make bench starts one)")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def test_one_client_serves_every_call(redis_cache):
    redis_cache.set("greeting", {"text": "hello"}, 30)
    assert redis_cache.get("greeting") == {"text": "hello"}
    assert redis_cache.add("counter", 1) is True
    assert redis_cache.add("counter", 5) is False
    assert redis_cache.incr("counter") == 2
    assert redis_cache.get_many(["greeting", "absent"]) == {"greeting": {"text": "hello"}}
    redis_cache.delete("greeting")
    assert redis_cache.get("greeting") is None
    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=False)
    assert len(client._clients) == 1
