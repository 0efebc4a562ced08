"""After a dataset changed: what must follow once the change is committed.

Every write that changes what a dataset's record says (lifecycle moves, files, curation edits
in the admin, renamed context, deletion) calls :func:`datasets_changed` inside its
transaction. Once the transaction commits, the search documents are brought up to date
(``catalogue.search.indexing``) and ``catalogue.signals.datasets_changed`` is sent to the apps
that keep derived copies (the OAI-PMH provider). Nothing happens if the transaction rolls back.
"""

import logging
from collections.abc import Iterable

from django.db import transaction

from catalogue import signals
from catalogue.models import Dataset
from catalogue.search.indexing import queue_dataset_reindex, queue_datasets_reindex

logger = logging.getLogger(__name__)


def datasets_changed(dataset_ids: Iterable[int]) -> None:
    ids = sorted(set(dataset_ids))
    if not ids:
        return
    if len(ids) == 1:
        queue_dataset_reindex(ids[0])
    else:
        queue_datasets_reindex(ids)
    transaction.on_commit(lambda: _announce(ids))


def _announce(ids: list[int]) -> None:
    # The change is committed: a failing receiver is logged, never turned into an error page.
    for receiver, result in signals.datasets_changed.send_robust(sender=Dataset, dataset_ids=ids):
        if isinstance(result, Exception):
            logger.error("%s failed for %d changed dataset(s)", receiver, len(ids), exc_info=result)
