"""The Elasticsearch backend: one round trip per search, two searches run side by side (a
page of hits with highlights; the exact total and facet counts, cached by Elasticsearch).

Visibility travels inside every request as a filter on the documents' principals
(``catalogue.access.user_principals``), so hits, totals and facet counts only ever count what
the user may read. Connection problems and server errors become ``SearchUnavailable``.
"""

import hashlib
import html
import json
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from elasticsearch import ApiError, TransportError

from catalogue.access import PUBLIC, user_principals
from catalogue.search.connection import SearchUnavailable, get_client
from catalogue.search.documents import alias_name
from catalogue.search.queries import (
    SELECTED_SUFFIX,
    KeyUnits,
    SearchQuery,
    check_condition_units,
    condition_names,
    elasticsearch_ids_body,
    elasticsearch_key_units_body,
    elasticsearch_keys_body,
    elasticsearch_msearch,
    elasticsearch_values_body,
    es_where,
    where_conditions,
)
from portal.ops.metrics import ES_REQUEST_SECONDS, ES_TOOK_SECONDS

from .base import FacetValue, KeyInfo, SearchHit, SearchResult

logger = logging.getLogger(__name__)


def _key_buckets(response: dict) -> list[dict]:
    """The per-key buckets of the scientific-keys aggregations (queries.elasticsearch_key*_body)."""
    return (
        response.get("aggregations", {})
        .get("entries", {})
        .get("chosen", {})
        .get("keys", {})
        .get("buckets", [])
    )


@contextmanager
def unavailable_on_failure():
    """Connection problems, overload (429) and server errors become ``SearchUnavailable``;
    a request Elasticsearch refuses (4xx) is our bug and propagates."""
    try:
        yield
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
    except ApiError as exc:
        if exc.meta.status >= 500 or exc.meta.status == 429:
            raise SearchUnavailable(f"Elasticsearch answered {exc.meta.status}: {exc}") from exc
        raise


def _call(method, body: dict) -> dict:
    with unavailable_on_failure():
        # A missing alias (nothing indexed yet) searches nothing instead of failing.
        return method(
            index=alias_name(), ignore_unavailable=True, allow_no_indices=True, body=body
        ).body


def _matched(raw: dict, names: dict[str, int], sent: set[str]) -> frozenset[int] | None:
    """Positions (in ``SearchQuery.matched_entries``) of the conditions this hit passed, by
    the named queries it matched (queries.es_condition)."""
    if not sent:
        return None
    found = raw.get("matched_queries") or ()
    return frozenset(names[n] for n in found if n in names)


def _hit(
    raw: dict, extra: tuple[str, ...] = (), names: dict | None = None, sent: set | None = None
) -> SearchHit:
    source = raw.get("_source", {})
    highlight = raw.get("highlight", {})
    title = source.get("title", "")
    snippets = tuple(highlight.get("description", ()))
    if not snippets and source.get("summary"):
        snippets = (html.escape(source["summary"]),)
    return SearchHit(
        pid=source.get("pid", ""),
        title=title,
        doi=source.get("doi"),
        creators=tuple(source.get("creator_names") or ()),
        publication_year=source.get("publication_year"),
        facility=source.get("facility"),
        facility_short_name=source.get("facility_short_name"),
        instrument=source.get("instrument"),
        techniques=tuple(source.get("techniques") or ()),
        resource_type=source.get("resource_type"),
        keywords=tuple(source.get("keywords") or ()),
        status=source.get("status", ""),
        title_html=(highlight.get("title") or [html.escape(title)])[0],
        snippets=snippets,
        score=float(raw.get("_score") or 0.0),
        source={k: source.get(k) for k in extra} if extra else None,
        matched=_matched(raw, names, sent) if names else None,
    )


def _facet_values(facet: str, aggs: dict, selected: tuple) -> list[FacetValue]:
    """Buckets of one facet: wrapped in a filter agg (other facets selected) or top level."""
    agg = aggs[facet]
    terms = agg.get("values", agg)
    picked = agg.get("selected") or aggs.get(f"{facet}{SELECTED_SUFFIX}") or {}
    chosen = {str(v) for v in selected}
    values: list[FacetValue] = []
    seen: set[str] = set()
    for bucket in terms["buckets"]:
        value = bucket["key_as_string"] if facet == "has_doi" else bucket["key"]
        seen.add(str(value))
        values.append(FacetValue(value, bucket["doc_count"], str(value) in chosen))
    for name, bucket in picked.get("buckets", {}).items():
        if name not in seen:
            value = int(name) if facet == "publication_year" else name
            values.append(FacetValue(value, bucket["doc_count"], True))
    return values


def _public_counts_key(searches: list, principals: list[str] | None) -> str | None:
    """The cache key of a search's total and facet counts, when they may be shared: only the
    public's (the principals of an anonymous visitor), never a member's or a curator's, and
    only when PORTAL_SEARCH_PUBLIC_COUNTS_CACHE_SECONDS is above 0. Elasticsearch's own
    request cache holds them too, but every index refresh (each ingestor's write) empties it
    for the whole shard, and the aggregations cost most of a search at 100,000 records."""
    ttl = settings.SEARCH_PUBLIC_COUNTS_CACHE_SECONDS
    if ttl <= 0 or principals != [PUBLIC] or len(searches) != 4:
        return None
    body = json.dumps([searches[2]["index"], searches[3]], sort_keys=True, default=str)
    return "search:public-counts:" + hashlib.sha256(body.encode()).hexdigest()[:32]


def _names(query: SearchQuery) -> tuple[dict[str, int], set[str]]:
    """Query name -> position of each reported condition, and the names the query carries
    (a condition found only under a Not is not named: then nothing is reported)."""
    if not query.matched_entries or query.where is None:
        return {}, set()
    by_condition = condition_names(query.matched_entries)
    positions = {name: int(name.rsplit("-", 1)[1]) for name in by_condition.values()}
    left = dict(by_condition)
    es_where(query.where, left)  # consumes the names it places
    sent = set(by_condition.values()) - set(left.values())
    if left:
        return {}, set()
    return positions, sent


class ElasticsearchBackend:
    name = "elasticsearch"

    def search(self, *, query: SearchQuery, user) -> SearchResult:
        client = get_client()
        principals = user_principals(user)
        searches = elasticsearch_msearch(query, principals, alias_name())
        counts_key = _public_counts_key(searches, principals)
        cached = cache.get(counts_key) if counts_key else None
        if cached is not None:
            searches = searches[:2]  # the page of hits only: its counts are known
        with unavailable_on_failure(), ES_REQUEST_SECONDS.labels("msearch").time():
            responses = client.msearch(searches=searches).body["responses"]
        for part in responses:
            if "error" in part:
                status = part.get("status", 500)
                if status >= 500 or status == 429:
                    raise SearchUnavailable(f"Elasticsearch answered {status}: {part['error']}")
                raise RuntimeError(f"Elasticsearch refused the search: {part['error']}")
        if cached is not None:
            responses = [responses[0], cached]
        elif counts_key and len(responses) == 2:
            counts_part = responses[1]
            cache.set(
                counts_key,
                {
                    "took": counts_part.get("took", 0),
                    "hits": {"total": counts_part["hits"]["total"]},
                    "aggregations": counts_part.get("aggregations", {}),
                },
                settings.SEARCH_PUBLIC_COUNTS_CACHE_SECONDS,
            )
        hits, counts = responses if len(responses) == 2 else (responses[0], {})
        ES_TOOK_SECONDS.observe(max(hits.get("took", 0), counts.get("took", 0)) / 1000)
        total = counts["hits"]["total"]["value"] if counts else None
        found = total if counts else len(hits["hits"]["hits"]) + query.offset
        conditions = [*query.conditions, *where_conditions(query.where)]
        if found == 0 and any(c.unit for c in conditions):
            # No hit: perhaps because a unit cannot compare with the key's values at all.
            check_condition_units(
                conditions,
                self.key_units(keys=[c.key for c in conditions if c.unit], user=user),
            )
        aggs = counts.get("aggregations", {})
        names, sent = _names(query)
        facets = {
            facet: _facet_values(facet, aggs, query.selected(facet))
            for facet in query.facet_names
            if facet in aggs
        }
        return SearchResult(
            total=total,
            page=query.page,
            page_size=query.page_size,
            hits=tuple(_hit(h, query.source, names, sent) for h in hits["hits"]["hits"]),
            facets=facets,
        )

    def ids(self, *, query: SearchQuery, user, limit: int) -> list[int] | None:
        """One request for the documents' ids (``_id`` is the database key): no ``_source``,
        no scoring, index order; the total is counted up to ``limit + 1`` only."""
        body = elasticsearch_ids_body(query, user_principals(user), limit=limit)
        response = _call(get_client().search, body)
        if response["hits"]["total"]["value"] > limit:
            return None
        return [int(h["_id"]) for h in response["hits"]["hits"]]

    def values(
        self, *, query: SearchQuery, user, fields: tuple[str, ...], limit: int
    ) -> dict[str, set[str]] | None:
        """One request: terms aggregations over the matches (no hits, no total)."""
        body = elasticsearch_values_body(query, user_principals(user), fields=fields, limit=limit)
        aggs = _call(get_client().search, body).get("aggregations", {})
        out = {f: {b["key"] for b in aggs.get(f, {}).get("buckets", [])} for f in fields}
        return None if any(len(v) > limit for v in out.values()) else out

    def key_units(self, *, keys: list[str], user) -> dict[str, KeyUnits]:
        keys = sorted(set(keys))
        body = elasticsearch_key_units_body(keys, user_principals(user))
        response = _call(get_client().search, body)
        buckets = _key_buckets(response)
        return {
            b["key"]: KeyUnits(
                key=b["key"],
                count=b["doc_count"],
                si_units=frozenset(s["key"] for s in b["si_units"]["buckets"]),
                units=tuple(u["key"] for u in b["units"]["buckets"]),
            )
            for b in buckets
        }

    def keys(self, *, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
        body = elasticsearch_keys_body(prefix, user_principals(user), limit)
        response = _call(get_client().search, body)
        buckets = _key_buckets(response)
        return [
            KeyInfo(
                key=b["key"],
                count=b["doc_count"],
                units=tuple(u["key"] for u in b["units"]["buckets"]),
            )
            for b in buckets
        ]
