"""Coalesced index updates (PORTAL_SEARCH_INDEX_COALESCE_SECONDS; make prod: 2 s).

Several changes to one dataset within the delay are one index write: each queued update is
stamped, and one that finds a later stamp leaves the work to the later update, which reads
the dataset after every change. A cache that fails never makes an update skip.
"""

import time

import pytest
from celery.signals import task_postrun
from django.core.cache import cache

from catalogue.models import Dataset, Status
from catalogue.search.connection import get_client
from catalogue.search.documents import alias_name
from catalogue.search.indexing import index_datasets
from catalogue.search.signals import coalesce_mark, coalesce_superseded, reindex_changed_datasets
from tests.factories import make_dataset
from tests.workers import broker_tasks, worker


def test_only_a_strictly_later_stamp_supersedes():
    cache.delete("search:index-stamp:7")
    assert not coalesce_superseded(7, 100)  # nothing marked (or the cache failed): index
    coalesce_mark(7, 100)
    assert not coalesce_superseded(7, 100)  # the newest update itself indexes
    assert not coalesce_superseded(7, None)  # an update queued without a stamp always indexes
    coalesce_mark(7, 200)
    assert coalesce_superseded(7, 100)
    cache.set("search:index-stamp:7", "garbage")
    assert not coalesce_superseded(7, 100)


@pytest.mark.search
@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_changes_within_the_delay_are_one_index_write(es_index, settings):
    """Through the real broker and a worker: three changes 0.1 s apart, one write, the last
    state in the index; a change after the delay is indexed on its own."""
    ds = make_dataset(status=Status.PUBLISHED, title="Coalesced zero")
    index_datasets(dataset_ids=[ds.pk])
    results: list[dict] = []

    def collect(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == "catalogue.index_dataset":
            results.append(retval)

    def change(title: str) -> None:
        Dataset.objects.filter(pk=ds.pk).update(title=title)
        Dataset.objects.get(pk=ds.pk).save(update_fields=["updated_at"])  # a new version
        reindex_changed_datasets(sender=None, dataset_ids=[ds.pk])  # as after the commit

    def indexed_title() -> str:
        return get_client().get(index=alias_name(), id=str(ds.pk))["_source"]["title"]

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(results) < n:
            time.sleep(0.1)

    settings.SEARCH_INDEX_COALESCE_SECONDS = 1
    task_postrun.connect(collect, weak=False)
    try:
        with broker_tasks(settings), worker(settings):
            for title in ("Coalesced one", "Coalesced two", "Coalesced three"):
                change(title)
                time.sleep(0.1)
            wait_for(3)
            first = list(results)
            assert indexed_title() == "Coalesced three"
            change("Coalesced four")
            wait_for(4)
    finally:
        task_postrun.disconnect(collect)
    assert sorted(r.get("superseded", 0) for r in first) == [0, 1, 1]
    assert [r["indexed"] for r in first if not r.get("superseded")] == [1]
    assert results[3]["indexed"] == 1 and not results[3].get("superseded")
    assert indexed_title() == "Coalesced four"
