"""What pages and the API call to search: the configured backend, asked on the user's behalf."""

import datetime
from dataclasses import dataclass, replace

from catalogue.access import user_sees_unpublished
from catalogue.search.backends import KeyInfo, SearchResult, get_backend
from catalogue.search.queries import (
    MEMBER_FACETS,
    SEARCHABLE_STATUSES,
    STATUS_FACET,
    SearchQuery,
)
from catalogue.search.techniques import techniques_with_narrower
from portal.ops.metrics import SEARCH_SECONDS

MAX_KEYS = 200


def search_datasets(*, user, query: SearchQuery) -> SearchResult:
    """Hits, total and facets over the datasets ``user`` may read (the access gate's rules).

    A selected technique also finds its narrower PaNET techniques (``techniques.py``). The
    status facet is counted only for users the gate shows unpublished records
    (``access.user_sees_unpublished``); for anyone else it, and a status selection, are
    dropped, so their facets and answers are what they were before the facet existed."""
    query = _member_facets_held_to_gate(query, user)
    selected = query.selected("technique")
    if selected and not query.narrower:
        query = replace(query, narrower=techniques_with_narrower(selected))
    backend = get_backend()
    with SEARCH_SECONDS.labels(backend.name).time():
        return _in_lifecycle_order(backend.search(query=query, user=user))


def _member_facets_held_to_gate(query: SearchQuery, user) -> SearchQuery:
    if not query.member_facets or user_sees_unpublished(user):
        return query
    filters = {f: v for f, v in query.filters.items() if f not in MEMBER_FACETS}
    return replace(query, member_facets=False, filters=filters)


def _in_lifecycle_order(result: SearchResult) -> SearchResult:
    """Status values in the lifecycle's order (draft … published), on both backends."""
    values = result.facets.get(STATUS_FACET)
    if not values:
        return result
    order = {s: i for i, s in enumerate(SEARCHABLE_STATUSES)}
    ordered = sorted(values, key=lambda v: order.get(str(v.value), len(order)))
    return replace(result, facets={**result.facets, STATUS_FACET: ordered})


def search_dataset_ids(*, user, query: SearchQuery, limit: int) -> list[int] | None:
    """Database keys of all the datasets ``user`` may read that the search matches, or None
    when more than ``limit`` do (for joins on the result set, not for display)."""
    selected = query.selected("technique")
    if selected and not query.narrower:
        query = replace(query, narrower=techniques_with_narrower(selected))
    query = _member_facets_held_to_gate(query, user)
    return get_backend().ids(query=query, user=user, limit=limit)


def search_values(
    *, user, query: SearchQuery, fields: tuple[str, ...], limit: int
) -> dict[str, set[str]] | None:
    """Distinct values of document fields (``proposal_pid``, ``supplement_to``) among all
    the datasets ``user`` may read that the search matches; None when one has more than
    ``limit``."""
    selected = query.selected("technique")
    if selected and not query.narrower:
        query = replace(query, narrower=techniques_with_narrower(selected))
    return get_backend().values(query=query, user=user, fields=fields, limit=limit)


def scientific_keys(*, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
    """Scientific-metadata keys in use among the datasets ``user`` may read."""
    return get_backend().keys(user=user, prefix=prefix.strip(), limit=min(limit, MAX_KEYS))


@dataclass(frozen=True)
class ResultCard:
    """What a result card shows beside the hit: access, files, licence, matched values."""

    hit: object
    access: str  # "open", "embargoed" or "restricted"
    embargo_until: datetime.date | None
    file_count: int
    total_size: int
    licence: object  # catalogue.vocabularies.Licence or None
    matched: tuple[tuple[str, object, str], ...]  # (key, value, unit) per condition key


def result_cards(*, hits, conditions=()) -> list[ResultCard]:
    """Facts for a page of hits, read in one query (the search documents stay as they are).

    ``access`` is the public's: open, files under embargo (with the date), or restricted (not
    published). ``matched`` holds the dataset's own value of each condition's key, so a
    search for ``sample.temperature ≥ 300 K`` shows "sample.temperature = 26.85 degC".
    """
    from catalogue.access import files_embargoed
    from catalogue.models import Dataset, Status
    from catalogue.scimeta import scientific_entries
    from catalogue.vocabularies import LICENCES

    keys = list(dict.fromkeys(c.key for c in conditions))
    fields = ["pid", "status", "embargo_until", "file_count", "total_size", "license"]
    if keys:
        fields.append("scientific_metadata")
    rows = {
        str(r["pid"]): r
        for r in Dataset.objects.filter(pid__in=[h.pid for h in hits]).values(*fields)
    }
    cards = []
    for hit in hits:
        row = rows.get(hit.pid)
        if row is None:  # deleted since it was indexed
            continue
        embargoed = files_embargoed(_Embargo(row["embargo_until"]))
        if row["status"] != Status.PUBLISHED:
            access = "restricted"
        else:
            access = "embargoed" if embargoed else "open"
        matched = ()
        if keys:
            entries = {e.key: e for e in scientific_entries(row.get("scientific_metadata") or {})}
            matched = tuple((k, entries[k].value, entries[k].unit) for k in keys if k in entries)
        cards.append(
            ResultCard(
                hit=hit,
                access=access,
                embargo_until=row["embargo_until"] if embargoed else None,
                file_count=row["file_count"] or 0,
                total_size=row["total_size"] or 0,
                licence=LICENCES.get(row["license"]),
                matched=matched,
            )
        )
    return cards


@dataclass(frozen=True)
class _Embargo:
    embargo_until: datetime.date | None
