"""The Elasticsearch client, one per process and URL, and what a failing cluster raises."""

import functools
import logging

from django.conf import settings
from elasticsearch import Elasticsearch

# The client logs every request at INFO: far too chatty for a portal's log (and for reindex).
logging.getLogger("elastic_transport.transport").setLevel(logging.WARNING)


class SearchUnavailable(Exception):
    """Elasticsearch does not answer (down, unreachable, overloaded): tell people, answer 503."""


@functools.lru_cache(maxsize=4)
def _client(url: str) -> Elasticsearch:
    # Loopback or LAN: fail fast instead of hanging a page; the page says search is down.
    return Elasticsearch(
        url,
        request_timeout=settings.ELASTICSEARCH_TIMEOUT,
        max_retries=1,
        retry_on_timeout=False,
    )


def get_client() -> Elasticsearch:
    if not settings.ELASTICSEARCH_URL:
        raise SearchUnavailable("PORTAL_ELASTICSEARCH_URL is not set.")
    return _client(settings.ELASTICSEARCH_URL)
