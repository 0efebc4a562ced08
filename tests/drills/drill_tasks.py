"""A task for the worker drill: the real index and OAI-rendering work of a changed dataset,
after a pause long enough to kill the worker in the middle of it. Loaded only by the drill's
workers (celery -I tests.drills.drill_tasks); its name routes it to the indexing queue."""

import os
import time

from celery import shared_task


@shared_task(name="catalogue.index_dataset_drill", bind=True)
def index_dataset_drill(self, dataset_id: int, key: str) -> None:
    from catalogue.search.indexing import index_datasets
    from oaipmh.rendering import render_records
    from portal.ops.queues import broker_client

    redis = broker_client()
    redis.rpush(f"{key}:started", f"{self.request.hostname} {os.getpid()} {time.time()}")
    time.sleep(float(os.environ.get("PORTAL_DRILL_TASK_SECONDS", "8")))
    index_datasets(dataset_ids=[dataset_id], refresh=True)
    render_records([dataset_id])
    redis.rpush(f"{key}:finished", self.request.hostname)
