"""Search follows the catalogue's changes: a receiver of ``catalogue.signals.datasets_changed``.

The signal is sent after the writing transaction commits, so the queued tasks see the change.
Dependencies go one way: writers announce (``catalogue.services.changes``), this module
subscribes (connected in ``catalogue.apps``) and queues ``catalogue.tasks``, and the tasks call
``catalogue.search.indexing``. With the database search backend there is no index: nothing
is queued.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

INDEX_BATCH = 500  # datasets per bulk task (a renamed facility changes thousands)


def _coalesce_key(dataset_id: int) -> str:
    return f"search:index-stamp:{dataset_id}"


def coalesce_mark(dataset_id: int, stamp: int) -> None:
    """The newest queued index update of this dataset is the one stamped ``stamp``."""
    ttl = max(60, int(settings.SEARCH_INDEX_COALESCE_SECONDS * 10))
    cache.set(_coalesce_key(dataset_id), stamp, ttl)


def coalesce_superseded(dataset_id: int, stamp: int | None) -> bool:
    """A later index update of this dataset is queued, so the one stamped ``stamp`` can skip.

    Only a strictly later stamp counts: when the cache fails (a read gives nothing, a write is
    dropped) every update indexes, as without coalescing. The later update runs at least as
    late and reads the dataset then, so it sees every change this one would have seen.
    """
    if stamp is None:
        return False
    newest = cache.get(_coalesce_key(dataset_id))
    return isinstance(newest, int) and newest > stamp


def reindex_changed_datasets(sender, dataset_ids: list[int], **kwargs) -> int:
    """Queue index updates for these datasets; returns how many tasks were queued."""
    if settings.SEARCH_BACKEND != "elasticsearch" or not dataset_ids:
        return 0
    from catalogue.tasks import index_dataset, index_dataset_batch

    ids = sorted(set(dataset_ids))
    try:
        if len(ids) == 1:
            delay = settings.SEARCH_INDEX_COALESCE_SECONDS
            if delay <= 0:
                index_dataset.delay(ids[0])
            else:
                stamp = time.time_ns()
                index_dataset.apply_async((ids[0],), {"stamp": stamp}, countdown=delay)
                # After the task is queued, never before: a stamp only ever stands for a task
                # that exists, so a task that sees a later stamp knows another will index.
                coalesce_mark(ids[0], stamp)
            return 1
        for start in range(0, len(ids), INDEX_BATCH):
            index_dataset_batch.delay(ids[start : start + INDEX_BATCH])
        return -(-len(ids) // INDEX_BATCH)
    except Exception:
        # The change itself is committed; a failed index update must not turn it into an
        # error page. `manage.py reindex` repairs the index.
        logger.exception("Could not update the search index for %d dataset(s)", len(ids))
        return 0
