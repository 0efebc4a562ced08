"""In production the events travel through Redis to a Celery worker (tasks ``stats.*``)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from catalogue.models import Status
from portal.celery import app
from stats.models import DatasetUsageMonth
from tests.factories import make_dataset

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_page_view_is_recorded_by_a_worker_after_the_response(client, settings):
    assert settings.BROKER_URL.startswith("redis://")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dataset = make_dataset(status=Status.PUBLISHED)
    app.conf.task_always_eager = False
    try:
        response = client.get(f"/doi/{dataset.doi}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
        # Nothing was written while the page was produced: the task is on the broker.
        assert not DatasetUsageMonth.objects.exists()
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=list(settings.CELERY_QUEUE_NAMES),
        ):
            for _ in range(100):
                if DatasetUsageMonth.objects.filter(dataset=dataset).exists():
                    break
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    row = DatasetUsageMonth.objects.get(dataset=dataset)
    assert (row.investigations_total, row.investigations_unique) == (1, 1)
