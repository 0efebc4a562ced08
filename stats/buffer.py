"""Usage events wait in a Redis list and are stored in batches (task ``stats.flush_events``).

Publishing one Celery task per counted response cost the web worker about 0.8 ms (message,
headers, routing) and the stats worker one task, one insert and one month recount per page
view. With a broker and ``STATS_FLUSH_SECONDS`` > 0, a response appends its events to the list
``EVENTS_KEY`` instead (one RPUSH), and celery beat runs the flush every that many seconds.

The flush is safe to repeat and to crash in: it reads a batch from the head of the list,
stores it (a repeated event id is ignored, the months are recounted from the stored events),
and only then trims what it read. A flush that dies between the two leaves the batch in the
list, and the next flush stores it again without counting anything twice. One flush runs at a
time (a lock with a token; only its holder trims), so two never take the same batch.
The list lives in the broker's Redis, with the same durability as the queued tasks it replaces.
"""

from __future__ import annotations

import json
import logging
import uuid

from django.conf import settings

log = logging.getLogger(__name__)

EVENTS_KEY = "portal:stats:events"
LOCK_KEY = "portal:stats:flush-lock"

# Trim the batch only while this flush still holds the lock (it may have expired meanwhile and
# another flush may be reading the same head of the list).
_TRIM_IF_HOLDER = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
  return 1
end
return 0
"""
_RELEASE_IF_HOLDER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _client():
    from portal.ops.queues import broker_client

    return broker_client()


def enabled() -> bool:
    """Events are buffered: there is a broker, tasks are not eager, and a flush interval."""
    return bool(
        settings.BROKER_URL
        and not settings.CELERY_TASK_ALWAYS_EAGER
        and settings.STATS_FLUSH_SECONDS > 0
    )


def append(payload: list[dict]) -> None:
    """One response's events (``Event.as_task_arg()`` each) at the end of the list."""
    _client().rpush(EVENTS_KEY, json.dumps(payload, separators=(",", ":")))


def waiting() -> int:
    """Responses whose events wait for the next flush."""
    return int(_client().llen(EVENTS_KEY))


def _decode(entry: bytes) -> list:
    """The events of one entry; an entry that cannot be read is logged and dropped."""
    from stats.services import Event

    try:
        payload = json.loads(entry)
        if not isinstance(payload, list):
            raise ValueError("not a list of events")
        return [Event.from_task_arg(e) for e in payload]
    except (ValueError, KeyError, TypeError) as exc:  # json's errors are ValueErrors too
        log.error("Dropped an unreadable usage-event entry (%r): %.200r", exc, entry)
        return []


def flush() -> int:
    """Store what waits, in batches of ``STATS_FLUSH_BATCH`` responses; the events stored.

    Bounded: at most ``STATS_FLUSH_MAX_BATCHES`` batches per call (the next call goes on), so a
    flush never outlives the broker's visibility timeout. Returns 0 when another flush holds
    the lock.
    """
    from stats.services import usage_events_record

    client = _client()
    token = uuid.uuid4().hex
    if not client.set(LOCK_KEY, token, nx=True, ex=settings.STATS_FLUSH_LOCK_SECONDS):
        return 0
    trim = client.register_script(_TRIM_IF_HOLDER)
    stored = 0
    try:
        for _ in range(settings.STATS_FLUSH_MAX_BATCHES):
            entries = client.lrange(EVENTS_KEY, 0, settings.STATS_FLUSH_BATCH - 1)
            if not entries:
                break
            events = [e for entry in entries for e in _decode(entry)]
            if events:
                stored += usage_events_record(events=events)
            if not trim(keys=[EVENTS_KEY, LOCK_KEY], args=[token, len(entries)]):
                log.warning("The usage-event flush lost its lock; the next flush goes on")
                break
            if len(entries) < settings.STATS_FLUSH_BATCH:
                break
    finally:
        client.register_script(_RELEASE_IF_HOLDER)(keys=[LOCK_KEY], args=[token])
    return stored
