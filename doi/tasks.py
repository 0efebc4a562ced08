"""Celery tasks of DOI registration, all named ``doi.*`` and on the queue ``doi``.

Routed by ``CELERY_TASK_ROUTES`` (``doi.*``; Celery 5.5 deprecates the ``queue`` task
attribute) and by ``apply_async(queue=...)``. Thin: they take primary keys and call
``doi.services``. ``doi.sync_registration`` re-queues itself after a transient failure with
the back-off the service computed (honouring DataCite's Retry-After); ``doi.sync_stale``
(celery beat) picks up registrations whose task was lost and failures that may have healed.
"""

from __future__ import annotations

import threading

from celery import shared_task
from django.conf import settings

QUEUE = "doi"
_local = threading.local()


def datacite_client():
    """The process's DataCite client (one connection pool, one shared rate limiter), or None
    when DataCite registration is off (the embedded demo)."""
    if not settings.DATACITE_ENABLED:
        return None
    key = (settings.DATACITE_URL, settings.DATACITE_REPOSITORY_ID, settings.DATACITE_TIMEOUT)
    cached = getattr(_local, "client", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    from doi.client import DataCiteClient

    client = DataCiteClient(
        base_url=settings.DATACITE_URL,
        repository_id=settings.DATACITE_REPOSITORY_ID,
        password=settings.DATACITE_PASSWORD,
        timeout=settings.DATACITE_TIMEOUT,
        rate_limiter=rate_limiter(),
    )
    _local.client = (key, client)
    return client


def rate_limiter():
    from doi.ratelimit import LocalTokenBucket, RedisTokenBucket

    if settings.BROKER_URL.startswith("redis"):
        return RedisTokenBucket(
            redis_url=settings.BROKER_URL,
            limit=settings.DATACITE_RATE_LIMIT,
            window=settings.DATACITE_RATE_WINDOW,
            # One bucket per DataCite account and limit (all workers of this portal share it).
            key=(
                f"portal:datacite:bucket:{settings.DATACITE_REPOSITORY_ID.lower()}:"
                f"{settings.DATACITE_RATE_LIMIT}:{settings.DATACITE_RATE_WINDOW:g}"
            ),
        )
    return LocalTokenBucket(
        limit=settings.DATACITE_RATE_LIMIT, window=settings.DATACITE_RATE_WINDOW
    )


def queue_registration_syncs(registration_ids: list[int]) -> None:
    for pk in registration_ids:
        sync_registration.apply_async((pk,), queue=QUEUE)


@shared_task(name="doi.sync_registration")
def sync_registration(registration_id: int) -> str:
    from doi.models import DoiRegistration
    from doi.services import doi_sync

    registration = DoiRegistration.objects.filter(pk=registration_id).first()
    if registration is None:
        return "gone"
    result = doi_sync(registration=registration, client=datacite_client())
    if result.retry_in is not None and result.retry_in <= _countdown_ceiling():
        sync_registration.apply_async((registration_id,), countdown=result.retry_in, queue=QUEUE)
    # A longer wait is not held in a worker: Redis would hand the unacknowledged message to a
    # second worker after the visibility timeout, and each copy would schedule its own retry.
    # The beat task ``doi.sync_stale`` picks the registration up once its attempt is due.
    return result.outcome


def _countdown_ceiling() -> int:
    return max(1, settings.CELERY_VISIBILITY_TIMEOUT * 3 // 4)


@shared_task(name="doi.sync_changed")
def sync_changed(dataset_ids: list[int]) -> int:
    """The datasets changed (``datasets_changed``): queue a sync of each one's DOI."""
    from doi.services import doi_mark_changed

    ids = doi_mark_changed(dataset_ids=dataset_ids)
    queue_registration_syncs(ids)
    return len(ids)


@shared_task(name="doi.sync_stale")
def sync_stale() -> int:
    from doi.services import doi_retry, stale_registrations

    if not settings.DATACITE_ENABLED:
        return 0
    ids = doi_retry(registrations=stale_registrations())
    queue_registration_syncs(ids)
    return len(ids)
