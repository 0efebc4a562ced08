"""Reads of the OAI-PMH provider: which records exist, in (datestamp, identifier) order.

The records are exactly the datasets the one access gate shows anonymous users
(``catalogue.access.datasets_public``), plus every dataset that was once public and no longer
is (``published_at`` is set on publication and kept): those are deleted records, forever
(``deletedRecord=persistent``). Datasets whose row was deleted outright live on in
:class:`oaipmh.models.DeletedRecord`.

The datestamp is ``catalogue.models.dataset.RECORD_CHANGED_AT`` (the withdrawal time of a
withdrawn dataset, the last save otherwise); lists are paged with a keyset on
(datestamp, pid), served by the ``dataset_record_changed`` index, so page 10,000 of a
million-record harvest costs what page 1 does.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet

from catalogue.access import datasets_public
from catalogue.models import (
    Contributor,
    Creator,
    Dataset,
    Facility,
    FundingReference,
    Instrument,
    RelatedIdentifier,
    Technique,
)
from catalogue.models.dataset import RECORD_CHANGED_AT
from catalogue.snapshot import DatasetSnapshot, dataset_snapshot
from oaipmh.models import DeletedRecord
from oaipmh.sets import (
    FACILITY,
    FAMILIES,
    INSTRUMENT,
    RESOURCE_TYPE,
    TECHNIQUE,
    SetInfo,
    dataset_set_filter,
    panet_id,
    record_set_specs,
)

# The reverse relations a snapshot reads (catalogue.snapshot.snapshot_queryset).
_RELATED = {
    "creators": Creator,
    "contributors": Contributor,
    "related_identifiers": RelatedIdentifier,
    "funding_references": FundingReference,
}


@dataclass(frozen=True)
class Item:
    """One OAI-PMH item as a header: enough to write <header> and find its metadata."""

    pid: uuid.UUID
    datestamp: datetime.datetime  # exact (microseconds); shown in seconds
    deleted: bool
    set_specs: tuple[str, ...]
    has_doi: bool
    dataset_id: int | None  # None for a DeletedRecord

    @property
    def key(self) -> tuple[datetime.datetime, uuid.UUID]:
        return (self.datestamp, self.pid)


@dataclass(frozen=True)
class ListQuery:
    """The selection of a ListIdentifiers/ListRecords harvest."""

    set_spec: str | None = None
    lower: datetime.datetime | None = None  # inclusive
    upper: datetime.datetime | None = None  # inclusive
    requires_doi: bool = False  # DataCite formats need a DOI (kernel-4 identifier)
    deleted_rows: bool = True  # look in DeletedRecord too


def _public() -> QuerySet:
    """What the access gate shows anonymous users: the live records."""
    return datasets_public(Dataset.objects.all())


def _once_public() -> QuerySet:
    """Every dataset that was ever published (and so ever disseminated)."""
    return Dataset.objects.filter(published_at__isnull=False)


def _streams() -> list[tuple[QuerySet, bool]]:
    """The two sources of dataset records, each with whether its members are live.

    A record is live if the gate shows it, deleted if it was once published but the gate no
    longer shows it. The two overlap (most published datasets are in both); lists merge them
    in key order and keep one item per dataset, live if either says so. Keeping them apart
    lets each page query use the (datestamp, pid) index instead of evaluating the gate as a
    subquery per row.
    """
    return [(_public(), True), (_once_public(), False)]


def _filtered(qs: QuerySet, query: ListQuery) -> QuerySet | None:
    qs = qs.annotate(oai_datestamp=RECORD_CHANGED_AT).order_by()
    if query.set_spec:
        set_filter = dataset_set_filter(query.set_spec)
        if set_filter is None:
            return None
        qs = qs.filter(set_filter)
    if query.lower is not None:
        qs = qs.filter(oai_datestamp__gte=query.lower)
    if query.upper is not None:
        qs = qs.filter(oai_datestamp__lte=query.upper)
    if query.requires_doi:
        qs = qs.filter(doi__isnull=False)
    return qs


def _selected_deleted(query: ListQuery) -> QuerySet:
    # A row deleted and later restored (same pid) is a dataset again, not a deleted record.
    qs = DeletedRecord.objects.filter(~Exists(Dataset.objects.filter(pid=OuterRef("pid"))))
    if query.set_spec:
        qs = qs.filter(
            Q(set_specs__contains=f" {query.set_spec} ")
            | Q(set_specs__contains=f" {query.set_spec}:")
        )
    if query.lower is not None:
        qs = qs.filter(datestamp__gte=query.lower)
    if query.upper is not None:
        qs = qs.filter(datestamp__lte=query.upper)
    if query.requires_doi:
        qs = qs.exclude(doi="")
    return qs.order_by("datestamp", "pid")


def _technique_iris(dataset_ids: Iterable[int]) -> dict[int, list[str]]:
    iris: dict[int, list[str]] = defaultdict(list)
    rows = Dataset.techniques.through.objects.filter(dataset_id__in=list(dataset_ids))
    for dataset_id, iri in rows.values_list("dataset_id", "technique__iri"):
        iris[dataset_id].append(iri)
    return iris


_ROW_FIELDS = (
    "id",
    "pid",
    "oai_datestamp",
    "facility__code",
    "instrument__code",
    "resource_type_general",
    "doi",
)


def _dataset_items(rows: list[tuple], *, live: set[int] | bool) -> list[Item]:
    """Items from rows of _ROW_FIELDS; ``live``: all live, none, or the live ids."""
    iris = _technique_iris(row[0] for row in rows)
    return [
        Item(
            pid=pid,
            datestamp=datestamp,
            deleted=not (live if isinstance(live, bool) else pk in live),
            set_specs=tuple(
                record_set_specs(
                    facility_code=facility,
                    instrument_code=instrument,
                    technique_iris=iris.get(pk, ()),
                    resource_type_general=rtype,
                )
            ),
            has_doi=bool(doi),
            dataset_id=pk,
        )
        for pk, pid, datestamp, facility, instrument, rtype, doi in rows
    ]


def _deleted_item(record: DeletedRecord) -> Item:
    return Item(
        pid=record.pid,
        datestamp=record.datestamp,
        deleted=True,
        set_specs=tuple(record.set_spec_list),
        has_doi=bool(record.doi),
        dataset_id=None,
    )


def _after(qs: QuerySet, field: str, after: tuple[datetime.datetime, uuid.UUID] | None):
    """Keyset condition (datestamp, pid) > after, written so that the index range applies."""
    if after is None:
        return qs
    at, pid = after
    return qs.filter(**{f"{field}__gte": at}).filter(Q(**{f"{field}__gt": at}) | Q(pid__gt=pid))


def items_page(
    query: ListQuery, *, after: tuple[datetime.datetime, uuid.UUID] | None, limit: int
) -> tuple[list[Item], bool]:
    """Up to ``limit`` items after the key ``after``, and whether more follow.

    Each source gives its first limit+1 rows after the key (an index range scan); merged in
    key order, one per dataset, they hold the first limit+1 items of the union.
    """
    rows: dict[int, tuple] = {}
    live: set[int] = set()
    for source, is_live in _streams():
        qs = _filtered(source, query)
        if qs is None:
            continue
        page = _after(qs, "oai_datestamp", after).order_by("oai_datestamp", "pid")
        for row in page.values_list(*_ROW_FIELDS)[: limit + 1]:
            rows[row[0]] = row
            if is_live:
                live.add(row[0])
    ordered = sorted(rows.values(), key=lambda row: (row[2], row[1]))[: limit + 1]
    items = _dataset_items(ordered, live=live)
    if query.deleted_rows:
        deleted = _after(_selected_deleted(query), "datestamp", after)
        items += [_deleted_item(r) for r in deleted[: limit + 1]]
    items.sort(key=lambda item: item.key)
    return items[:limit], len(items) > limit


def items_count(query: ListQuery) -> int:
    """How many items the list holds now (completeListSize; counted once per harvest).

    Every once-published dataset, plus those the gate shows without a publication date
    (normally none; the published_at index answers that at once).
    """
    once = _filtered(_once_public(), query)
    if once is None:
        count = 0
    else:
        unpublished_live = _filtered(_public().filter(published_at__isnull=True), query)
        count = once.count() + unpublished_live.count()
    if query.deleted_rows:
        count += _selected_deleted(query).count()
    return count


def items_count_shared(query: ListQuery, *, open_ended: bool) -> int:
    """items_count, shared between harvests of the same selection for a short time.

    Every harvest's first response counts its list (an index-only scan of every public row,
    ~50 ms at 100,000 records). Harvesters start again and again with the same arguments, so
    the count is kept in the shared cache for PORTAL_OAI_LIST_SIZE_CACHE_SECONDS (0: count
    every time). ``open_ended``: the list runs up to the harvest's start (no ``until``, or one
    in the future), so the key leaves the upper bound out. completeListSize may be approximate
    (OAI-PMH 2.0 §3.5); the caller still never announces fewer items than it sent.
    """
    ttl = settings.OAI_LIST_SIZE_CACHE_SECONDS
    if ttl <= 0:
        return items_count(query)
    parts = (
        query.set_spec,
        query.lower.isoformat() if query.lower else None,
        None if open_ended or query.upper is None else query.upper.isoformat(),
        query.requires_doi,
        query.deleted_rows,
    )
    key = "oai:list-size:" + "|".join("" if p is None else str(p) for p in parts)
    size = cache.get(key)
    if size is None:
        size = items_count(query)
        cache.set(key, size, ttl)
    return size


def deleted_rows_exist() -> bool:
    return DeletedRecord.objects.exists()


def live_items(dataset_ids: Iterable[int], *, requires_doi: bool = False) -> list[Item]:
    """The live records among these datasets (the ones a harvest shows with metadata)."""
    qs = _filtered(_public(), ListQuery(requires_doi=requires_doi))
    rows = list(qs.filter(pk__in=list(dataset_ids)).values_list(*_ROW_FIELDS))
    return _dataset_items(rows, live=True)


def item_by_pid(pid: uuid.UUID) -> Item | None:
    for source, live in _streams():
        rows = list(_filtered(source, ListQuery()).filter(pid=pid).values_list(*_ROW_FIELDS))
        if rows:
            return _dataset_items(rows, live=live)[0]
    record = DeletedRecord.objects.filter(pid=pid).first()
    return _deleted_item(record) if record else None


def snapshots_by_id(dataset_ids: Iterable[int]) -> dict[int, DatasetSnapshot]:
    """The metadata of a batch of items, in six queries, built by ``dataset_snapshot``.

    The same rows ``snapshot_queryset`` prefetches, fetched in bulk and handed to the
    datasets' prefetch caches directly: Django's prefetch_related builds a filtered queryset
    per dataset and relation, which doubled the cost of a ListRecords page. Ordering is the
    one snapshot_queryset uses; tests/oaipmh/test_selectors.py keeps the two equal.
    """
    ids = list(dataset_ids)
    datasets = list(
        Dataset.objects.filter(pk__in=ids).select_related(
            "facility", "instrument", "beamtime", "beamtime__proposal"
        )
    )
    caches: dict[int, dict[str, list]] = {
        ds.pk: {name: [] for name in (*_RELATED, "techniques")} for ds in datasets
    }
    for name, model in _RELATED.items():
        for row in model.objects.filter(dataset_id__in=ids):  # in Meta.ordering
            caches[row.dataset_id][name].append(row)
    techniques = (
        Technique.objects.filter(datasets__in=ids)
        .annotate(oai_dataset_id=F("datasets__id"))
        .only("iri", "label")
        .order_by("label", "pk")
    )
    for t in techniques:
        caches[t.oai_dataset_id]["techniques"].append(t)
    snapshots = {}
    for ds in datasets:
        ds._prefetched_objects_cache = caches[ds.pk]
        snapshots[ds.pk] = dataset_snapshot(ds)
    return snapshots


def earliest_datestamp() -> datetime.datetime | None:
    """The smallest datestamp of any record, for Identify (§4.2)."""
    candidates = [
        _filtered(source, ListQuery())
        .order_by("oai_datestamp")
        .values_list("oai_datestamp", flat=True)
        .first()
        for source, _ in _streams()
    ]
    candidates.append(DeletedRecord.objects.aggregate(first=Min("datestamp"))["first"])
    candidates = [d for d in candidates if d is not None]
    return min(candidates) if candidates else None


def sample_pid() -> uuid.UUID | None:
    return _public().order_by("published_at", "pk").values_list("pid", flat=True).first()


def _techniques_in_records() -> list[Technique]:
    """Techniques of at least one record. Asked technique by technique (an index probe that
    stops at the first match each): one join over every link costs seconds at 1M records."""
    links = Dataset.techniques.through.objects
    linked = Technique.objects.filter(Exists(links.filter(technique_id=OuterRef("pk"))))
    used = []
    for technique in linked.order_by("label"):
        mine = links.filter(technique_id=technique.pk)
        public = _public().filter(pk=OuterRef("dataset_id"))
        if (
            mine.filter(dataset__published_at__isnull=False).exists()
            or mine.filter(Exists(public)).exists()
        ):
            used.append(technique)
    return used


def oai_sets() -> list[SetInfo]:
    """Every set, parents first (§4.6): all facilities and instruments, and the techniques and
    resource types that occur in at least one record."""
    specs_in_deleted = {
        spec
        for specs in DeletedRecord.objects.values_list("set_specs", flat=True)
        for spec in specs.split()
    }
    sets: list[SetInfo] = []

    sets.append(SetInfo(FACILITY, *FAMILIES[FACILITY]))
    for facility in Facility.objects.order_by("code"):
        about = " ".join(p for p in (facility.description, facility.ror, facility.url) if p)
        sets.append(SetInfo(f"{FACILITY}:{facility.code}", facility.name, about))

    sets.append(SetInfo(INSTRUMENT, *FAMILIES[INSTRUMENT]))
    for instrument in Instrument.objects.select_related("facility").order_by("code"):
        about = " ".join(p for p in (instrument.description, instrument.pid, instrument.url) if p)
        name = f"{instrument.name} ({instrument.facility.short_name or instrument.facility.name})"
        sets.append(SetInfo(f"{INSTRUMENT}:{instrument.code}", name, about))

    sets.append(SetInfo(TECHNIQUE, *FAMILIES[TECHNIQUE]))
    techniques = {t.panet_id: t for t in _techniques_in_records()}
    deleted_ids = {s.split(":", 1)[1] for s in specs_in_deleted if s.startswith(TECHNIQUE + ":")}
    for extra in deleted_ids - set(techniques):
        match = Technique.objects.filter(iri__endswith="/" + extra).first()
        if match:
            techniques[extra] = match
    for ident in sorted(techniques):
        technique = techniques[ident]
        about = " ".join(p for p in (technique.definition, technique.iri) if p)
        sets.append(SetInfo(f"{TECHNIQUE}:{panet_id(technique.iri)}", technique.label, about))

    sets.append(SetInfo(RESOURCE_TYPE, *FAMILIES[RESOURCE_TYPE]))
    types = set(
        _once_public().order_by().values_list("resource_type_general", flat=True).distinct()
    )
    unpublished_live = _public().filter(published_at__isnull=True).order_by()
    types |= set(unpublished_live.values_list("resource_type_general", flat=True).distinct())
    types |= {s.split(":", 1)[1] for s in specs_in_deleted if s.startswith(RESOURCE_TYPE + ":")}
    for rtype in sorted(t for t in types if t):
        about = f"Records whose DataCite resourceTypeGeneral is {rtype}."
        sets.append(SetInfo(f"{RESOURCE_TYPE}:{rtype}", rtype, about))
    return sets
