"""After a dataset changed: what must follow once the change is committed.

Every write that changes what a dataset's record says (lifecycle moves, files, curation edits
in the admin, renamed context, deletion) calls :func:`datasets_changed` inside its
transaction. Once the transaction commits, ``catalogue.signals.datasets_changed`` is sent to
the apps that keep derived copies: search (``catalogue.search.signals``) and the OAI-PMH
provider queue their own tasks. Nothing happens if the transaction rolls back. Each call
registers one on-commit callback: call it once per write.
"""

import logging
from collections.abc import Iterable

from django.db import transaction

from catalogue import signals
from catalogue.models import Dataset

logger = logging.getLogger(__name__)


def datasets_changed(dataset_ids: Iterable[int]) -> None:
    ids = sorted(set(dataset_ids))
    if not ids:
        return
    transaction.on_commit(lambda: _announce(ids))


def _announce(ids: list[int]) -> None:
    # The change is committed: a failing receiver is logged, never turned into an error page.
    for receiver, result in signals.datasets_changed.send_robust(sender=Dataset, dataset_ids=ids):
        if isinstance(result, Exception):
            logger.error("%s failed for %d changed dataset(s)", receiver, len(ids), exc_info=result)
