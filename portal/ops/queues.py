"""What waits in the Celery queues on Redis: depth, and age of the oldest message (lag).

Kombu keeps a queue as a Redis list (LPUSH to publish, BRPOP to consume), so the oldest
message is the list's last element. Each message carries the time it was published in the
``portal_sent_at`` header (set in :func:`stamp_sent_at`, connected in ``portal.celery``).
"""

import functools
import json
import time
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int
    lag_seconds: float  # age of the oldest waiting message; 0 when empty


def stamp_sent_at(sender=None, headers=None, **kwargs) -> None:
    """Celery ``before_task_publish``: when was this message published?"""
    if headers is not None:
        headers.setdefault("portal_sent_at", time.time())


@functools.lru_cache(maxsize=2)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def broker_client():
    return _redis(settings.BROKER_URL)


def queue_states(names=None) -> list[QueueState]:
    """Depth and lag of each production queue. Raises redis errors when the broker is down."""
    client = broker_client()
    names = tuple(names or settings.CELERY_QUEUE_NAMES)
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.llen(name)
        pipe.lindex(name, -1)
    answers = pipe.execute()
    now = time.time()
    states = []
    for i, name in enumerate(names):
        depth, oldest = answers[2 * i], answers[2 * i + 1]
        lag = 0.0
        if oldest:
            try:
                sent = float(json.loads(oldest)["headers"].get("portal_sent_at") or now)
            except (ValueError, KeyError, TypeError):
                sent = now
            lag = max(0.0, now - sent)
        states.append(QueueState(name=name, depth=int(depth), lag_seconds=lag))
    return states
