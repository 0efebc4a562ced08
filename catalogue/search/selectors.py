"""What pages and the API call to search: the configured backend, asked on the user's behalf."""

from dataclasses import replace

from catalogue.search.backends import KeyInfo, SearchResult, get_backend
from catalogue.search.queries import SearchQuery
from catalogue.search.techniques import techniques_with_narrower

MAX_KEYS = 200


def search_datasets(*, user, query: SearchQuery) -> SearchResult:
    """Hits, total and facets over the datasets ``user`` may read (the access gate's rules).

    A selected technique also finds its narrower PaNET techniques (``techniques.py``)."""
    selected = query.selected("technique")
    if selected and not query.narrower:
        query = replace(query, narrower=techniques_with_narrower(selected))
    return get_backend().search(query=query, user=user)


def search_dataset_ids(*, user, query: SearchQuery, limit: int) -> list[int] | None:
    """Database keys of all the datasets ``user`` may read that the search matches, or None
    when more than ``limit`` do (for joins on the result set, not for display)."""
    selected = query.selected("technique")
    if selected and not query.narrower:
        query = replace(query, narrower=techniques_with_narrower(selected))
    return get_backend().ids(query=query, user=user, limit=limit)


def scientific_keys(*, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
    """Scientific-metadata keys in use among the datasets ``user`` may read."""
    return get_backend().keys(user=user, prefix=prefix.strip(), limit=min(limit, MAX_KEYS))
