"""After a dataset changed: what must follow once the change is committed.

Every write that changes what a dataset's record says (lifecycle moves, files, curation edits
in the admin, renamed context, deletion) calls :func:`datasets_changed` inside its
transaction. Once the transaction commits, ``catalogue.signals.datasets_changed`` is sent to
the apps that keep derived copies: search (``catalogue.search.signals``) and the OAI-PMH
provider queue their own tasks. Nothing happens if the transaction rolls back. A call right
after another one in the same transaction (nothing else queued in between: an import's batch
write, then its lifecycle move for the same records) joins that one's announcement, so the
subscribers queue one task per batch, not one per step.
"""

import logging
from collections.abc import Iterable

from django.db import transaction

from catalogue import signals
from catalogue.models import Dataset, Status

logger = logging.getLogger(__name__)


def datasets_changed(dataset_ids: Iterable[int]) -> None:
    ids = set(dataset_ids)
    if not ids:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        _sids, last, _robust = connection.run_on_commit[-1]
        pending = getattr(last, "pending_dataset_ids", None)
        if pending is not None:
            # The earlier announcement is dropped only by rolling back a savepoint that is
            # still open here too (open savepoints are a stack), so these ids are never lost;
            # at worst ids of a rolled-back inner step are announced (subscribers then find
            # nothing changed, or nothing there).
            pending |= ids
            return

    def announce() -> None:
        # Announced: a later call must queue its own announcement, not join this one (tests'
        # captureOnCommitCallbacks runs callbacks without clearing the connection's list).
        ids, announce.pending_dataset_ids = announce.pending_dataset_ids, None
        _announce(sorted(ids))

    announce.pending_dataset_ids = ids
    transaction.on_commit(announce)


def ever_public_ids(ids: list[int]) -> list[int]:
    """The ids among these whose record is public or was once (``published_at`` is kept), and
    those whose row is gone (it may have been): what harvesters, federated portals and
    anonymous visitors may ever have seen. A draft that was never published is not among
    them: an ingestor's writes change nothing that OAI-PMH, the PaNOSC documents or the home
    page show."""
    private = Dataset.objects.filter(pk__in=ids, published_at__isnull=True).exclude(
        status=Status.PUBLISHED
    )
    never = set(private.values_list("pk", flat=True))
    return [pk for pk in ids if pk not in never]


def _announce(ids: list[int]) -> None:
    # The change is committed: a failing receiver is logged, never turned into an error page.
    # One query here answers, for every receiver, which changes the public could have seen.
    try:
        public = ever_public_ids(ids)
    except Exception:
        logger.exception("Could not tell which of %d changed dataset(s) are public", len(ids))
        public = ids  # receivers then do everything, as for public records
    results = signals.datasets_changed.send_robust(
        sender=Dataset, dataset_ids=ids, ever_public_ids=public
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error("%s failed for %d changed dataset(s)", receiver, len(ids), exc_info=result)
