"""What every search backend returns, and the interface they share."""

import functools
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.urls import reverse

from catalogue.search.queries import SearchQuery


@functools.cache
def dataset_path_template() -> str:
    """The dataset page's path with a ``{pid}`` slot: reverse() once, not once per hit."""
    probe = uuid.UUID(int=0)
    return reverse("catalogue:dataset-detail", kwargs={"pid": probe}).replace(str(probe), "{pid}")


@dataclass(frozen=True)
class FacetValue:
    value: str | int
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchHit:
    pid: str
    title: str
    doi: str | None = None
    creators: tuple[str, ...] = ()
    publication_year: int | None = None
    facility: str | None = None
    facility_short_name: str | None = None
    instrument: str | None = None
    techniques: tuple[str, ...] = ()
    resource_type: str | None = None
    keywords: tuple[str, ...] = ()
    status: str = "published"
    # HTML, already escaped: the title with <mark> around matches, and text snippets.
    title_html: str = ""
    snippets: tuple[str, ...] = ()
    # The backend's relevance score (Elasticsearch's BM25; the database's title matches);
    # 0 without words to rank by.
    score: float = 0.0
    # The fields of the search document the query asked for (``SearchQuery.source``).
    source: dict | None = field(default=None, compare=False, hash=False)
    # Which of ``SearchQuery.matched_entries`` this dataset passed (their first positions
    # there); None when the backend does not say.
    matched: frozenset[int] | None = field(default=None, compare=False, hash=False)

    @property
    def status_label(self) -> str:
        from catalogue.models import Status

        try:
            return Status(self.status).label
        except ValueError:
            return self.status

    @property
    def path(self) -> str:
        return dataset_path_template().format(pid=self.pid)

    @property
    def url(self) -> str:
        return settings.BASE_URL + self.path


@dataclass(frozen=True)
class SearchResult:
    total: int | None  # None when the query asked for no count (SearchQuery.count)
    page: int
    page_size: int
    hits: tuple[SearchHit, ...] = ()
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // self.page_size))


@dataclass(frozen=True)
class KeyInfo:
    """A scientific-metadata key in use: how many datasets have it, in which units."""

    key: str
    count: int
    units: tuple[str, ...] = ()


class SearchBackend(Protocol):
    name: str

    def search(self, *, query: SearchQuery, user) -> SearchResult:
        """Hits, total and facet counts, only ever over datasets ``user`` may see."""

    def keys(self, *, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
        """Scientific-metadata keys among the datasets ``user`` may see."""

    def ids(self, *, query: SearchQuery, user, limit: int) -> list[int] | None:
        """Database keys of every dataset the search matches (no order, no hits, no facets),
        or None when more than ``limit`` match: for joins (PaNOSC scopes) that need the set."""

    def values(
        self, *, query: SearchQuery, user, fields: tuple[str, ...], limit: int
    ) -> dict[str, set[str]] | None:
        """The distinct values of these document fields (``proposal_pid``, ``supplement_to``)
        among every match, or None when a field has more than ``limit``: which proposals and
        publications a search's datasets belong to, without listing the datasets."""
