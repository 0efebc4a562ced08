"""Drill: an Elasticsearch node dies (the elected master, too) while people search and the
portal indexes. Clients see only 200s with unchanged totals; no index update is lost.

A 3-node cluster with small heaps (scripts/prod.sh es-cluster) is started once for the module.
"""

import os
import shutil
import signal
import time
import urllib.parse

import pytest
from django.conf import settings as django_settings

from catalogue.models import Dataset, Status
from tests.drills.conftest import Load, drill_dir, http_get, pid_lines, run_script
from tests.factories import make_dataset

pytestmark = [pytest.mark.slow, pytest.mark.search]

NODES = 3
HTTP_BASE = int(os.environ.get("PORTAL_DRILL_ES_HTTP_BASE", "28700"))
TRANSPORT_BASE = int(os.environ.get("PORTAL_DRILL_ES_TRANSPORT_BASE", "28800"))
CLUSTER_ARGS = (str(NODES), str(HTTP_BASE), str(TRANSPORT_BASE))


@pytest.fixture(scope="module")
def cluster():
    folder = drill_dir("es-cluster")
    out = run_script("es-cluster", "start", str(folder), *CLUSTER_ARGS, timeout=400)
    urls = ",".join(f"http://127.0.0.1:{HTTP_BASE + i}" for i in range(1, NODES + 1))
    yield {"dir": folder, "url": urls, "pids": pid_lines(out)}
    run_script("es-cluster", "stop", str(folder), *CLUSTER_ARGS, timeout=200)
    shutil.rmtree(folder, ignore_errors=True)


def _es(path: str, node: int) -> str:
    status, body = http_get(f"http://127.0.0.1:{HTTP_BASE + node}{path}", timeout=30)
    assert status == 200, body
    return body.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_master_node_loses_no_answer_and_no_update(cluster, settings, live_server):
    from catalogue.search.connection import _client
    from catalogue.search.indexing import index_datasets, rebuild_index

    settings.ELASTICSEARCH_URL = cluster["url"]
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_TIMEOUT = 5.0
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{django_settings.ELASTICSEARCH_INDEX_PREFIX}-drill"
    _client.cache_clear()
    published = [
        make_dataset(status=Status.PUBLISHED, title=f"Drill sample {i}") for i in range(40)
    ]
    for i in range(5):
        make_dataset(status=Status.DRAFT, title=f"Hidden draft {i}")  # never in anyone's answer
    rebuild_index()
    index = _es(f"/_cat/indices/{settings.ELASTICSEARCH_INDEX_PREFIX}-*?h=index,rep", 1).split()
    assert index[1] == "1"  # a cluster gets one replica per shard
    _es(f"/_cluster/health/{index[0]}?wait_for_status=green&timeout=60s", 1)

    search = live_server.url + "/api/v1/search?" + urllib.parse.urlencode({"q": "drill"})
    page = live_server.url + "/search/?" + urllib.parse.urlencode({"q": "sample"})
    expected = len(published)

    def searcher():
        status, body = http_get(search)
        if status != 200:
            return status, body[:300]
        import json

        total = json.loads(body)["total"]
        return status, None if total == expected else f"total {total} != {expected}"

    def page_reader():
        status, body = http_get(page)
        return status, None if status == 200 else body[:300]

    updates: dict[int, int] = {}
    index_errors: list[str] = []

    def indexer():
        # The change of one dataset and its index update, as the Celery task does it: retried
        # until Elasticsearch takes it (the task retries with backoff).
        n = len(updates) + 1
        ds = published[n % len(published)]
        Dataset.objects.filter(pk=ds.pk).update(title=f"Drill sample {ds.pk} rev {n}")
        for _attempt in range(30):
            try:
                index_datasets(dataset_ids=[ds.pk])
                updates[ds.pk] = n
                return 200, None
            except Exception as exc:  # retried; the count shows in the report
                index_errors.append(repr(exc)[:200])
                time.sleep(1)
        return 599, f"dataset {ds.pk} never indexed"

    load = Load()
    load.start(searcher, threads=3)
    load.start(page_reader, threads=1)
    load.start(indexer, threads=1)
    try:
        time.sleep(3)
        master = _es("/_cat/master?h=node", 1).strip()
        pid = cluster["pids"][master]
        os.kill(pid, signal.SIGKILL)  # the elected master dies without a goodbye
        time.sleep(8)  # a new master, the replica promoted; searches and writes go on
        survivor = 1 if master != "es-1" else 2
        assert _es("/_cat/master?h=node", survivor).strip() != master
        # The node comes back (a new PID), the cluster heals to green.
        out = run_script("es-cluster", "start", str(cluster["dir"]), *CLUSTER_ARGS, timeout=300)
        cluster["pids"] = pid_lines(out)
        assert cluster["pids"][master] != pid
        _es(f"/_cluster/health?wait_for_status=green&wait_for_nodes={NODES}&timeout=120s", survivor)
        time.sleep(2)
    finally:
        load.finish()

    assert sum(load.statuses.values()) > 50, load.statuses
    assert load.failures == [], (load.statuses, load.failures[:5])
    assert set(load.statuses) == {200}, load.statuses
    # No update lost: the index holds each dataset's last title.
    from catalogue.search.connection import get_client

    client = get_client()
    client.indices.refresh(index=settings.ELASTICSEARCH_INDEX_PREFIX + "-datasets")
    for pk, n in updates.items():
        doc = client.get(index=settings.ELASTICSEARCH_INDEX_PREFIX + "-datasets", id=str(pk))
        title = Dataset.objects.get(pk=pk).title
        assert doc["_source"]["title"] == title, (pk, n)
    print(f"drill: {dict(load.statuses)}; {len(updates)} datasets updated; "
          f"{len(index_errors)} index attempts retried")  # fmt: skip
    _client.cache_clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reindex_under_search_load_shows_no_error_and_no_empty_result(
    cluster, settings, live_server
):
    """Zero-downtime reindex: while `manage.py reindex` builds new indices and swaps the
    alias (twice), every search answers 200 with the full total."""
    import json

    from django.core.management import call_command

    from catalogue.search.connection import _client

    settings.ELASTICSEARCH_URL = cluster["url"]
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{django_settings.ELASTICSEARCH_INDEX_PREFIX}-swap"
    _client.cache_clear()
    for i in range(30):
        make_dataset(status=Status.PUBLISHED, title=f"Swap sample {i}")
    call_command("reindex", "--no-progress")
    url = live_server.url + "/api/v1/search?" + urllib.parse.urlencode({"q": "swap"})

    def searcher():
        status, body = http_get(url)
        if status != 200:
            return status, body[:300]
        total = json.loads(body)["total"]
        return status, None if total == 30 else f"total {total} != 30"

    load = Load()
    load.start(searcher, threads=3)
    try:
        time.sleep(1)
        for _ in range(2):
            call_command("reindex", "--no-progress")
        time.sleep(1)
    finally:
        load.finish()
        call_command("reindex", "--drop")
        _client.cache_clear()
    assert sum(load.statuses.values()) > 10, load.statuses
    assert load.failures == [], (load.statuses, load.failures[:5])
