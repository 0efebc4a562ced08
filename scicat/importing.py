"""Import from a SciCat (DESY's ETL): published datasets, upserted by SciCat pid.

``import_datasets(items, …)`` takes SciCat datasets as ``GET /api/v3/Datasets`` returns them
(with ``origdatablocks``) and, per record in one transaction (never half a record):

* creates it (``catalogue.services.datasets.dataset_create`` as the system) or updates it
  (``dataset_update``; a write that changes nothing writes nothing), replaces its file list
  when the source's differs (``catalogue.services.files``), keeps the SciCat fields on
  ``ScicatRecord``;
* publishes what was published at the source through the lifecycle transitions (importing
  is the operator's decision), keeping a DOI the source already has (its PublishedData);
* answers ``created`` / ``updated`` / ``unchanged`` / ``rejected`` (with the reason).

Sources: :class:`HttpSource` (a SciCat API, e.g. another portal's ``/scicat/api/v3``) and
:func:`file_items` (a JSON export). ``import_scicat`` and the Celery beat task call
:func:`run_import`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import multiprocessing
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone

from catalogue.models import AlternateIdentifier, DataFile, Dataset, Instrument, Status
from catalogue.services import lifecycle
from catalogue.services.datasets import dataset_create, dataset_update, datasets_create_many
from catalogue.services.errors import DatasetInputError
from catalogue.services.files import dataset_files_replace
from scicat.mapping import (
    SCICAT_PID_TYPE,
    ScicatInputError,
    check_fields,
    instrument_code,
    kept_fields,
    normalise,
    portal_data,
    proposal_reference,
)
from scicat.models import ScicatRecord
from scicat.services import (
    block_record,
    datablock_files,
    dataset_for_scicat_pid,
    ensure_groups,
    translate,
)

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
# Part of every record's source hash: bump it when the mapping changes what an import writes,
# so the next run imports every record again instead of skipping it as unchanged.
IMPORT_MAPPING_VERSION = 1
# A draft whose source published it moves to published in one step: the lifecycle's system
# move "imported as published" (lifecycle.dataset_import_published, datasets_move_as_system).
# A record here in review (a person works on it) goes the people's way, one move at a time.
_TO_PUBLISHED = {
    Status.DRAFT: lifecycle.dataset_import_published,
    Status.CHANGES_REQUESTED: lifecycle.dataset_submit,
    Status.SUBMITTED: lifecycle.dataset_start_review,
    Status.IN_REVIEW: lifecycle.dataset_approve,
    Status.APPROVED: lifecycle.dataset_publish,
}


@dataclass
class ImportSummary:
    counts: Counter = field(default_factory=Counter)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (pid, reason)

    def add(self, outcome: str, pid: str, reason: str = "") -> None:
        self.counts[outcome] += 1
        if outcome == REJECTED:
            self.rejected.append((pid, reason))

    def line(self) -> str:
        return ", ".join(f"{self.counts[k]} {k}" for k in (CREATED, UPDATED, UNCHANGED, REJECTED))


@dataclass(frozen=True)
class Published:
    """What a source's PublishedData says about a dataset."""

    doi: str = ""
    publisher: str = ""
    year: int | None = None


def _year(*values) -> int | None:
    for value in values:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
            return int(value[:4])
    return None


def _files(item: dict) -> tuple[list[dict], list[dict]]:
    """(files for the files service, block records) from the item's origdatablocks."""
    files, blocks, seen = [], [], set()
    for i, block in enumerate(item.get("origdatablocks") or []):
        if not isinstance(block, dict):
            raise ScicatInputError({f"origdatablocks[{i}]": ["Must be an object."]})
        body = {k: v for k, v in block.items() if k != "datasetId"}
        try:
            block_files, extras, chk_alg = datablock_files(body)
        except ScicatInputError as exc:
            raise ScicatInputError(
                {f"origdatablocks[{i}].{k}": v for k, v in exc.errors.items()}
            ) from None
        fresh = [f for f in block_files if f["path"] not in seen]
        seen.update(f["path"] for f in fresh)
        files.extend(fresh)
        blocks.append(
            block_record(
                files=block_files,
                extras=extras,
                chk_alg=chk_alg,
                block_id=str(block.get("_id") or block.get("id") or f"{item['pid']}-{i}"),
                # stable across runs: an unchanged source compares equal
                created_at=block.get("createdAt")
                or item.get("createdAt")
                or item.get("creationTime"),
            )
        )
    return files, blocks


def _file_state(files: Iterable) -> set[tuple]:
    return {(f["path"], f["size"], f.get("checksum", "") or "") for f in files}


class _Instruments:
    """Instrument lookups of one import run, remembered (10,000 records name a dozen)."""

    def __init__(self) -> None:
        self.codes: dict[tuple, str | None] = {}
        self.publishers: dict[str, str] = {}
        self.proposals: dict[tuple, tuple[str, str] | None] = {}

    def proposal(self, refs: list) -> tuple[str, str] | None:
        key = tuple(r for r in refs if isinstance(r, str))
        if key not in self.proposals:
            self.proposals[key] = proposal_reference(list(key))
        return self.proposals[key]

    def code(self, refs: list) -> str | None:
        key = tuple(r for r in refs if isinstance(r, str))
        if key not in self.codes:
            self.codes[key] = instrument_code(list(key))
        return self.codes[key]

    def publisher(self, fields: dict, found: Published) -> str:
        """PublishedData's publisher, else the instrument's facility, else this portal."""
        if found.publisher:
            return found.publisher
        code = self.code([*list(fields.get("instrumentIds") or []), fields.get("creationLocation")])
        if code is None:
            return settings.SITE_NAME
        if code not in self.publishers:
            inst = Instrument.objects.select_related("facility").get(code=code)
            self.publishers[code] = inst.facility.name
        return self.publishers[code]


def _publish(dataset: Dataset) -> None:
    while dataset.status != Status.PUBLISHED:
        move = _TO_PUBLISHED.get(dataset.status)
        if move is None:
            raise lifecycle.TransitionError(
                f"The record here is {Status(dataset.status).label.lower()}; it is not republished."
            )
        dataset = move(dataset=dataset, actor=None, comment="Published at the SciCat source.")


def source_hash(item: Any, published: Published | None) -> str:
    """What a rerun compares: the source record as given, what its PublishedData says, and
    the settings and code version that map it (a change of any of them imports again)."""
    material = {
        "item": item,
        "published": dataclasses.asdict(published or Published()),
        "map": [list(p) for p in settings.SCICAT_SOURCE_FOLDER_MAP],
        "version": IMPORT_MAPPING_VERSION,
    }
    raw = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def import_record(
    item: Any,
    *,
    published: Published | None = None,
    dry_run: bool = False,
    instruments: _Instruments | None = None,
):
    """Import one SciCat dataset; returns (outcome, pid, reason). All or nothing."""
    instruments = instruments or _Instruments()
    pid = item.get("pid") if isinstance(item, dict) else None
    if not isinstance(pid, str) or not pid:
        return REJECTED, str(pid), "pid: a SciCat dataset without a pid cannot be upserted."
    found = published or Published()
    try:
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    outcome, dataset = _import(item, pid, found, instruments)
                    # Last, so the record's updated_at is after every write to the dataset: a
                    # rerun finding this hash and no later change of the dataset skips it.
                    ScicatRecord.objects.filter(dataset=dataset).update(
                        source_hash=source_hash(item, published), updated_at=timezone.now()
                    )
                    if dry_run:
                        transaction.set_rollback(True)
                break
            except (IntegrityError, OperationalError) as exc:
                # A concurrent import (another --jobs worker, or a second run) wrote the same
                # record or name first: once more sees its row and updates it instead.
                if not _retryable(exc):
                    raise
                if attempt == 2:
                    return REJECTED, pid, f"a concurrent write clashed twice: {exc}"
    except ScicatInputError as exc:
        return REJECTED, pid, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
    except DatasetInputError as exc:
        return REJECTED, pid, str(translate(exc))
    except lifecycle.TransitionError as exc:
        return REJECTED, pid, str(exc)
    return outcome, pid, ""


def _portal_record(fields: dict, found: Published, instruments: _Instruments) -> dict:
    """The catalogue record (the writer's input) of a normalised SciCat dataset."""
    data = portal_data(
        fields, resolve_instrument=instruments.code, resolve_proposal=instruments.proposal
    )
    lifecycle_info = fields.get("datasetlifecycle") or {}
    data["publication_year"] = found.year or _year(
        lifecycle_info.get("publishedOn"),
        lifecycle_info.get("dateOfPublishing"),
        fields.get("creationTime"),
    )
    data["publisher"] = instruments.publisher(fields, found)
    if found.doi:
        data["doi"] = found.doi
    return data


def _import(item: dict, pid: str, found: Published, instruments: _Instruments) -> tuple:
    check_fields(item, version="v3", create=False)
    fields = normalise(item, version="v3")
    fields.setdefault("type", "raw")
    is_published = bool(fields.get("isPublished"))
    ensure_groups([fields.get("ownerGroup"), *list(fields.get("accessGroups") or [])])
    files, blocks = _files(item)
    data = _portal_record(fields, found, instruments)
    kept = kept_fields(fields)
    existing = dataset_for_scicat_pid(pid)
    if (
        existing is not None
        and not existing.alternate_identifiers.filter(
            identifier_type=SCICAT_PID_TYPE, identifier=pid
        ).exists()
    ):
        existing = None  # a portal UUID that happens to equal the pid: not ours to update
    if existing is None:
        data["alternate_identifiers"] = [{"identifier": pid, "type": SCICAT_PID_TYPE}]
        dataset = dataset_create(data=data, actor=None)
        if files:
            dataset_files_replace(dataset=dataset, files=files, actor=None, max_files=None)
        ScicatRecord.objects.create(
            dataset=dataset, type=fields["type"], fields=kept, origdatablocks=blocks
        )
        if is_published:
            _publish(dataset)
        return CREATED, dataset

    dataset = dataset_update(dataset=existing, data=data, actor=None)
    changed = bool(dataset.changed_fields)
    stored = DataFile.objects.filter(dataset=dataset).values("path", "size", "checksum")
    if _file_state(stored) != _file_state(files):
        dataset_files_replace(dataset=dataset, files=files, actor=None, max_files=None)
        changed = True
    record = ScicatRecord.objects.filter(dataset=dataset).first()
    if record is None:
        record = ScicatRecord(dataset=dataset)
    if (record.type, record.fields, record.origdatablocks) != (fields["type"], kept, blocks):
        record.type, record.fields, record.origdatablocks = fields["type"], kept, blocks
        record.save()
        changed = True
    if is_published and dataset.status != Status.PUBLISHED:
        _publish(Dataset.objects.get(pk=dataset.pk))
        changed = True
    return (UPDATED if changed else UNCHANGED), dataset


CHUNK = 500  # new records created (and published) together in one transaction


def _known(pids: list[str]) -> dict[str, tuple]:
    """SciCat pid -> (stored hash, dataset changed since the import's last write) for the
    records of these pids that exist here, in one query."""
    rows = AlternateIdentifier.objects.filter(
        identifier_type=SCICAT_PID_TYPE, identifier__in=pids
    ).values_list("identifier", "dataset__scicat__source_hash", "dataset__updated_at",
                  "dataset__scicat__updated_at")  # fmt: skip
    return {
        pid: (stored or "", bool(rec_at is None or ds_at > rec_at))
        for pid, stored, ds_at, rec_at in rows
    }


def _uuid_like(pid: str) -> bool:
    try:
        uuid.UUID(pid)
    except ValueError:
        return False
    return True


def default_jobs() -> int:
    """Worker processes of an import: one per CPU, at most 4 (PostgreSQL needs its share)."""
    return max(1, min(os.cpu_count() or 1, 4))


def import_datasets(
    items: Iterable[Any],
    *,
    published: dict[str, Published] | None = None,
    dry_run: bool = False,
    on_record: Callable[[str, str, str], None] | None = None,
    jobs: int = 1,
    instruments: _Instruments | None = None,
) -> ImportSummary:
    """Import SciCat datasets: unchanged records (same source hash, not changed here since)
    are skipped; new ones are created and published in chunks of CHUNK through the batch
    writer and the lifecycle's batch move; anything else, and any chunk in which one record
    fails, record by record (``import_record``), so every record gets its own outcome.

    ``jobs`` > 1: the chunks go to that many worker processes (:func:`_import_parallel`);
    the outcome is the same as one process's. Inside a transaction (workers could not see
    it) or on SQLite (one writer at a time) the import runs in this process."""
    if jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _import_parallel(
            list(items), published=published or {}, dry_run=dry_run, on_record=on_record,
            jobs=jobs,
        )  # fmt: skip
    summary = ImportSummary()
    published = published or {}
    instruments = instruments or _Instruments()

    def report(outcome: str, pid: str, reason: str = "") -> None:
        summary.add(outcome, pid, reason)
        if on_record is not None:
            on_record(outcome, pid, reason)

    def one(item: Any) -> None:
        pid = item.get("pid") if isinstance(item, dict) else None
        report(*import_record(
            item,
            published=published.get(pid) if isinstance(pid, str) else None,
            dry_run=dry_run,
            instruments=instruments,
        ))  # fmt: skip

    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        pids = [i["pid"] for i in chunk if isinstance(i, dict) and isinstance(i.get("pid"), str)]
        known = _known(pids)
        new: list[tuple[dict, str, str]] = []
        for item in chunk:
            pid = item.get("pid") if isinstance(item, dict) else None
            if not isinstance(pid, str) or not pid or _uuid_like(pid):
                one(item)
                continue
            digest = source_hash(item, published.get(pid))
            if pid in known:
                stored, changed_here = known[pid]
                if stored == digest and not changed_here:
                    report(UNCHANGED, pid)
                else:
                    one(item)
            else:
                new.append((item, pid, digest))
        result = _import_new(new, published, instruments, dry_run) if new else _DONE
        if result == _CLASH:
            # A unique index refused a row another worker (or run) committed meanwhile: the
            # records now known go the record path; the others are tried as a chunk once more.
            known = _known([pid for _, pid, _ in new])
            for item, pid, _ in new:
                if pid in known:
                    one(item)
            new = [n for n in new if n[1] not in known]
            result = _import_new(new, published, instruments, dry_run) if new else _DONE
        if result != _DONE:
            for item, _, _ in new:
                one(item)  # one record is wrong: find which, and give each its outcome
        else:
            for _, pid, _ in new:
                report(CREATED, pid)
    return summary


_DONE, _REFUSED, _CLASH = "done", "refused", "clash"


def _retryable(exc: Exception) -> bool:
    """A unique clash or a deadlock: what two concurrent writers of the same names meet."""
    if isinstance(exc, IntegrityError):
        return True
    cause = getattr(exc, "__cause__", None)
    return getattr(cause, "sqlstate", None) in ("40P01", "40001")  # deadlock, serialization


def _group_names(items: list) -> list:
    names: list = []
    for item in items:
        if isinstance(item, dict):
            groups = item.get("accessGroups")
            names += [item.get("ownerGroup"), *(groups if isinstance(groups, list) else [])]
    return names


# The input of a parallel import, set before the workers are forked: they inherit it, so
# a chunk is sent to a worker as positions, never pickled (10,000 records with their file
# lists cost the parent seconds of pickling).
_SHARED: dict[str, Any] = {}


def _worker_chunk(task: tuple) -> tuple[int, list[tuple[str, str, str]]]:
    """In a worker process: one chunk, imported as one process imports it (its own
    transaction and connection); returns its outcomes as one process reports them."""
    index, positions = task
    outcomes: list[tuple[str, str, str]] = []
    import_datasets(
        [_SHARED["items"][p] for p in positions],
        published=_SHARED["published"],
        dry_run=_SHARED["dry_run"],
        on_record=lambda outcome, pid, reason: outcomes.append((outcome, pid, reason)),
        instruments=_SHARED["instruments"],
    )
    return index, outcomes


def _worker_start() -> None:
    # The parent closed its connections before forking; never reuse a socket it owns.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    # One worker's lookups (instruments, proposals, facilities) serve all its chunks, as one
    # process's serve the whole run: read-only references the import never creates.
    _SHARED["instruments"] = _Instruments()


def _unchanged(items: list, published: dict[str, Published]) -> set[int]:
    """Positions of the records a rerun skips (same source hash, not changed here since),
    found as one process finds them, so that a no-op rerun starts no worker."""
    skip: set[int] = set()
    for k in range(0, len(items), CHUNK):
        part = items[k : k + CHUNK]
        known = _known([i["pid"] for i in part
                        if isinstance(i, dict) and isinstance(i.get("pid"), str)])  # fmt: skip
        for offset, item in enumerate(part):
            pid = item.get("pid") if isinstance(item, dict) else None
            if isinstance(pid, str) and pid in known and not _uuid_like(pid):
                stored, changed_here = known[pid]
                if stored == source_hash(item, published.get(pid)) and not changed_here:
                    skip.add(k + offset)
    return skip


def _import_parallel(
    items: list,
    *,
    published: dict[str, Published],
    dry_run: bool,
    on_record: Callable[[str, str, str], None] | None,
    jobs: int,
) -> ImportSummary:
    """The chunks of ``items`` imported by ``jobs`` forked worker processes, each with its
    own database connection, each chunk its own transaction as in one process. Unchanged
    records are skipped here first. What records share and an import creates on demand
    (their groups) is created here before the workers start, so they never wait on each
    other's uncommitted names; a unique clash between workers (the same pid twice in the
    input, a DOI drawn twice) retries the chunk, then goes record by record, as in one
    process. Outcomes arrive per chunk (progress); the summary lists them in chunk order."""
    summary = ImportSummary()

    def report(outcome: str, pid: str, reason: str = "") -> None:
        summary.add(outcome, pid, reason)
        if on_record is not None:
            on_record(outcome, pid, reason)

    skip = _unchanged(items, published)
    for position in sorted(skip):
        report(UNCHANGED, items[position]["pid"])
    todo = [p for p in range(len(items)) if p not in skip]
    if len(todo) <= CHUNK:  # one chunk or none: nothing to share out
        rest = import_datasets([items[p] for p in todo], published=published,
                               dry_run=dry_run, on_record=on_record)  # fmt: skip
        summary.counts.update(rest.counts)
        summary.rejected += rest.rejected
        return summary
    ensure_groups(_group_names([items[p] for p in todo]))
    tasks = [(n, todo[k : k + CHUNK]) for n, k in enumerate(range(0, len(todo), CHUNK))]
    # Forked children must not share the parent's sockets: close them before forking (the
    # parent reconnects on its next query; each child opens its own on its first).
    connections.close_all()
    _SHARED.update(items=items, published=published, dry_run=dry_run)
    results: dict[int, list] = {}
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(tasks)), initializer=_worker_start) as pool:
            for index, outcomes in pool.imap_unordered(_worker_chunk, tasks):
                results[index] = outcomes
                if on_record is not None:
                    for outcome in outcomes:
                        on_record(*outcome)
    finally:
        _SHARED.clear()
    for index in sorted(results):
        for outcome in results[index]:
            summary.add(*outcome)
    return summary


def _records_insert(records: list[ScicatRecord]) -> None:
    """INSERT the SciCat-side records of new datasets. PostgreSQL: one COPY (bulk_create
    sends JSON through UNNEST arrays, whose escaping in Python cost more than the rest of
    the record's rows together); elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        ScicatRecord.objects.bulk_create(records)
        return
    now = timezone.now()
    columns = ("dataset_id", "type", "fields", "origdatablocks", "created_by", "source_hash",
               "created_at", "updated_at")  # fmt: skip
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(
            f"COPY {ScicatRecord._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        for r in records:
            copy.write_row((
                r.dataset_id, r.type, json.dumps(r.fields), json.dumps(r.origdatablocks),
                r.created_by, r.source_hash, now, now,
            ))  # fmt: skip


def _import_new(new, published, instruments, dry_run: bool) -> str:
    """Create (and publish what the source published) these new records in one transaction:
    _DONE; nothing written and _REFUSED when any of them is rejected, _CLASH when a unique
    index or a deadlock refused the chunk (a concurrent writer: worth one more try)."""
    prepared = []
    try:
        for item, pid, digest in new:
            check_fields(item, version="v3", create=False)
            fields = normalise(item, version="v3")
            fields.setdefault("type", "raw")
            files, blocks = _files(item)
            data = _portal_record(fields, published.get(pid) or Published(), instruments)
            data["alternate_identifiers"] = [{"identifier": pid, "type": SCICAT_PID_TYPE}]
            prepared.append((fields, files, blocks, data, digest))
    except ScicatInputError:
        return _REFUSED
    try:
        with transaction.atomic():
            names = []
            for fields, *_ in prepared:
                names += [fields.get("ownerGroup"), *(fields.get("accessGroups") or [])]
            ensure_groups(names)
            # What the source published is created published: the lifecycle's system move
            # made as the rows are inserted (each row written once, in its final state).
            datasets = datasets_create_many(
                items=[p[3] for p in prepared],
                files=[p[1] for p in prepared],
                actor=None,
                published=[bool(p[0].get("isPublished")) for p in prepared],
                published_comment="Published at the SciCat source.",
            )
            # Last, so each record's updated_at is after every write to its dataset.
            _records_insert([
                ScicatRecord(dataset=ds, type=fields["type"], fields=kept_fields(fields),
                             origdatablocks=blocks, source_hash=digest)
                for ds, (fields, _, blocks, _, digest) in zip(datasets, prepared, strict=True)
            ])  # fmt: skip
            if dry_run:
                transaction.set_rollback(True)
    except (DatasetInputError, lifecycle.TransitionError):
        return _REFUSED
    except (IntegrityError, OperationalError) as exc:
        if not _retryable(exc):
            raise
        return _CLASH
    return _DONE


# --- sources -------------------------------------------------------------------------------


class SourceError(Exception):
    """The source SciCat refused or failed; the message says what it answered."""


def file_items(path: str) -> list:
    with open(path, encoding="utf-8") as handle:
        try:
            items = json.load(handle)
        except ValueError as exc:
            raise SourceError(f"{path} is not JSON: {exc}") from None
    if not isinstance(items, list):
        raise SourceError(f"{path} must hold a JSON array of SciCat datasets.")
    return items


class HttpSource:
    """A SciCat API (``…/api/v3``): log in, page through Datasets with their origdatablocks,
    and read PublishedData for DOIs. Timeouts always; errors name the status and message."""

    def __init__(self, url: str, *, token: str = "", username: str = "", password: str = "",
                 timeout: float = 60.0, page_size: int = 500):  # fmt: skip
        import requests

        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout
        self.page_size = page_size
        if not token and username:
            token = self._login(username, password)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def _login(self, username: str, password: str) -> str:
        response = self.session.post(
            f"{self.url}/auth/login",
            json={"username": username, "password": password},
            timeout=self.timeout,
        )
        if not response.ok:
            raise SourceError(f"Login at {self.url} failed: {response.status_code}")
        body = response.json()
        return body.get("id") or body.get("access_token")

    def _get(self, path: str, params: dict) -> Any:
        import requests

        try:
            response = self.session.get(f"{self.url}/{path}", params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SourceError(f"{self.url}/{path}: {exc}") from None
        if not response.ok:
            raise SourceError(
                f"{self.url}/{path} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def count_hint(self) -> int | None:
        return None

    def datasets(self, *, where: dict) -> Iterator[dict]:
        skip = 0
        while True:
            spec = {
                "where": where,
                "include": [{"relation": "origdatablocks"}],
                "limits": {"skip": skip, "limit": self.page_size, "order": "createdAt:asc"},
            }
            page = self._get("Datasets", {"filter": json.dumps(spec)})
            if not isinstance(page, list):
                raise SourceError(f"{self.url}/Datasets did not answer a list.")
            yield from page
            if len(page) < self.page_size:
                return
            skip += len(page)

    def published_data(self) -> dict[str, Published]:
        """pid -> DOI, publisher, year from the source's PublishedData (none: {})."""
        out: dict[str, Published] = {}
        skip = 0
        while True:
            spec = {"limits": {"skip": skip, "limit": 1000}}
            try:
                page = self._get("PublishedData", {"filter": json.dumps(spec)})
            except SourceError:
                return out  # a source without PublishedData has no DOIs to keep
            for entry in page if isinstance(page, list) else []:
                doi = entry.get("doi") or ""
                for pid in entry.get("pidArray") or []:
                    out[pid] = Published(
                        doi=doi,
                        publisher=entry.get("publisher") or "",
                        year=_year(entry.get("publicationYear")),
                    )
            if not isinstance(page, list) or len(page) < 1000:
                return out
            skip += len(page)


def build_where(*, published_only: bool, since: str | None, extra: dict | None) -> dict:
    where: dict[str, Any] = {}
    if published_only:
        where["isPublished"] = True
    if since:
        where["updatedAt"] = {"gte": since}
    where.update(extra or {})
    return where


def run_import(
    *,
    url: str = "",
    file: str = "",
    token: str = "",
    username: str = "",
    password: str = "",
    since: str | None = None,
    filter_where: dict | None = None,
    published_only: bool = True,
    dry_run: bool = False,
    progress: Callable[[int | None], Any] | None = None,
    on_record: Callable[[str, str, str], None] | None = None,
    jobs: int = 1,
) -> ImportSummary:
    """The ETL: from a file or a SciCat API. ``progress(total)`` returns a tqdm-like bar;
    ``jobs`` worker processes import the chunks (1: this process alone, as the beat task)."""
    published: dict[str, Published] = {}
    if file:
        items = file_items(file)
        if published_only:
            items = [i for i in items if isinstance(i, dict) and i.get("isPublished")]
        if since:
            items = [
                i for i in items if isinstance(i, dict) and str(i.get("updatedAt", "")) >= since
            ]
        total = len(items)
    else:
        source = HttpSource(url, token=token, username=username, password=password)
        published = source.published_data()
        items = source.datasets(
            where=build_where(published_only=published_only, since=since, extra=filter_where)
        )
        total = None
    bar = progress(total) if progress else None

    def tick(outcome: str, pid: str, reason: str) -> None:
        if bar is not None:
            bar.update(1)
        if on_record is not None:
            on_record(outcome, pid, reason)

    try:
        return import_datasets(
            items, published=published, dry_run=dry_run, on_record=tick, jobs=jobs
        )
    finally:
        if bar is not None:
            bar.close()
