"""The shared cache of a production deployment: Django's Redis cache that never fails a page.

What the portal caches (the home page's public summary, formatted citations, the search
page's key list, throttle counts) is derived and can be recomputed, so when Redis is down or
slow a read is a miss and a write is dropped: pages stay up (a few times slower) instead of
answering 500, and the throttle lets requests through until Redis is back. Timeouts are short
(PORTAL_CACHE_TIMEOUT_SECONDS) so an unreachable Redis costs milliseconds, not a hung worker.

Django's Redis cache builds a new ``redis.Redis`` for every operation (over the same pool);
building one costs more CPU than the GET itself (its response-callback table), on every
request that reads the cache (the search API's public counts, the throttle). One client per
pool is kept instead: a client holds no connection of its own (the pool does, fork-safe) and
is safe to share between threads.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_WARN_EVERY = 60.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, with one ``redis.Redis`` per connection pool instead of per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # made once per server, then kept (Django's)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _failed(self, operation: str) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= _WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache: Redis failed on %s; serving without the cache", operation)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            self._failed("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError:
            self._failed("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            self._failed("has_key")
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            self._failed("set")

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            self._failed("set_many")
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            self._failed("add")
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            self._failed("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            self._failed("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError:
            self._failed("delete_many")
            return None
