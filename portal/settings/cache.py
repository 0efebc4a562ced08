"""The default cache: Redis when PORTAL_CACHE_URL is set (production), else per process.

Shared between all gunicorn workers and Celery workers, so a formatted citation or the home
page's public summary is computed once for the deployment rather than once per worker, a
writer's ``datasets_changed`` drops the home summary everywhere, and throttle counts are per
client, not per client and worker. ``make prod`` points it at its Redis (database 1; the
broker uses 0). Redis failing never fails a page (portal.cache.ResilientRedisCache).
"""

from .environment import env

CACHE_URL = env.str("PORTAL_CACHE_URL", default="")
CACHE_TIMEOUT_SECONDS = env.float("PORTAL_CACHE_TIMEOUT_SECONDS", default=0.25)
# A published or withdrawn record's agents, identifiers, funding, techniques and context are
# kept this long in the cache for its landing page, exports and API answer
# (catalogue.snapshot.record_snapshot), valid while the record's updated_at holds and dropped
# by datasets_changed. It relies on every change going through the services (which move
# updated_at); 0 (the default, and the tests', which write rows directly) always reads them.
# make prod sets a day.
RECORD_PARTS_CACHE_SECONDS = env.int("PORTAL_RECORD_PARTS_CACHE_SECONDS", default=0)

if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
