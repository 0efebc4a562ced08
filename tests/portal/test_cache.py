"""The production cache (portal.cache, PORTAL_CACHE_URL): shared through Redis, and a Redis
that is down never fails a page."""

import pytest
from django.core.cache import cache

from catalogue.models import Status
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db


def _redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "portal-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.mark.broker
def test_values_are_shared_through_redis(settings):
    """What one process stores, another reads: here a second client of the same Redis."""
    from django.core.cache.backends.redis import RedisCache

    if not settings.BROKER_URL.startswith("redis://"):
        pytest.skip("needs PORTAL_BROKER_URL=redis://…")
    settings.CACHES = _redis_cache(settings.BROKER_URL)
    cache.set("shared-key", {"n": 1}, 30)
    other = RedisCache(settings.BROKER_URL, {"KEY_PREFIX": "portal-test"})
    assert other.get("shared-key") == {"n": 1}
    cache.delete("shared-key")
    assert other.get("shared-key") is None


def test_a_redis_that_is_down_is_a_miss_and_pages_still_answer(client, settings):
    settings.CACHES = _redis_cache("redis://127.0.0.1:9/0")  # discard port: nothing listens
    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False
    make_dataset(status=Status.PUBLISHED, title="Still on the home page")
    page = client.get("/")
    assert page.status_code == 200
    assert "Still on the home page" in page.content.decode()


def test_the_throttle_lets_requests_through_while_redis_is_down(client, settings):
    settings.CACHES = _redis_cache("redis://127.0.0.1:9/0")
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "1/min"}
    assert {client.get("/api/v1/search").status_code for _ in range(3)} == {200}


@pytest.mark.broker
def test_one_redis_client_per_pool_is_reused(settings):
    """Django's Redis cache makes a redis.Redis per operation; ours keeps one per pool."""
    if not settings.BROKER_URL.startswith("redis://"):
        pytest.skip("needs PORTAL_BROKER_URL=redis://…")
    settings.CACHES = _redis_cache(settings.BROKER_URL)
    cache.set("reused-key", [1, "ü"], 30)
    client = cache._cache.get_client()
    assert cache.get("reused-key") == [1, "ü"]
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client
    cache.delete("reused-key")
    assert cache.get("reused-key") is None
