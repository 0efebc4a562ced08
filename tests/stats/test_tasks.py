"""In production the events travel through Redis to a Celery worker (tasks ``stats.*``)."""

import time

import pytest

from catalogue.models import Status
from stats.models import DatasetUsageMonth
from tests.factories import make_dataset
from tests.workers import broker_tasks, worker

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_page_view_is_recorded_by_a_worker_after_the_response(client, settings):
    assert settings.BROKER_URL.startswith("redis://")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dataset = make_dataset(status=Status.PUBLISHED)
    with broker_tasks(settings):
        response = client.get(f"/doi/{dataset.doi}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
        # Nothing was written while the page was produced: the task is on the broker.
        assert not DatasetUsageMonth.objects.exists()
        with worker(settings):
            for _ in range(100):
                if DatasetUsageMonth.objects.filter(dataset=dataset).exists():
                    break
                time.sleep(0.1)
    row = DatasetUsageMonth.objects.get(dataset=dataset)
    assert (row.investigations_total, row.investigations_unique) == (1, 1)
