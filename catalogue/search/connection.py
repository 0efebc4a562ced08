"""The Elasticsearch client, one per process and node list, and what a failing cluster raises."""

import functools
import logging

from django.conf import settings
from elasticsearch import Elasticsearch

# The client logs every request at INFO: far too chatty for a portal's log (and for reindex).
logging.getLogger("elastic_transport.transport").setLevel(logging.WARNING)
# A dead node is logged once per resurrection attempt at WARNING; that is what operators want.
logging.getLogger("elastic_transport.node_pool").setLevel(logging.WARNING)


class SearchUnavailable(Exception):
    """Elasticsearch does not answer (down, unreachable, overloaded): tell people, answer 503."""


@functools.lru_cache(maxsize=4)
def _client(hosts: tuple[str, ...]) -> Elasticsearch:
    # Every node is known, so a request that fails on one (refused, reset, 502/503/504, and a
    # timeout on a node that hangs) is retried on the next; the failed node is left out for a
    # while and tried again later (elastic-transport's node pool). Timeouts stay short on
    # loopback or LAN: a page fails fast and says search is down instead of hanging.
    return Elasticsearch(
        list(hosts),
        request_timeout=settings.ELASTICSEARCH_TIMEOUT,
        max_retries=settings.ELASTICSEARCH_MAX_RETRIES if len(hosts) > 1 else 1,
        retry_on_timeout=len(hosts) > 1,
        retry_on_status=(502, 503, 504),
        # A dead node is left out for 1 s at first, up to 30 s when it stays down.
        dead_node_backoff_factor=1.0,
        max_dead_node_backoff=30.0,
    )


def elasticsearch_hosts() -> tuple[str, ...]:
    return tuple(u.strip() for u in settings.ELASTICSEARCH_URL.split(",") if u.strip())


def get_client() -> Elasticsearch:
    hosts = elasticsearch_hosts()
    if not hosts:
        raise SearchUnavailable("PORTAL_ELASTICSEARCH_URL is not set.")
    return _client(hosts)


def replicas_for_new_index(client: Elasticsearch) -> int:
    """PORTAL_ELASTICSEARCH_REPLICAS, with "auto" = 1 when the cluster has several data nodes."""
    wanted = str(settings.ELASTICSEARCH_REPLICAS).strip().lower()
    if wanted != "auto":
        return int(wanted)
    nodes = client.cluster.health()["number_of_data_nodes"]
    return 1 if nodes > 1 else 0
