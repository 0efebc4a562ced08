"""Signals the catalogue sends to the apps built on it (never for its own logic).

``datasets_changed`` is sent after the transaction that changed some datasets commits, with
``dataset_ids`` (a sorted list of primary keys; some may have been deleted) and
``ever_public_ids`` (those of them that are or were once public, or whose row is gone:
``catalogue.services.changes.ever_public_ids``; receivers about public copies skip the rest,
and take all of ``dataset_ids`` when it is not given). Receivers must be
quick and must not fail the sender: they queue work (the OAI-PMH provider renders the records'
metadata ahead of harvests). Sent by ``catalogue.services.changes.datasets_changed`` only.
"""

from django.dispatch import Signal

datasets_changed = Signal()

# Sent by ``manage.py reindex`` after it rebuilt the dataset index (``dropped=False``) or
# deleted it (``--drop``, ``dropped=True``): apps with indices of their own derived from the
# datasets (the PaNOSC documents) rebuild or drop them.
search_index_rebuilt = Signal()
