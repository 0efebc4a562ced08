"""PaNOSC Documents served from Elasticsearch: a small index of its own, one search document
per Document (a proposal with public datasets, a publication public datasets supplement).

Without it every Documents request read every proposal with public datasets from the
database (~40,000 at a million datasets) and filtered them in Python. Now a Documents page
is one search here (plus, for a ``datasets`` scope, the one aggregation over the dataset
index that ``selectors.document_pids_matching`` asks, and one search of the dataset index
for the embedded datasets): a bounded number of requests whatever the catalogue's size.

* What a search document holds is computed from the database by the same code as the
  database path (``selectors.all_documents`` and its fill functions: ids of the public
  datasets, keywords, release date, members), so both paths answer alike; it is rendered
  back by ``selectors._render_documents``.
* The LoopBack where on Documents, Members, Persons and Affiliations is translated here into
  Elasticsearch queries with ``panosc.filter.matches``'s semantics (exact, case-sensitive
  eq; any element of a list for positive tests, every element for negated ones; a missing
  value passes only negated tests; like/ilike as whole-value patterns, plain ones as
  substrings; ``text`` as a case-insensitive substring of title or summary); ``query=`` is
  ranked as ``selectors._document_score`` ranks (2 per word in the title, 1 in summary or
  keywords, every word required), with the words split by Python at indexing (``\\w+``, as there).
* Kept in step by ``panosc.apps``'s receiver of ``datasets_changed`` (after commit, as a
  task): the changed datasets' documents now, and those that held them before (found here
  by ``dataset_ids``), are recomputed, and removed when no public dataset is left.
  ``manage.py reindex`` rebuilds it (``catalogue.signals.search_index_rebuilt``).

The alias is ``<PORTAL_ELASTICSEARCH_INDEX_PREFIX>-panosc-documents`` (outside the
``-datasets-*`` pattern the dataset index's rebuild cleans up).
"""

import datetime
import logging
import re
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from catalogue.search.backends.elasticsearch import unavailable_on_failure
from catalogue.search.connection import SearchUnavailable, get_client, replicas_for_new_index
from catalogue.search.queries import like_wildcard
from panosc.filter import MAX_LIMIT, MAX_SKIP, AllOf, AnyOf, Test, WhereNode, _compare

logger = logging.getLogger(__name__)

KEYWORD_MAX = 8191  # characters: Lucene's term limit is 32,766 bytes
DATE_FIELDS = ("startDate", "endDate", "releaseDate")
BULK_CHUNK = 500
# Fields every Document has with one value (panosc.selectors.all_documents).
CONSTANT_FIELDS = {"isPublic": True, "score": 0.0}
# Where each model's fields live in a search document.
FIELD_PREFIX = {
    "Document": "",
    "Member": "members.",
    "Person": "members.person.",
    "Affiliation": "members.affiliation.",
}
WORD = re.compile(r"\w+")
# Searched, not shown: the answer is rendered from "object" and "members".
EXCLUDED = ("title", "summary", "doi", "license", "keywords", "title_words", "rest_words",
            *DATE_FIELDS)  # fmt: skip


def alias_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-panosc-documents"


def _keyword() -> dict:
    return {"type": "keyword", "ignore_above": KEYWORD_MAX}


def _object(*fields: str) -> dict:
    return {"properties": {f: _keyword() for f in fields}}


def index_body() -> dict:
    # The words of selectors._document_score, split by Python (\w+, lower case) at indexing.
    words = {"type": "keyword"}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "max_result_window": MAX_SKIP + MAX_LIMIT,
        },
        "mappings": {
            "dynamic": "strict",
            "_source": {"excludes": [*EXCLUDED]},
            "properties": {
                "pid": {"type": "keyword"},
                "type": {"type": "keyword"},
                "proposal_pk": {"type": "long"},  # the database key of a proposal's document
                "title": _keyword(),
                "summary": _keyword(),
                "doi": _keyword(),
                "license": _keyword(),
                "keywords": _keyword(),
                **{f: {"type": "date"} for f in DATE_FIELDS},
                "title_words": words,
                "rest_words": words,  # summary and keywords
                "members": {
                    "type": "nested",
                    "properties": {
                        **_object("id", "role", "documentId", "personId", "affiliationId")[
                            "properties"
                        ],
                        "person": _object(
                            "id", "fullName", "orcid", "researcherId", "firstName", "lastName"
                        ),
                        "affiliation": _object("id", "name", "address", "city", "country"),
                    },
                },
                "dataset_ids": {"type": "long"},  # its public datasets' database keys
                "dataset_pids": {"type": "keyword", "index": False, "doc_values": False},
                "object": {"type": "object", "enabled": False},  # the Document as answered
            },
        },
    }


# ------------------------------------------------------------------------ documents --
def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value


def document_source(
    *, key: tuple, obj: dict, ids: list[int], pids: list[str], members: list[dict]
) -> dict:
    """The search document of one Document (``selectors.Document`` with everything filled:
    keywords, release date, its public datasets' ids and pids in id order, members). Pure."""
    source = {
        "pid": obj["pid"],
        "type": obj["type"],
        "proposal_pk": key[1] if key[0] == "proposal" else None,
        "title_words": sorted(set(WORD.findall((obj.get("title") or "").lower()))),
        "rest_words": sorted(
            set(
                WORD.findall(
                    " ".join([obj.get("summary") or "", *(obj.get("keywords") or [])]).lower()
                )
            )
        ),
        "members": members,
        "dataset_ids": list(ids),
        "dataset_pids": list(pids),
        "object": {k: _iso(v) for k, v in obj.items()},
    }
    for field in ("title", "summary", "doi", "license", "keywords", *DATE_FIELDS):
        if obj.get(field) is not None:
            source[field] = _iso(obj[field])
    return source


def object_from_source(source: dict) -> dict:
    """The Document object (``selectors.Document.obj``) back from its search document."""
    obj = dict(source["object"])
    for field in DATE_FIELDS:
        if isinstance(obj.get(field), str):
            obj[field] = datetime.datetime.fromisoformat(obj[field])
    return obj


def build_documents(docs: list) -> list[dict]:
    """Search documents for these ``selectors.Document``s, filled from the database."""
    from panosc import selectors

    selectors._load_ids(docs)
    selectors._fill_keywords(docs)
    selectors._fill_released(docs)
    selectors._load_members(docs)
    from catalogue.models import Dataset

    every = sorted({pk for d in docs for pk in d.ids or ()})
    pid_of = {
        pk: str(pid)
        for pk, pid in Dataset.objects.filter(selectors._in_ids("pk", every)).values_list(
            "pk", "pid"
        )
    }
    return [
        document_source(
            key=d.key,
            obj=d.obj,
            ids=d.ids or [],
            pids=[pid_of[pk] for pk in d.ids or ()],
            members=d.members or [],
        )
        for d in docs
    ]


# ---------------------------------------------------------------------------- writing --
def create_index(name: str) -> None:
    client = get_client()
    body = index_body()
    body["settings"]["number_of_replicas"] = replicas_for_new_index(client)
    try:
        client.indices.create(index=name, **body)
    except ApiError as exc:
        if exc.meta.status != 400 or exc.error != "resource_already_exists_exception":
            raise


def _bulk(actions: Iterable[dict], *, refresh=False) -> int:
    done = 0
    try:
        for ok, item in streaming_bulk(
            get_client(), actions, chunk_size=BULK_CHUNK, raise_on_error=False,
            raise_on_exception=True, refresh=refresh,
        ):  # fmt: skip
            op, result = next(iter(item.items()))
            if not ok and not (op == "delete" and result.get("status") == 404):
                raise SearchUnavailable(f"Elasticsearch refused {op}: {result.get('error')}")
            done += 1
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
    return done


def _actions(index: str, sources: Iterable[dict]) -> Iterator[dict]:
    for source in sources:
        yield {"_op_type": "index", "_index": index, "_id": source["pid"], "_source": source}


def write_sources(sources: Iterable[dict], *, index: str | None = None, refresh=None) -> int:
    """Index these search documents (the benchmark builds them without database rows)."""
    refresh = settings.SEARCH_REFRESH_ON_WRITE if refresh is None else refresh
    return _bulk(_actions(index or alias_name(), sources), refresh=refresh)


def rebuild(*, batch: int = BULK_CHUNK, progress: Callable[[int], None] | None = None) -> int:
    """Build a new index from the database, swap the alias to it, drop the old ones."""
    from panosc import selectors

    client = get_client()
    alias = alias_name()
    name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
    create_index(name)
    docs = selectors.all_documents()

    def sources() -> Iterator[dict]:
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            yield from build_documents(chunk)
            if progress:
                progress(len(chunk))

    try:
        count = _bulk(_actions(name, sources()))
        client.indices.refresh(index=name)
        swap(name)
    except BaseException:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    return count


def swap(name: str) -> None:
    """Point the alias at ``name`` alone and delete every other index of the alias."""
    client = get_client()
    alias = alias_name()
    try:
        old = sorted(client.indices.get_alias(name=alias).body)
    except NotFoundError:
        old = []
    actions = [{"remove": {"index": o, "alias": alias}} for o in old if o != name]
    actions.append({"add": {"index": name, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    for other in sorted(client.indices.get(index=f"{alias}-*", expand_wildcards="open").body):
        if other != name:
            client.indices.delete(index=other, ignore_unavailable=True)


def drop() -> None:
    client = get_client()
    client.indices.delete(index=f"{alias_name()}-*", ignore_unavailable=True)


def documents_of(dataset_ids: list[int]) -> tuple[set[int], set[str]]:
    """The documents that hold these datasets in the index: (proposal keys, publication pids)."""
    body = {
        "query": {"terms": {"dataset_ids": list(dataset_ids)}},
        "size": 10_000,
        "_source": ["pid", "type", "proposal_pk"],
    }
    hits = _search(body)["hits"]["hits"]
    proposals = {h["_source"]["proposal_pk"] for h in hits if h["_source"].get("proposal_pk")}
    papers = {h["_source"]["pid"] for h in hits if h["_source"]["type"] == "publication"}
    return proposals, papers


def update_for_datasets(dataset_ids: list[int]) -> dict:
    """Bring the documents of these datasets up to date: their documents now (database) and
    the ones that held them (index) are recomputed; those left without public datasets go."""
    from panosc import selectors

    try:
        if not get_client().indices.exists_alias(name=alias_name()):
            # Not built yet: Documents come from the database until `manage.py reindex`
            # builds it (make demo and the production scripts do), so nothing to follow.
            return {"indexed": 0, "removed": 0}
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
    ids = sorted(set(dataset_ids))
    proposals, papers = documents_of(ids)
    for keys in selectors._keys_by_dataset(ids).values():
        for kind, value in keys:
            (proposals if kind == "proposal" else papers).add(value)
    docs = selectors.all_documents(proposals=proposals, publications=papers) if (
        proposals or papers) else []  # fmt: skip
    sources = build_documents(docs)
    present = {s["pid"] for s in sources}
    stale = _pids_of(proposals, papers) - present
    actions = list(_actions(alias_name(), sources)) + [
        {"_op_type": "delete", "_index": alias_name(), "_id": pid} for pid in sorted(stale)
    ]
    _bulk(actions, refresh=settings.SEARCH_REFRESH_ON_WRITE)
    return {"indexed": len(sources), "removed": len(stale)}


def _pids_of(proposals: set[int], papers: set[str]) -> set[str]:
    """Pids of these documents as the index holds them."""
    should = []
    if proposals:
        should.append({"terms": {"proposal_pk": sorted(proposals)}})
    if papers:
        should.append({"terms": {"pid": sorted(papers)}})
    if not should:
        return set()
    body = {"query": {"bool": {"should": should}}, "size": 10_000, "_source": ["pid"]}
    return {h["_source"]["pid"] for h in _search(body)["hits"]["hits"]}


# ---------------------------------------------------------------------------- reading --
class NoIndex(Exception):
    """The documents index does not exist (not built yet): the caller uses the database."""


def _search(body: dict, *, missing_ok: bool = True) -> dict:
    try:
        # Overload and server errors become SearchUnavailable, as for the dataset index.
        with unavailable_on_failure():
            return get_client().search(index=alias_name(), body=body).body
    except NotFoundError as exc:
        if missing_ok:
            return {"hits": {"hits": [], "total": {"value": 0}}}
        raise NoIndex() from exc


def _substring(word: str) -> str:
    """A wildcard matching values that contain ``word`` as written (no pattern characters)."""
    return "*" + re.sub(r"([?*\\])", r"\\\1", word) + "*"


def _value(value):
    return value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value


def _test(test: Test, model: str) -> dict:
    if model == "Document" and test.field in CONSTANT_FIELDS:
        holds = _compare(CONSTANT_FIELDS[test.field], test.op, test.value)
        return {"match_all": {}} if holds else {"match_none": {}}
    if test.field == "text":  # Documents only (filter.TEXT_FIELDS): title or summary
        words = [w.lower() for w in str(test.value).split()]
        return {"bool": {"filter": [
            {"bool": {"should": [
                {"wildcard": {f: {"value": _substring(w), "case_insensitive": True}}}
                for f in ("title", "summary")
            ], "minimum_should_match": 1}}
            for w in words
        ]}} if words else {"match_none": {}}  # fmt: skip
    name = FIELD_PREFIX[model] + test.field
    op, value = test.op, test.value
    negated = {"neq": "eq", "nin": "inq", "nlike": "like", "nilike": "ilike"}
    if op in negated:
        return {"bool": {"must_not": [_test(Test(test.field, negated[op], value), model)]}}
    if op == "eq":
        return {"term": {name: _value(value)}}
    if op == "inq":
        return {"terms": {name: [_value(v) for v in value]}}
    if op == "between":
        return {"range": {name: {"gte": _value(value[0]), "lte": _value(value[1])}}}
    if op in ("gt", "gte", "lt", "lte"):
        return {"range": {name: {op: _value(value)}}}
    return {"wildcard": {name: {"value": like_wildcard(str(value)),
                                "case_insensitive": op == "ilike"}}}  # fmt: skip


def where_query(node: WhereNode | None, model: str = "Document") -> dict | None:
    """A where tree of ``model`` (Document, or Member/Person/Affiliation inside members)."""
    if node is None:
        return None
    if isinstance(node, AllOf):
        return {"bool": {"filter": [where_query(c, model) for c in node.children]}}
    if isinstance(node, AnyOf):
        return {"bool": {"should": [where_query(c, model) for c in node.children],
                         "minimum_should_match": 1}}  # fmt: skip
    return _test(node, model)


def members_query(scope) -> dict:
    """Documents with a member passing the scope (its where, and its person/affiliation
    scopes, which need the person or affiliation to be there: selectors._member_matches)."""
    parts = []
    if scope.where is not None:
        parts.append(where_query(scope.where, "Member"))
    for inc in scope.include:
        if not inc.scope.restricts:
            continue
        model = {"person": "Person", "affiliation": "Affiliation"}[inc.relation]
        parts.append({"exists": {"field": f"members.{inc.relation}.id"}})
        if inc.scope.where is not None:
            parts.append(where_query(inc.scope.where, model))
    return {"nested": {"path": "members", "query": {"bool": {"filter": parts}},
                       "score_mode": "none"}}  # fmt: skip


def text_query(text: str) -> tuple[dict, int] | None:
    """``query=``: every word in the title (2) or summary/keywords (1); the score summed is
    ``2 * words * selectors._document_score``. None when the text has no word."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return None
    must = [
        {"dis_max": {"queries": [
            {"constant_score": {"filter": {"term": {"title_words": w}}, "boost": 2.0}},
            {"constant_score": {"filter": {"term": {"rest_words": w}}, "boost": 1.0}},
        ]}}
        for w in words
    ]  # fmt: skip
    return {"bool": {"must": must}}, len(words)


def search(*, filters: list[dict], text: str, start: int, size: int) -> tuple[list, int | None]:
    """(hits as (source, score), total or None) of Documents passing ``filters``, in pid order
    or by score; raises ``NoIndex`` when there is no index yet."""
    query: dict = {"bool": {"filter": filters}}
    words = 0
    if text:
        ranked = text_query(text)
        if ranked is None:
            return [], 0
        query["bool"]["must"] = [ranked[0]]
        words = ranked[1]
    body = {
        "query": query,
        "from": start,
        "size": size,
        "sort": (["_score"] if text else []) + [{"pid": "asc"}],
        "track_total_hits": size == 0,
        "_source": [
            "pid",
            "type",
            "proposal_pk",
            "members",
            "dataset_ids",
            "dataset_pids",
            "object",
        ],
    }
    response = _search(body, missing_ok=False)
    hits = [
        (h["_source"], round((h.get("_score") or 0.0) / (2 * words), 6) if words else 0.0)
        for h in response["hits"]["hits"]
    ]
    total = response["hits"]["total"]["value"] if size == 0 else None
    return hits, total


def dataset_ids_of(filters: list[dict], *, limit: int) -> list[int] | None:
    """The public datasets' ids of every Document passing ``filters`` (None: more than
    ``limit``): one terms aggregation."""
    body = {
        "query": {"bool": {"filter": filters}},
        "size": 0,
        "aggs": {"ids": {"terms": {"field": "dataset_ids", "size": limit + 1}}},
    }
    buckets = _search(body, missing_ok=False)["aggregations"]["ids"]["buckets"]
    if len(buckets) > limit:
        return None
    return sorted(int(b["key"]) for b in buckets)
