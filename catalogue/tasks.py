"""Celery tasks of the catalogue. Thin: they take a primary key and call a service."""

from celery import shared_task
from elasticsearch import ApiError

from catalogue.search.connection import SearchUnavailable
from catalogue.search.indexing import index_datasets

# Elasticsearch down or busy: retry with backoff for about four hours in all. A delayed retry
# waits unacknowledged in a worker, and Redis hands any message unacknowledged for longer than
# the visibility timeout to another worker (which is what re-runs a killed worker's task within
# a minute), so no single wait may exceed it: 1, 2, 4 … s, then every 30 s (3/4 of it).
INDEX_MAX_RETRIES = 500


def retry_countdown(retries: int) -> int:
    from django.conf import settings

    ceiling = max(1, settings.CELERY_VISIBILITY_TIMEOUT * 3 // 4)
    return min(2**retries, ceiling)


def _index(task, dataset_ids: list[int]) -> dict:
    """Bring these datasets' search documents up to date; retry while Elasticsearch is down."""
    try:
        report = index_datasets(dataset_ids=dataset_ids)
    except (SearchUnavailable, ApiError) as exc:
        if isinstance(exc, ApiError) and not (exc.meta.status >= 500 or exc.meta.status == 429):
            raise  # a 4xx is our bug (mapping, request): fail visibly
        if task.request.is_eager:
            raise  # in-process (no broker): the caller logs it; `reindex` repairs
        raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries)) from exc
    return {"indexed": report.indexed, "removed": report.removed, "skipped": report.skipped}


@shared_task(name="catalogue.index_dataset", bind=True, max_retries=INDEX_MAX_RETRIES)
def index_dataset(self, dataset_id: int, stamp: int | None = None) -> dict:
    """Bring one dataset's search document up to date (index it, or remove it). Idempotent.

    ``stamp``: queued with a delay to coalesce changes (PORTAL_SEARCH_INDEX_COALESCE_SECONDS);
    when a later update of the same dataset is queued, this one leaves the work to it.
    """
    from catalogue.search.signals import coalesce_superseded

    if coalesce_superseded(dataset_id, stamp):
        return {"indexed": 0, "removed": 0, "skipped": 0, "superseded": 1}
    return _index(self, [dataset_id])


@shared_task(name="catalogue.index_dataset_batch", bind=True, max_retries=INDEX_MAX_RETRIES)
def index_dataset_batch(self, dataset_ids: list[int]) -> dict:
    """Bring many datasets' search documents up to date in one bulk request. Idempotent."""
    return _index(self, dataset_ids)


@shared_task(name="mail.dataset_event")
def mail_dataset_event(event_id: int) -> int:
    """The e-mails of one review-loop event (catalogue.services.notifications)."""
    from catalogue.services.notifications import event_mail_send

    return event_mail_send(event_id=event_id)


@shared_task(name="mail.dataset_events")
def mail_dataset_events(event_ids: list[int]) -> int:
    """The e-mails of many events (a batch move, e.g. an import), one event after another."""
    from catalogue.services.notifications import event_mail_send

    return sum(event_mail_send(event_id=pk) for pk in event_ids)


@shared_task(name="mail.review_reminder")
def mail_review_reminder() -> int:
    """Daily (Celery beat): the curators hear of submissions waiting too long."""
    from catalogue.services.notifications import review_reminder_send

    return review_reminder_send()


@shared_task(name="catalogue.release_embargoes")
def release_embargoes() -> int:
    """Daily (celery beat): announce the datasets whose embargo ended. Idempotent."""
    from catalogue.services.embargo import datasets_release_embargoes

    return len(datasets_release_embargoes())


@shared_task(name="catalogue.verify_file_checksums")
def verify_file_checksums(dataset_id: int, paths: list[str]) -> dict | None:
    """Check the registered checksums of these files against storage (files API ?verify=1)."""
    from catalogue.models import Dataset
    from catalogue.services.verify import dataset_files_verify_checksums

    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        return None
    return dataset_files_verify_checksums(dataset=dataset, paths=paths)
