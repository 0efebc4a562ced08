"""Celery tasks of the catalogue. Thin: they take a primary key and call a service."""

import logging

from celery import shared_task
from elasticsearch import ApiError

from catalogue.search.connection import SearchUnavailable

logger = logging.getLogger(__name__)

# Elasticsearch down or busy: retry with backoff (1, 2, 4 … minutes, at most ~4 hours in all).
INDEX_MAX_RETRIES = 8


@shared_task(name="catalogue.index_dataset", bind=True, max_retries=INDEX_MAX_RETRIES)
def index_dataset(self, dataset_id: int) -> dict:
    """Bring one dataset's search document up to date (index it, or remove it). Idempotent."""
    from catalogue.search.indexing import index_datasets

    try:
        report = index_datasets(dataset_ids=[dataset_id])
    except SearchUnavailable as exc:
        if self.request.is_eager:
            raise  # in-process (no broker): the caller logs it; `reindex` repairs
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    except ApiError as exc:
        if exc.meta.status >= 500 or exc.meta.status == 429:
            if self.request.is_eager:
                raise
            raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
        raise  # a 4xx is our bug (mapping, request): fail visibly
    return {"indexed": report.indexed, "removed": report.removed, "skipped": report.skipped}


@shared_task(name="catalogue.index_dataset_batch", bind=True, max_retries=INDEX_MAX_RETRIES)
def index_dataset_batch(self, dataset_ids: list[int]) -> dict:
    """Bring many datasets' search documents up to date in one bulk request. Idempotent."""
    from catalogue.search.indexing import index_datasets

    try:
        report = index_datasets(dataset_ids=dataset_ids)
    except SearchUnavailable as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return {"indexed": report.indexed, "removed": report.removed, "skipped": report.skipped}
