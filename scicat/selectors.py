"""Reads of the SciCat API: datasets, origdatablocks and attachments as SciCat answers them.

Which records a caller sees is the catalogue's one gate (``catalogue.access``); files of a
record whose files are closed to the caller (embargo) are not listed.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from catalogue.access import dataset_access, datasets_visible_to
from catalogue.api.representation import dataset_editor_json
from catalogue.models import AlternateIdentifier, DataFile, Dataset
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from scicat.mapping import SCICAT_PID_TYPE, ScicatInputError, scicat_json
from scicat.models import ScicatAttachment, ScicatRecord


def scicat_queryset(qs: QuerySet | None = None) -> QuerySet:
    return (
        snapshot_queryset(qs)
        .select_related("owner_group", "scicat")
        .prefetch_related("access_groups")
    )


def _record(dataset: Dataset) -> ScicatRecord | None:
    try:
        return dataset.scicat
    except ScicatRecord.DoesNotExist:
        return None


def scicat_pid(dataset: Dataset) -> str:
    for alt in dataset.alternate_identifiers.all():
        if alt.identifier_type == SCICAT_PID_TYPE:
            return alt.identifier
    return str(dataset.pid)


def _may_edit(user, dataset: Dataset) -> bool:
    """The gate's answer (``DatasetAccess.edit``): owners and curators, not readers."""
    return dataset_access(user=user, dataset=dataset).edit


def dataset_json(dataset: Dataset, *, version: str, user) -> dict:
    """The SciCat record as ``user`` may see it: groups and the source folder only for who
    may edit it (as API v1's editors' fields)."""
    record = _record(dataset)
    kind = record.type if record else ("derived" if dataset.resource_type == "derived" else "raw")
    return scicat_json(
        snapshot=dataset_snapshot(dataset),
        editor=dataset_editor_json(dataset) if _may_edit(user, dataset) else None,
        scicat_pid=scicat_pid(dataset),
        kept=record.fields if record else {},
        kind=kind,
        version=version,
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
        created_by=record.created_by if record else "",
    )


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def datablocks_json(dataset: Dataset, *, user, files=None) -> list[dict]:
    """The origdatablocks of a record: the blocks clients created, then one block with the
    files registered any other way. Closed files (embargo) list nothing."""
    access = dataset_access(user=user, dataset=dataset)
    if not access.files:
        return []
    record = _record(dataset)
    pid = scicat_pid(dataset)
    editor = access.edit  # groups only for who may edit, as on the dataset (dataset_json)
    owner = dataset.owner_group.name if dataset.owner_group_id else ""
    groups = sorted(g.name for g in dataset.access_groups.all())
    if files is None:
        files = list(
            DataFile.objects.filter(dataset=dataset)
            .order_by("path")
            .values_list("path", "size", "checksum", "checksum_algorithm")
        )
    by_path = {f[0]: f for f in files}
    blocks = []
    used = set()
    default_time = _iso(dataset.created_at)

    def block(block_id, paths, extras, chk_alg, created_at):
        entries = []
        for p in paths:
            f = by_path.get(p)
            if f is None:
                continue
            used.add(p)
            entry = {"path": p, "size": f[1], "time": default_time}
            if f[2]:
                entry["chk"] = f[2]
            entry.update(extras.get(p, {}))
            entries.append(entry)
        algs = {by_path[p][3] for p in paths if p in by_path and by_path[p][2]}
        groups_json = {"ownerGroup": owner, "accessGroups": groups} if editor else {}
        return {
            "_id": block_id,
            "id": block_id,
            "datasetId": pid,
            **groups_json,
            "isPublished": dataset.status == "published",
            "size": sum(e["size"] for e in entries),
            "chkAlg": chk_alg or (algs.pop() if len(algs) == 1 else None),
            "dataFileList": entries,
            "createdAt": created_at or default_time,
            "updatedAt": _iso(dataset.updated_at),
            "createdBy": record.created_by if record and record.created_by else "portal",
            "version": "v4",
        }

    for b in record.origdatablocks if record else []:
        made = block(b["_id"], b["paths"], b.get("extras", {}), b.get("chkAlg"), b.get("createdAt"))
        if made["dataFileList"]:
            blocks.append(made)
    rest = [p for p in by_path if p not in used]
    if rest:
        blocks.append(block(f"{dataset.pid}-files", rest, {}, None, None))
    return [{k: v for k, v in b.items() if v is not None} for b in blocks]


def attachments_json(dataset: Dataset) -> list[dict]:
    pid = scicat_pid(dataset)
    return [attachment_json(a, pid) for a in ScicatAttachment.objects.filter(dataset=dataset)]


def attachment_json(a: ScicatAttachment, pid: str) -> dict:
    return {
        **a.fields,
        "aid": a.aid,
        "id": a.aid,
        "caption": a.caption,
        "thumbnail": a.thumbnail,
        "datasetId": pid,
        "ownerGroup": a.owner_group,
        "accessGroups": a.access_groups,
        "isPublished": False,
        "relationships": [
            {"targetId": pid, "targetType": "dataset", "relationType": "is attached to"}
        ],
        "createdBy": a.created_by or "portal",
        "createdAt": _iso(a.created_at),
        "updatedAt": _iso(a.updated_at),
    }


# --- lists: Datasets?filter= (LoopBack style) and Datasets/fullquery -------------------------

MAX_LIMIT = 1000


def _json_param(raw: str | None, name: str) -> Any:
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ScicatInputError({name: [f"{name} must be JSON."]}) from None
    if not isinstance(value, dict):
        raise ScicatInputError({name: [f"{name} must be a JSON object."]})
    return value


def _pid_q(value) -> Q:
    values = value.get("inq") if isinstance(value, dict) else [value]
    ids = AlternateIdentifier.objects.filter(
        identifier_type=SCICAT_PID_TYPE, identifier__in=[str(v) for v in values or []]
    ).values("dataset_id")
    q = Q(pk__in=ids)
    import uuid

    uuids = []
    for v in values or []:
        with contextlib.suppress(ValueError):
            uuids.append(uuid.UUID(str(v)))
    return q | Q(pid__in=uuids)


def _where(where: dict) -> Q:
    """The conditions SciCat clients send, on the fields the portal indexes."""
    q = Q()
    for key, value in where.items():
        if key == "and" and isinstance(value, list):
            for part in value:
                q &= _where(part) if isinstance(part, dict) else Q()
        elif key == "or" and isinstance(value, list):
            alt = Q(pk__in=[])
            for part in value:
                alt |= _where(part) if isinstance(part, dict) else Q()
            q &= alt
        elif key == "pid":
            q &= _pid_q(value)
        elif key == "ownerGroup":
            names = value.get("inq") if isinstance(value, dict) else [value]
            q &= Q(owner_group__name__in=names or [])
        elif key == "accessGroups":
            names = value.get("inq") if isinstance(value, dict) else [value]
            q &= Q(access_groups__name__in=names or [])
        elif key == "datasetName":
            if isinstance(value, dict) and "like" in value:
                q &= Q(title__icontains=str(value["like"]).strip("%"))
            else:
                q &= Q(title=value)
        elif key == "isPublished":
            published = Q(status="published") | Q(scicat__fields__isPublished=True)
            q &= published if value else ~published
        elif key == "type":
            q &= Q(scicat__type=value) | Q(scicat__isnull=True, resource_type=value)
        elif key in ("sourceFolder", "owner", "contactEmail", "creationLocation"):
            q &= Q(**{f"scicat__fields__{key}": value})
        elif key in ("proposalId", "proposalIds", "sampleId", "sampleIds"):
            plural = key if key.endswith("s") else key + "s"
            q &= Q(**{f"scicat__fields__{plural}__contains": [value]}) | (
                Q(beamtime__proposal__proposal_id=value) if plural == "proposalIds" else Q(
                    pk__in=[])
            )  # fmt: skip
        elif key == "keywords":
            words = value.get("inq") if isinstance(value, dict) else [value]
            for w in words or []:
                q &= Q(keywords__contains=[w])
        elif key in ("updatedAt", "createdAt", "creationTime"):
            column = {"updatedAt": "updated_at", "createdAt": "created_at",
                      "creationTime": "created_at"}[key]  # fmt: skip
            if isinstance(value, dict):
                for op, lookup in (("gt", "gt"), ("gte", "gte"), ("lt", "lt"), ("lte", "lte")):
                    if op in value:
                        q &= Q(**{f"{column}__{lookup}": value[op]})
            else:
                q &= Q(**{column: value})
        else:
            raise ScicatInputError({f"where.{key}": [f"Filtering on {key} is not supported."]})
    return q


def datasets_filtered(*, user, filter_param: str | None) -> tuple[QuerySet, int, int, bool, bool]:
    """GET Datasets?filter={"where", "limits"|"limit"/"skip", "include"} -> queryset page."""
    spec = _json_param(filter_param, "filter")
    where = spec.get("where") or {}
    if not isinstance(where, dict):
        raise ScicatInputError({"filter.where": ["Must be an object."]})
    limits = spec.get("limits") or {}
    skip = limits.get("skip", spec.get("skip", 0))
    limit = limits.get("limit", spec.get("limit", MAX_LIMIT))
    include = spec.get("include") or []
    relations = {i.get("relation") if isinstance(i, dict) else i for i in include}
    qs = datasets_visible_to(user=user, queryset=Dataset.objects.filter(_where(where)))
    return _page(qs, skip, limit), "origdatablocks" in relations, "attachments" in relations


def _page(qs: QuerySet, skip, limit) -> QuerySet:
    try:
        skip, limit = int(skip), int(limit)
    except (TypeError, ValueError):
        raise ScicatInputError({"limits": ["skip and limit must be whole numbers."]}) from None
    if skip < 0 or limit < 0:
        raise ScicatInputError({"limits": ["skip and limit must be 0 or more."]})
    limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    ids = list(qs.distinct().order_by("created_at", "pk").values_list("pk", flat=True)[
        skip : skip + limit])  # fmt: skip
    return scicat_queryset(Dataset.objects.filter(pk__in=ids)).order_by("created_at", "pk")


def datasets_fullquery(*, user, fields_param: str | None, limits_param: str | None) -> QuerySet:
    """GET Datasets/fullquery?fields=&limits=: text search plus field conditions."""
    fields = _json_param(fields_param, "fields")
    limits = _json_param(limits_param, "limits")
    fields = {k: v for k, v in fields.items() if k != "mode"}
    text = fields.pop("text", None)
    q = Q()
    if text:
        q &= Q(title__icontains=text) | Q(description__icontains=text)
    for key in ("creationTime",):
        span = fields.pop(key, None)
        if isinstance(span, dict):
            if span.get("begin"):
                q &= Q(created_at__gte=span["begin"])
            if span.get("end"):
                q &= Q(created_at__lte=span["end"])
    where = {}
    for key, value in fields.items():
        where[key] = {"inq": value} if isinstance(value, list) else value
    qs = datasets_visible_to(user=user, queryset=Dataset.objects.filter(q & _where(where)))
    return _page(qs, limits.get("skip", 0), limits.get("limit", MAX_LIMIT))


def prefetch_files(datasets: list[Dataset]) -> dict[int, list]:
    files: dict[int, list] = {d.pk: [] for d in datasets}
    rows = (
        DataFile.objects.filter(dataset_id__in=list(files))
        .order_by("dataset_id", "path")
        .values_list("dataset_id", "path", "size", "checksum", "checksum_algorithm")
    )
    for ds_id, *rest in rows:
        files[ds_id].append(tuple(rest))
    return files


__all__ = ["Prefetch"]
