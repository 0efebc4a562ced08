"""Writes of the SciCat API and the import: SciCat JSON in, catalogue services called.

Nothing here writes a catalogue.Dataset or DataFile itself: records go through
``catalogue.services.datasets`` (the one writer) and files through ``catalogue.services.files``.
What SciCat says beyond the catalogue's fields is kept on ``scicat.models.ScicatRecord`` in
the same transaction, so a request is all or nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue import vocabularies as voc
from catalogue.models import AlternateIdentifier, Dataset
from catalogue.services.datasets import dataset_create, dataset_update
from catalogue.services.errors import DatasetInputError
from catalogue.services.files import MAX_FILES_PER_CALL, dataset_files_register
from scicat.mapping import (
    SCICAT_PID_TYPE,
    ScicatInputError,
    check_fields,
    kept_fields,
    normalise,
    portal_data,
    scicat_error_path,
)
from scicat.models import ScicatAttachment, ScicatEntity, ScicatRecord


class ScicatConflict(Exception):
    """A dataset with this pid exists already (SciCat: 409 ConflictException)."""


def _username(actor) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else ""


def translate(exc: DatasetInputError) -> ScicatInputError:
    errors: dict[str, list[str]] = {}
    for path, messages in exc.errors.items():
        errors.setdefault(scicat_error_path(path), []).extend(messages)
    return ScicatInputError(errors)


def ensure_groups(names) -> None:
    """SciCat groups are names given by the identity provider; the portal's groups must exist
    before a record names them, so a SciCat group nobody created yet is created (empty)."""
    wanted = {n.strip() for n in names if isinstance(n, str) and n.strip()}
    if not wanted:
        return
    existing = set(Group.objects.filter(name__in=wanted).values_list("name", flat=True))
    missing = sorted(wanted - existing)
    if missing:  # one INSERT (an import names hundreds); a concurrent creator wins quietly
        Group.objects.bulk_create([Group(name=name) for name in missing], ignore_conflicts=True)


def dataset_for_scicat_pid(pid: str) -> Dataset | None:
    """The record a SciCat pid names: its alternate identifier, or the portal's own UUID."""
    found = (
        AlternateIdentifier.objects.filter(identifier_type=SCICAT_PID_TYPE, identifier=pid)
        .select_related("dataset")
        .first()
    )
    if found is not None:
        return found.dataset
    try:
        return Dataset.objects.filter(pid=uuid.UUID(pid)).first()
    except ValueError:
        return None


def scicat_pid_of(dataset: Dataset) -> str:
    for alt in dataset.alternate_identifiers.all():
        if alt.identifier_type == SCICAT_PID_TYPE:
            return alt.identifier
    return str(dataset.pid)


def scicat_dataset_create(*, body: Any, version: str, actor) -> tuple[Dataset, ScicatRecord]:
    """Create a draft from a SciCat dataset (POST Datasets / POST datasets)."""
    check_fields(body, version=version, create=True)
    fields = normalise(body, version=version)
    pid = fields.get("pid") or f"{settings.SCICAT_PID_PREFIX}/{uuid.uuid4()}"
    if not isinstance(pid, str):
        raise ScicatInputError({"pid": ["pid must be a string."]})
    with transaction.atomic():
        if dataset_for_scicat_pid(pid) is not None:
            raise ScicatConflict(f"A dataset with pid {pid} already exists!")
        ensure_groups(fields.get("accessGroups") or [])
        data = portal_data(fields)
        data["alternate_identifiers"] = [{"identifier": pid, "type": SCICAT_PID_TYPE}]
        try:
            dataset = dataset_create(data=data, actor=actor)
        except DatasetInputError as exc:
            raise translate(exc) from None
        except IntegrityError:  # a twin request won the race for this pid
            raise ScicatConflict(f"A dataset with pid {pid} already exists!") from None
        record = ScicatRecord.objects.create(
            dataset=dataset,
            type=fields.get("type") or "raw",
            fields=kept_fields(fields),
            created_by=_username(actor),
        )
    return dataset, record


def scicat_dataset_update(
    *, dataset: Dataset, body: Any, version: str, actor
) -> tuple[Dataset, ScicatRecord]:
    """PATCH: the fields given change. pyscicat resends the whole model (type and pid too):
    the same type and pid are fine, others an error. ``null`` resets a field (merge-patch)."""
    check_fields(body, version=version, create=False)
    fields = normalise(body, version=version)
    with transaction.atomic():
        record = ScicatRecord.objects.select_for_update().filter(dataset=dataset).first()
        if record is None:
            record = ScicatRecord(dataset=dataset, type=dataset.resource_type or "raw")
        current_pid = scicat_pid_of(dataset)
        if fields.get("pid") not in (None, current_pid):
            raise ScicatInputError({"pid": ["The pid of a dataset never changes."]})
        if fields.get("type") not in (None, record.type):
            raise ScicatInputError(
                {"type": [f"This dataset is {record.type}; type cannot change."]}
            )
        ensure_groups(fields.get("accessGroups") or [])
        merged = {**record.fields, **kept_fields(fields)}
        merged = {k: v for k, v in merged.items() if v is not None}
        data = portal_data(merged, given=set(fields) - {"pid"})
        try:
            dataset = dataset_update(dataset=dataset, data=data, actor=actor)
        except DatasetInputError as exc:
            raise translate(exc) from None
        if merged != record.fields or record._state.adding:
            record.fields = merged
            record.source_hash = ""  # changed here: the next import compares field by field
            record.save()
    return dataset, record


DATABLOCK_KEYS = frozenset({
    "size", "dataFileList", "chkAlg", "datasetId", "ownerGroup", "accessGroups",
    "instrumentGroup", "isPublished", "createdBy", "updatedBy", "createdAt", "updatedAt", "id",
    "_id", "version", "packedSize",
})  # fmt: skip
DATAFILE_KEYS = frozenset({
    "path", "size", "time", "chk", "uid", "gid", "perm", "type",
    "createdBy", "updatedBy", "createdAt", "updatedAt",
})  # fmt: skip
_BY_HEX_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "blake2b"}
FILE_EXTRAS = ("time", "uid", "gid", "perm", "type")


def _algorithm(chk_alg: Any, chk: str) -> str:
    """SciCat's chkAlg is free text (pyscicat even types it int): a name we know, else the
    algorithm the checksum's length says."""
    if isinstance(chk_alg, str):
        name = chk_alg.lower().replace("-", "").replace("_", "")
        if name in voc.CHECKSUM_ALGORITHMS:
            return name
    return _BY_HEX_LENGTH.get(len(chk), "sha256")


def datablock_files(body: Any) -> tuple[list[dict], dict[str, dict], Any]:
    """(files for catalogue.services.files, per-path SciCat extras, chkAlg) of a datablock."""
    if not isinstance(body, dict):
        raise ScicatInputError({"__all__": ["The body must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in body:
        if key not in DATABLOCK_KEYS:
            errors.setdefault(key, []).append(f"property {key} should not exist.")
    entries = body.get("dataFileList")
    if not isinstance(entries, list):
        errors.setdefault("dataFileList", []).append("dataFileList must be an array.")
        entries = []
    if len(entries) > MAX_FILES_PER_CALL:
        errors.setdefault("dataFileList", []).append(
            f"At most {MAX_FILES_PER_CALL} files per request; send several datablocks."
        )
    files, extras = [], {}
    chk_alg = body.get("chkAlg")
    for i, entry in enumerate(entries if not errors else []):
        if not isinstance(entry, dict):
            errors.setdefault(f"dataFileList[{i}]", []).append("Must be an object.")
            continue
        for key in entry:
            if key not in DATAFILE_KEYS:
                errors.setdefault(f"dataFileList[{i}].{key}", []).append(
                    f"property {key} should not exist."
                )
        chk = entry.get("chk") or ""
        item = {"path": entry.get("path"), "size": entry.get("size")}
        if chk:
            item["checksum"] = chk.lower() if isinstance(chk, str) else chk
            item["checksum_algorithm"] = _algorithm(chk_alg, chk if isinstance(chk, str) else "")
        files.append(item)
        extra = {k: entry[k] for k in FILE_EXTRAS if entry.get(k) is not None}
        if extra and isinstance(entry.get("path"), str):
            extras[entry["path"]] = extra
    if errors:
        raise ScicatInputError(errors)
    return files, extras, chk_alg


def _files_error(exc: DatasetInputError) -> ScicatInputError:
    errors: dict[str, list[str]] = {}
    for path, messages in exc.errors.items():
        name = path.replace("files[", "dataFileList[").replace(".checksum", ".chk")
        errors.setdefault(name, []).extend(messages)
    return ScicatInputError(errors)


def scicat_datablock_create(*, dataset: Dataset, body: Any, actor) -> dict:
    """Register an origdatablock's files (POST Datasets/{pid}/origdatablocks, POST
    origdatablocks). ownerGroup and accessGroups come from the dataset (SciCat overwrites
    them too, backend#2199). Returns the stored block."""
    files, extras, chk_alg = datablock_files(body)
    with transaction.atomic():
        record = ScicatRecord.objects.select_for_update().filter(dataset=dataset).first()
        if record is None:
            record = ScicatRecord(dataset=dataset, type=dataset.resource_type or "raw")
        try:
            dataset_files_register(
                dataset=dataset, files=files, actor=actor, max_files=MAX_FILES_PER_CALL
            )
        except DatasetInputError as exc:
            raise _files_error(exc) from None
        block = block_record(files=files, extras=extras, chk_alg=chk_alg)
        record.origdatablocks = add_block(record.origdatablocks, block)
        record.source_hash = ""  # changed here: the next import compares field by field
        record.save()
    return block


def block_record(*, files: list[dict], extras: dict, chk_alg, block_id: str | None = None,
                 created_at: str | None = None) -> dict:  # fmt: skip
    return {
        "_id": block_id or str(uuid.uuid4()),
        "chkAlg": chk_alg if isinstance(chk_alg, str) else None,
        "createdAt": created_at or timezone.now().isoformat().replace("+00:00", "Z"),
        "paths": [f["path"] for f in files],
        "extras": extras,
    }


def add_block(blocks: list[dict], block: dict) -> list[dict]:
    """The blocks with ``block`` added; a path lives in one block (the newest)."""
    paths = set(block["paths"])
    out = []
    for old in blocks:
        if old["_id"] == block["_id"]:
            continue
        kept = [p for p in old["paths"] if p not in paths]
        if kept:
            extras = {p: e for p, e in old.get("extras", {}).items() if p in kept}
            out.append({**old, "paths": kept, "extras": extras})
    out.append(block)
    return out


ATTACHMENT_KEYS = frozenset({
    "thumbnail", "caption", "datasetId", "ownerGroup", "accessGroups", "relationships",
    "isPublished", "aid", "id", "instrumentGroup", "proposalId", "sampleId", "createdBy",
    "updatedBy", "createdAt", "updatedAt",
})  # fmt: skip


def scicat_attachment_create(*, dataset: Dataset, body: Any, actor) -> ScicatAttachment:
    if not isinstance(body, dict):
        raise ScicatInputError({"__all__": ["The body must be a JSON object."]})
    errors = {k: [f"property {k} should not exist."] for k in body if k not in ATTACHMENT_KEYS}
    for key in ("thumbnail", "caption"):
        if body.get(key) is not None and not isinstance(body[key], str):
            errors[key] = [f"{key} must be a string."]
    if errors:
        raise ScicatInputError(errors)
    known = {"thumbnail", "caption", "ownerGroup", "accessGroups", "aid", "id", "datasetId"}
    aid = body.get("aid") or body.get("id") or str(uuid.uuid4())
    try:
        with transaction.atomic():
            return ScicatAttachment.objects.create(
                aid=str(aid),
                dataset=dataset,
                caption=body.get("caption") or "",
                thumbnail=body.get("thumbnail") or "",
                owner_group=dataset.owner_group.name if dataset.owner_group_id else "",
                access_groups=sorted(g.name for g in dataset.access_groups.all()),
                fields={k: v for k, v in body.items() if k not in known},
                created_by=_username(actor),
            )
    except IntegrityError:
        raise ScicatConflict(f"An attachment {aid} already exists!") from None


def scicat_entity_save(*, kind: str, key_field: str, body: Any, actor, key: str | None = None):
    """POST/PATCH Proposals and Samples: kept as SciCat sent them."""
    if not isinstance(body, dict):
        raise ScicatInputError({"__all__": ["The body must be a JSON object."]})
    key = key or body.get(key_field) or (str(uuid.uuid4()) if kind == "sample" else None)
    if not isinstance(key, str) or not key:
        raise ScicatInputError({key_field: [f"{key_field} should not be empty."]})
    owner = body.get("ownerGroup")
    if owner is not None and not isinstance(owner, str):
        raise ScicatInputError({"ownerGroup": ["ownerGroup must be a string."]})
    with transaction.atomic():
        entity, _ = ScicatEntity.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"body": {}, "created_by": _username(actor)}
        )
        entity.body = {**entity.body, **body, key_field: key}
        entity.owner_group = entity.body.get("ownerGroup") or ""
        entity.access_groups = list(entity.body.get("accessGroups") or [])
        entity.save()
    return entity
