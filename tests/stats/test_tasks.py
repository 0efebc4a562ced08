"""In production the events travel through Redis to a Celery worker (tasks ``stats.*``).

With a broker, a counted response appends its events to a Redis list (stats/buffer.py) and
celery beat's ``stats.flush_events`` stores them in batches; with PORTAL_STATS_FLUSH_SECONDS=0
each response publishes one ``stats.record_events`` task instead.
"""

import time

import pytest
import redis.exceptions

from catalogue.models import Status
from portal.ops.queues import broker_client
from stats import buffer
from stats.models import DatasetUsageMonth, UsageEvent
from stats.tasks import flush_events
from tests.factories import make_dataset
from tests.workers import broker_tasks, worker

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _views(client, dataset, n, first=1):
    """``n`` counted page views of ``dataset``, each by a visitor of its own (another IP)."""
    for i in range(first, first + n):
        response = client.get(
            f"/doi/{dataset.doi}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"192.0.2.{i}"
        )
        assert response.status_code == 200


def _viewed(client, settings, n):
    """A published dataset with ``n`` counted page views waiting in the broker's list."""
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        _views(client, dataset, n)
    return dataset


def _month(dataset):
    row = DatasetUsageMonth.objects.get(dataset=dataset)
    return row.investigations_total, row.investigations_unique


def test_page_views_wait_in_the_broker_until_a_worker_flushes_them(client, settings):
    assert settings.BROKER_URL.startswith("redis://") and settings.STATS_FLUSH_SECONDS > 0
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        _views(client, dataset, 3)
        # Nothing was written while the pages were produced, and no task was published.
        assert buffer.waiting() == 3
        assert broker_client().llen("stats") == 0
        assert not UsageEvent.objects.exists()
        flush_events.delay()
        with worker(settings, queues=["stats"]):
            assert _wait_for(lambda: DatasetUsageMonth.objects.filter(dataset=dataset).exists())
    assert _month(dataset) == (3, 3)
    assert buffer.waiting() == 0


def test_beat_flushes_every_interval_on_the_stats_queue(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["stats.flush_events"]
    assert entry["task"] == "stats.flush_events"
    assert entry["schedule"] == settings.STATS_FLUSH_SECONDS
    assert entry["options"]["expires"] == settings.STATS_FLUSH_SECONDS
    assert app.amqp.router.route({}, "stats.flush_events")["queue"].name == "stats"


def test_without_a_flush_interval_each_response_publishes_its_task(client, settings):
    settings.STATS_FLUSH_SECONDS = 0
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        _views(client, dataset, 1)
        assert buffer.waiting() == 0
        assert broker_client().llen("stats") == 1
        with worker(settings, queues=["stats"]):
            assert _wait_for(lambda: DatasetUsageMonth.objects.filter(dataset=dataset).exists())
    assert _month(dataset) == (1, 1)


def test_a_flush_stores_everything_waiting_in_batches(client, settings):
    settings.STATS_FLUSH_BATCH = 2
    dataset = _viewed(client, settings, 5)
    assert buffer.waiting() == 5
    assert buffer.flush() == 5
    assert buffer.waiting() == 0
    assert _month(dataset) == (5, 5)


def test_a_flush_that_dies_before_trimming_counts_nothing_twice(client, settings, monkeypatch):
    dataset = _viewed(client, settings, 2)
    # The worker dies after storing the batch, before trimming it from the list.
    monkeypatch.setattr(buffer, "_TRIM_IF_HOLDER", "return redis.error_reply('worker lost')")
    with pytest.raises(redis.exceptions.ResponseError, match="worker lost"):
        buffer.flush()
    assert UsageEvent.objects.count() == 2  # stored, but still waiting
    assert buffer.waiting() == 2
    assert broker_client().get(buffer.LOCK_KEY) is None  # released on the way out
    monkeypatch.undo()
    buffer.flush()  # stores the same events again
    assert buffer.waiting() == 0
    assert UsageEvent.objects.count() == 2
    assert _month(dataset) == (2, 2)


def test_only_one_flush_runs_at_a_time(client, settings):
    dataset = _viewed(client, settings, 1)
    broker_client().set(buffer.LOCK_KEY, "another flush", ex=60)
    assert buffer.flush() == 0
    assert buffer.waiting() == 1
    assert broker_client().get(buffer.LOCK_KEY) == b"another flush"  # not ours to release
    broker_client().delete(buffer.LOCK_KEY)
    assert buffer.flush() == 1
    assert _month(dataset) == (1, 1)


def test_an_unreadable_entry_is_dropped_and_the_rest_stored(client, settings):
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        _views(client, dataset, 1)
        broker_client().rpush(buffer.EVENTS_KEY, b"\xff not json", b'[{"event_id": "x"}]')
        _views(client, dataset, 1, first=2)
    assert buffer.waiting() == 4
    assert buffer.flush() == 2
    assert buffer.waiting() == 0
    assert _month(dataset) == (2, 2)


def test_metrics_say_how_many_responses_wait(client, settings):
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        _views(client, dataset, 2)
        metrics = client.get("/metrics").content.decode()
    assert "portal_stats_events_waiting 2.0" in metrics
