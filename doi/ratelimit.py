"""A token bucket shared by every worker, so the portal stays under DataCite's rate limit.

DataCite allows ``limit`` requests per ``window`` seconds per IP (3,000 per 5 minutes for
authenticated clients). A bucket of ``capacity`` tokens refilled at
``(limit - 2 * capacity) / window`` per second lets at most ``limit - capacity`` requests
through in any window of that length (a burst of ``capacity`` plus the refill), whatever the
number of workers: the ``capacity`` requests left over absorb the jitter between taking a token
and DataCite counting the request. It sustains ``(limit - 2 * capacity) / window``, within a
few per cent of DataCite's ``limit / window``.

:class:`RedisTokenBucket` keeps the bucket in Redis (one Lua script, atomic, Redis' own clock),
shared by all Celery workers; :class:`LocalTokenBucket` is the same in one process (the
embedded mode, which has no Redis). ``acquire()`` blocks until a token is free.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_CAPACITY = 50
EPSILON = 1e-9
MIN_WAIT = 1e-6  # never a wait too short to move the clock

_LUA = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 - 1e-9 then
  tokens = math.max(0, tokens - 1)
else
  wait = math.max((1 - tokens) / rate, 0.000001)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', key, math.ceil(capacity / rate) + 60)
return tostring(wait)
"""


def bucket_rate(*, limit: int, window: float, capacity: int) -> float:
    if limit <= 2 * capacity:
        raise ValueError("the rate limit must exceed twice the bucket capacity")
    return (limit - 2 * capacity) / window


class LocalTokenBucket:
    def __init__(
        self,
        *,
        limit: int,
        window: float,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.capacity = min(capacity, max(1, limit // 20))
        self.rate = bucket_rate(limit=limit, window=window, capacity=self.capacity)
        self._tokens = float(self.capacity)
        self._clock, self._sleep = clock, sleep
        self._at = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
                self._at = now
                # EPSILON: a refill of exactly the missing fraction may land a hair below 1.
                if self._tokens >= 1 - EPSILON:
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                wait = max((1 - self._tokens) / self.rate, MIN_WAIT)
            self._sleep(wait)


class RedisTokenBucket:
    """The bucket in Redis: take a token, or learn how long to wait for one.

    A token is taken only when one is free; a waiting worker asks again after the wait, so
    a crashed worker never holds tokens.
    """

    def __init__(
        self,
        *,
        redis_url: str,
        limit: int,
        window: float,
        capacity: int = DEFAULT_CAPACITY,
        key: str = "portal:datacite:bucket",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import redis

        self.capacity = min(capacity, max(1, limit // 20))
        self.rate = bucket_rate(limit=limit, window=window, capacity=self.capacity)
        self.key = key
        self._redis = redis.Redis.from_url(redis_url)
        self._script = self._redis.register_script(_LUA)
        self._sleep = sleep

    def acquire(self) -> None:
        while True:
            wait = float(self._script(keys=[self.key], args=[self.rate, self.capacity]))
            if wait <= 0:
                return
            self._sleep(wait)

    def reset(self) -> None:
        self._redis.delete(self.key)
