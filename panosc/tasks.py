"""Celery tasks of the PaNOSC API. Thin: they take primary keys and call ``panosc.index``."""

from celery import shared_task
from elasticsearch import ApiError

from catalogue.search.connection import SearchUnavailable
from catalogue.tasks import INDEX_MAX_RETRIES, retry_countdown


@shared_task(name="panosc.index_documents", bind=True, max_retries=INDEX_MAX_RETRIES)
def index_documents(self, dataset_ids: list[int]) -> dict:
    """Bring the PaNOSC documents of these datasets up to date (recompute, or remove).
    Idempotent: it reads the database's state now. Retries while Elasticsearch is down."""
    from panosc.index import update_for_datasets

    try:
        return update_for_datasets(dataset_ids)
    except (SearchUnavailable, ApiError) as exc:
        if isinstance(exc, ApiError) and not (exc.meta.status >= 500 or exc.meta.status == 429):
            raise
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
