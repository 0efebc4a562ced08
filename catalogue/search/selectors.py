"""What pages and the API call to search: the configured backend, asked on the user's behalf."""

from catalogue.search.backends import KeyInfo, SearchResult, get_backend
from catalogue.search.queries import SearchQuery
from portal.ops.metrics import SEARCH_SECONDS

MAX_KEYS = 200


def search_datasets(*, user, query: SearchQuery) -> SearchResult:
    """Hits, total and facets over the datasets ``user`` may read (the access gate's rules)."""
    backend = get_backend()
    with SEARCH_SECONDS.labels(backend.name).time():
        return backend.search(query=query, user=user)


def scientific_keys(*, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
    """Scientific-metadata keys in use among the datasets ``user`` may read."""
    return get_backend().keys(user=user, prefix=prefix.strip(), limit=min(limit, MAX_KEYS))
