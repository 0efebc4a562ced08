"""The search backend in use: Elasticsearch when PORTAL_ELASTICSEARCH_URL is set, else the
database (the embedded mode). Both answer the same SearchQuery with the same SearchResult."""

from django.conf import settings

from .base import FacetValue, KeyInfo, SearchBackend, SearchHit, SearchResult

__all__ = [
    "FacetValue",
    "KeyInfo",
    "SearchBackend",
    "SearchHit",
    "SearchResult",
    "get_backend",
]


def get_backend(name: str | None = None) -> SearchBackend:
    name = name or settings.SEARCH_BACKEND
    if name == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend()
    if name == "database":
        from .database import DatabaseBackend

        return DatabaseBackend()
    raise ValueError(f"Unknown search backend {name!r}")
