"""From datasets to search documents, and keeping the index in step with the database.

* :func:`dataset_to_document` is a pure function of a ``DatasetSnapshot`` and its read
  principals: the one mapping from a dataset to its search document.
* :func:`index_datasets` writes (or removes) documents for some datasets, in bulk and
  idempotently: run it twice and the index is the same. The Celery tasks in
  ``catalogue.tasks`` call it; ``catalogue.search.signals`` queues them when
  ``catalogue.signals.datasets_changed`` says datasets changed (after commit).
* :func:`rebuild_index` builds a fresh versioned index from the database and swaps the alias
  atomically (``manage.py reindex``).

Withdrawn datasets leave the index (they are tombstones, in no one's lists), and so do
datasets that no longer exist.
"""

import datetime
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from elasticsearch import ApiError, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from catalogue.access import dataset_read_principals
from catalogue.models import Dataset, Status
from catalogue.scimeta import ScientificEntry
from catalogue.search import units
from catalogue.search.connection import SearchUnavailable, get_client, replicas_for_new_index
from catalogue.search.documents import TEXT_VALUE_MAX, alias_name, index_body
from catalogue.snapshot import DatasetSnapshot, dataset_snapshot, snapshot_queryset

logger = logging.getLogger(__name__)

SUMMARY_LENGTH = 320
BULK_CHUNK = 500


# --------------------------------------------------------------------------- documents --
def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _text_value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (_text_value(v) for v in value) if t is not None)
    if isinstance(value, dict):
        return None
    return str(value)


def _number(value) -> float | None:
    """A finite float for an int or float (never a bool): ScientificEntry.number's rule."""
    if value.__class__ is bool or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _numbers(value) -> list[float]:
    """The value as numbers: one for a number, several for a list of numbers."""
    number = _number(value)
    if number is not None:
        return [number]
    if isinstance(value, list | tuple):
        return [n for v in value if (n := _number(v)) is not None]
    return []


def _entry_text(value, numbers: list[float]) -> str | None:
    if numbers and (not isinstance(value, list | tuple) or len(numbers) == len(value)):
        return None
    return _text_value(value) or None


def entry_text(value) -> str | None:
    """The text form of a value, for eq/ne/contains on text; None for numbers (and lists of
    numbers), which compare as numbers: indexing their digits again as text would only cost
    (a third of the index's terms)."""
    return _entry_text(value, _numbers(value))


def scientific_entry_document(entry: ScientificEntry) -> dict:
    """One nested entry: key, text, number(s), unit and the SI value and unit (pint)."""
    doc: dict = {"key": entry.key}
    numbers = _numbers(entry.value)
    text = _entry_text(entry.value, numbers)
    if text is not None:
        doc["text"] = text
    if numbers:
        doc["number"] = numbers if len(numbers) > 1 else numbers[0]
    unit = (entry.unit or "").strip()
    if unit:
        doc["unit"] = unit
        si = [s for n in numbers if (s := units.try_to_si(n, unit)) is not None]
        if si:
            doc["si_value"] = [s.value for s in si] if len(si) > 1 else si[0].value
            doc["si_unit"] = si[0].unit
    return doc


SUPPLEMENT_RELATION = "IsSupplementTo"  # DataCite: this dataset supplements that paper


def proposal_key(*, facility_code: str, proposal_id: str) -> str:
    """A proposal's identifier across facilities: ``<facility code>/proposal/<proposal id>``
    (proposal ids are only unique within their facility)."""
    return f"{facility_code}/proposal/{proposal_id}"


def publication_key(identifier: str, identifier_type: str) -> str:
    """A publication's identifier as indexed: DOIs in lower case (DOIs ignore case)."""
    return identifier.lower() if identifier_type == "DOI" else identifier


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def dataset_to_document(snapshot: DatasetSnapshot, principals: Sequence[str]) -> dict:
    """The search document (``_source``) of a dataset. Pure: no database, no clock."""
    creators = [a.name for a in snapshot.creators]
    entries = snapshot.scientific_entries
    scientific_texts = [
        e.value
        for e in entries
        if isinstance(e.value, str) and e.value.strip() and len(e.value) <= TEXT_VALUE_MAX
    ]
    sort_date = snapshot.published_at or snapshot.created_at
    doc = {
        "pid": str(snapshot.pid),
        "pid_order": pid_order(snapshot.pid),
        "doi": snapshot.doi or None,
        "status": snapshot.status,
        "principals": sorted(set(principals)),
        "title": snapshot.title,
        "title_order": title_order(snapshot.title),
        "description": snapshot.description,
        "summary": _summary(snapshot.description),
        "keywords": list(snapshot.keywords),
        "creators": creators,  # the analyser folds accents ("Garcia" finds "García")
        "creator_names": creators,
        "creator_orcids": [a.orcid for a in snapshot.creators if a.orcid],
        "facility": snapshot.facility.name if snapshot.facility else None,
        "facility_code": snapshot.facility.code if snapshot.facility else None,
        "facility_short_name": (
            (snapshot.facility.short_name or snapshot.facility.name) if snapshot.facility else None
        ),
        "instrument": snapshot.instrument.name if snapshot.instrument else None,
        "instrument_code": snapshot.instrument.code if snapshot.instrument else None,
        "instrument_pid": (snapshot.instrument.pid or None) if snapshot.instrument else None,
        "techniques": [t.label for t in snapshot.techniques],
        "technique_iris": [t.iri for t in snapshot.techniques],
        "proposal_id": snapshot.proposal.proposal_id if snapshot.proposal else None,
        "proposal_title": snapshot.proposal.title if snapshot.proposal else None,
        "proposal_pid": proposal_key(
            facility_code=snapshot.proposal.facility_code, proposal_id=snapshot.proposal.proposal_id
        )
        if snapshot.proposal and snapshot.proposal.facility_code
        else None,
        "supplement_to": sorted(
            {
                publication_key(r.identifier, r.identifier_type)
                for r in snapshot.related_identifiers
                if r.relation_type == SUPPLEMENT_RELATION
            }
        ),
        "sample": " ".join(p for p in (snapshot.sample_name, snapshot.sample_description) if p),
        "sample_name": snapshot.sample_name or None,
        "scientific_text": scientific_texts,
        "resource_type": snapshot.resource_type_general or None,
        "resource_type_specific": snapshot.resource_type or None,
        "license": snapshot.licence.spdx if snapshot.licence else None,
        "publication_year": snapshot.publication_year,
        "has_doi": bool(snapshot.doi),
        "superseded": snapshot.superseded,
        "concept_pid": str(snapshot.versions.concept_pid) if snapshot.versions else None,
        "sort_date": _iso(sort_date),
        "published_at": _iso(snapshot.published_at),
        "created_at": _iso(snapshot.created_at),
        "updated_at": _iso(snapshot.updated_at),
        "collection_start": _iso(snapshot.collection_start),
        "collection_end": _iso(snapshot.collection_end),
        "embargo_until": _iso(snapshot.embargo_until),
        "file_count": snapshot.file_count,
        "total_size": snapshot.total_size,
        "scientific": [scientific_entry_document(e) for e in entries],
        "scientific_keys": sorted({e.key for e in entries}),
        "record": {
            "scientific_metadata": snapshot.scientific_metadata or {},
            "sample_description": snapshot.sample_description or "",
        },
    }
    return doc


TITLE_ORDER_CHARS = 9  # x 7 bits = 63 bits: a positive long


def title_order(title: str) -> int:
    """The lower-cased title's first nine characters packed into a number that sorts like the
    ``title.sort`` keyword (code point order; anything beyond ASCII counts as the highest,
    as its UTF-8 bytes do). Ties are broken by the keyword itself."""
    value = 0
    for ch in title.lower()[:TITLE_ORDER_CHARS].ljust(TITLE_ORDER_CHARS, "\0"):
        value = (value << 7) | min(ord(ch), 127)
    return value


def pid_order(pid) -> int:
    """A positive 60-bit number ordered like the pid (its first 15 hex digits)."""
    return int(pid.hex[:15], 16)


def document_version(snapshot: DatasetSnapshot) -> int | None:
    """External version (ms since the epoch of the last change): an older write never wins."""
    if snapshot.updated_at is None:
        return None
    return int(snapshot.updated_at.timestamp() * 1000)


def is_indexable(dataset: Dataset) -> bool:
    """Withdrawn datasets are tombstones: in no one's lists, so not in the index."""
    return dataset.status != Status.WITHDRAWN


# ---------------------------------------------------------------------------- writing --
@dataclass
class IndexReport:
    indexed: int = 0
    removed: int = 0
    skipped: int = 0  # an equal or newer version was already there


def _index_action(dataset: Dataset, index: str) -> dict:
    snapshot = dataset_snapshot(dataset)
    action = {
        "_op_type": "index",
        "_index": index,
        "_id": str(dataset.pk),
        "_source": dataset_to_document(snapshot, dataset_read_principals(dataset)),
    }
    version = document_version(snapshot)
    if version is not None:
        action["version"] = version
        action["version_type"] = "external_gte"
    return action


def dataset_actions(dataset_ids: Iterable[int], index: str) -> Iterator[dict]:
    """Bulk actions for these datasets: index what may be shown, delete everything else."""
    ids = sorted(set(dataset_ids))
    found = {d.pk: d for d in snapshot_queryset().filter(pk__in=ids)}
    for pk in ids:
        dataset = found.get(pk)
        if dataset is not None and is_indexable(dataset):
            yield _index_action(dataset, index)
        else:
            yield {"_op_type": "delete", "_index": index, "_id": str(pk)}


def _run_bulk(actions: Iterable[dict], *, refresh: bool = False) -> IndexReport:
    report = IndexReport()
    client = get_client()
    try:
        for ok, item in streaming_bulk(
            client,
            actions,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            raise_on_exception=True,
            refresh=refresh,
        ):
            op, result = next(iter(item.items()))
            status = result.get("status")
            if ok and op == "delete":
                report.removed += 1
            elif ok:
                report.indexed += 1
            elif op == "delete" and status == 404:
                report.removed += 1  # already gone: the goal is reached
            elif status == 409:
                report.skipped += 1  # a newer version is indexed already
            else:
                raise SearchUnavailable(
                    f"Elasticsearch refused {op} of {result.get('_id')}: {result.get('error')}"
                )
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
    return report


def index_datasets(*, dataset_ids: Iterable[int], refresh: bool | None = None) -> IndexReport:
    """Bring these datasets' documents up to date in the live index (via the alias)."""
    ensure_index()
    refresh = settings.SEARCH_REFRESH_ON_WRITE if refresh is None else refresh
    return _run_bulk(dataset_actions(dataset_ids, alias_name()), refresh=refresh)


# -------------------------------------------------------------------------- the index --
def new_index_name() -> str:
    return f"{alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def refresh_interval() -> str:
    """PORTAL_ELASTICSEARCH_REFRESH_INTERVAL for new indices ("": Elasticsearch's default)."""
    return settings.ELASTICSEARCH_REFRESH_INTERVAL.strip()


def create_index(name: str, *, bulk_load: bool = False) -> None:
    client = get_client()
    body = index_body()
    # One replica on a cluster: a node may die without losing documents or answers.
    body["settings"] = {**body["settings"], "number_of_replicas": replicas_for_new_index(client)}
    if refresh_interval():
        body["settings"]["refresh_interval"] = refresh_interval()
    if bulk_load:
        # Loading from scratch: no refreshes until the end (Elasticsearch's advice for bulk loads).
        body["settings"] = {**body["settings"], "refresh_interval": "-1"}
    try:
        client.indices.create(index=name, **body)
    except ApiError as exc:
        # The client retries a request that timed out on another node; if the first try had
        # created this (freshly named, so ours) index, the retry finds it: that is success.
        if exc.meta.status != 400 or exc.error != "resource_already_exists_exception":
            raise


def ensure_index() -> None:
    """Create an empty versioned index behind the alias if there is none yet."""
    client = get_client()
    alias = alias_name()
    try:
        if client.indices.exists_alias(name=alias):
            return
        if client.indices.exists(index=alias):
            return  # a plain index of that name (from an older layout): still writable
        name = new_index_name()
        create_index(name)
        client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch is unreachable: {exc}") from exc
    except ApiError as exc:
        if exc.meta.status == 400 and "already exists" in str(exc):
            return  # another process created it at the same moment
        raise


def _indices_behind_alias() -> list[str]:
    client = get_client()
    try:
        return sorted(client.indices.get_alias(name=alias_name()).body)
    except NotFoundError:
        return []


def swap_alias(new_index: str) -> list[str]:
    """Point the alias at ``new_index`` in one atomic step; return the indices it left."""
    client = get_client()
    alias = alias_name()
    old = _indices_behind_alias()
    actions: list[dict] = [{"remove": {"index": name, "alias": alias}} for name in old]
    if not old and client.indices.exists(index=alias):
        actions.append({"remove_index": {"index": alias}})  # a plain index in the way
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return [name for name in old if name != new_index]


def _indexable() -> "QuerySet[Dataset]":
    return Dataset.objects.exclude(status=Status.WITHDRAWN)


def indexable_count() -> int:
    return _indexable().count()


def indexable_ids() -> Iterator[int]:
    return _indexable().order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)


@dataclass
class RebuildReport:
    index: str
    indexed: int
    caught_up: int
    deleted_indices: list[str]


def rebuild_index(
    *, batch_size: int = BULK_CHUNK, progress: Callable[[int], None] | None = None
) -> RebuildReport:
    """Build a new index from the database, swap the alias to it, delete the old ones.

    Changes made while it runs go to the old index; they are replayed into the new one after
    the swap (everything updated since the start), so nothing is lost.
    """
    client = get_client()
    started = timezone.now()
    name = new_index_name()
    create_index(name, bulk_load=True)
    indexed = 0

    def actions() -> Iterator[dict]:
        nonlocal indexed
        batch: list[int] = []
        for pk in indexable_ids():
            batch.append(pk)
            if len(batch) >= batch_size:
                yield from dataset_actions(batch, name)
                indexed += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            yield from dataset_actions(batch, name)
            indexed += len(batch)
            if progress:
                progress(len(batch))

    try:
        _run_bulk(actions())
        # Back to the configured interval (None: Elasticsearch's default).
        client.indices.put_settings(
            index=name, settings={"index": {"refresh_interval": refresh_interval() or None}}
        )
        client.indices.refresh(index=name)
        left = swap_alias(name)
    except BaseException:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    changed = list(Dataset.objects.filter(updated_at__gte=started).values_list("pk", flat=True))
    caught_up = index_datasets(dataset_ids=changed).indexed if changed else 0
    # Also drop versioned indices left behind by interrupted rebuilds.
    stale = set(left) | {
        n
        for n in client.indices.get(index=f"{alias_name()}-*", expand_wildcards="open").body
        if n != name
    }
    for old in sorted(stale):
        client.indices.delete(index=old, ignore_unavailable=True)
    return RebuildReport(
        index=name, indexed=indexed, caught_up=caught_up, deleted_indices=sorted(stale)
    )


def apply_index_settings() -> list[str]:
    """Give the live index (behind the alias) the configured dynamic settings without a
    rebuild (``manage.py reindex --settings-only``): today the refresh interval, back to
    Elasticsearch's default when none is configured. Returns the indices changed (none
    when there is no index yet: the first index gets them when it is made)."""
    names = _indices_behind_alias()
    if names:
        get_client().indices.put_settings(
            index=",".join(names),
            settings={"index": {"refresh_interval": refresh_interval() or None}},
        )
    return names


def drop_index() -> None:
    """Delete the alias and every index behind it (tests, and ``reindex --drop``)."""
    client = get_client()
    for name in _indices_behind_alias():
        client.indices.delete(index=name, ignore_unavailable=True)
    client.indices.delete(index=f"{alias_name()}-*", ignore_unavailable=True)
