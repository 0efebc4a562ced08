"""Search follows the catalogue's changes: a receiver of ``catalogue.signals.datasets_changed``.

The signal is sent after the writing transaction commits, so the queued tasks see the change.
Dependencies go one way: writers announce (``catalogue.services.changes``), this module
subscribes (connected in ``catalogue.apps``) and queues ``catalogue.tasks``, and the tasks call
``catalogue.search.indexing``. With the database search backend there is no index: nothing
is queued.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

INDEX_BATCH = 500  # datasets per bulk task (a renamed facility changes thousands)


def reindex_changed_datasets(sender, dataset_ids: list[int], **kwargs) -> int:
    """Queue index updates for these datasets; returns how many tasks were queued."""
    if settings.SEARCH_BACKEND != "elasticsearch" or not dataset_ids:
        return 0
    from catalogue.tasks import index_dataset, index_dataset_batch

    ids = sorted(set(dataset_ids))
    try:
        if len(ids) == 1:
            index_dataset.delay(ids[0])
            return 1
        for start in range(0, len(ids), INDEX_BATCH):
            index_dataset_batch.delay(ids[start : start + INDEX_BATCH])
        return -(-len(ids) // INDEX_BATCH)
    except Exception:
        # The change itself is committed; a failed index update must not turn it into an
        # error page. `manage.py reindex` repairs the index.
        logger.exception("Could not update the search index for %d dataset(s)", len(ids))
        return 0
