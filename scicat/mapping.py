"""SciCat dataset JSON <-> the catalogue's record: the one mapping, both ways.

Writing: :func:`portal_data` turns a SciCat dataset body (v3 or v4 field names) into the data
dict of ``catalogue.services.datasets`` plus the SciCat fields the catalogue has no field for
(kept on ``scicat.models.ScicatRecord.fields``). Reading: :func:`scicat_json` builds the SciCat
dataset from a snapshot, the record's editor fields and those kept fields. The README's
"Ingesting data" table lists the same mapping for people.

SciCat field                         -> portal
pid                                  -> alternate identifier of type "SciCat PID"
datasetName (or sourceFolder's name) -> title
description, keywords                -> description, keywords
license (an SPDX id we know)         -> license (any other value is kept as given)
ownerGroup / accessGroups            -> owner group / access groups
sourceFolder                         -> storage folder, via PORTAL_SCICAT_SOURCE_FOLDER_MAP
techniques[].pid (PaNET)             -> techniques
scientificMetadata                   -> scientific metadata
startTime / endTime                  -> dates.collection_start / collection_end
datasetlifecycle.dateOfPublishing    -> dates.embargo_until (files closed until then)
instrumentIds / creationLocation     -> instrument, when one names it (pid, code or name)
proposalIds                          -> proposal (through its beamtime, when it has one)
principalInvestigators / investigator
  (else owner; orcidOfOwner)         -> creators
type                                 -> resource_type.type ("raw" / "derived")
size, numberOfFiles, packedSize      -> computed from the file lists, never taken
everything else SciCat knows         -> kept as given, returned on read-back
"""

from __future__ import annotations

import datetime
import posixpath
from typing import Any

from django.conf import settings

from catalogue import vocabularies as voc
from catalogue.models import Instrument, Proposal

SCICAT_PID_TYPE = "SciCat PID"

# Every dataset field SciCat's DTOs know (backend v4 CreateDatasetDto, the v3 obsolete raw and
# derived DTOs, and what GET returns). Anything else is a 400, as SciCat's forbidNonWhitelisted.
WRITABLE_FIELDS = frozenset({
    "pid", "type", "datasetName", "description", "keywords", "license", "ownerGroup",
    "accessGroups", "instrumentGroup", "owner", "ownerEmail", "orcidOfOwner", "contactEmail",
    "sourceFolder", "sourceFolderHost", "creationTime", "creationLocation", "dataFormat",
    "principalInvestigator", "principalInvestigators", "investigator", "startTime", "endTime",
    "proposalId", "proposalIds", "sampleId", "sampleIds", "instrumentId", "instrumentIds",
    "techniques", "scientificMetadata", "scientificMetadataSchema", "scientificMetadataValid",
    "sharedWith", "relationships", "datasetlifecycle", "isPublished", "inputDatasets",
    "usedSoftware", "jobParameters", "jobLogData", "runNumber", "classification", "comment",
    "dataQualityMetrics", "validationStatus",
})  # fmt: skip
# Computed or server-kept: accepted (a GET body can be sent back) and ignored.
READ_ONLY_FIELDS = frozenset({
    "size", "numberOfFiles", "packedSize", "numberOfFilesArchived", "createdAt", "updatedAt",
    "createdBy", "updatedBy", "version", "history", "_id", "id", "origdatablocks", "datablocks",
    "attachments", "instruments", "proposals", "samples", "datasetId",
})  # fmt: skip
KNOWN_FIELDS = WRITABLE_FIELDS | READ_ONLY_FIELDS
# v3 singular -> v4 list (SciCat's v3 controller converts the same way).
V3_SINGULAR = {
    "principalInvestigator": "principalInvestigators",
    "proposalId": "proposalIds",
    "sampleId": "sampleIds",
    "instrumentId": "instrumentIds",
}
# Fields each create DTO requires.
REQUIRED = {
    ("v3", "raw"): ("ownerGroup", "owner", "contactEmail", "sourceFolder", "creationTime",
                    "type", "principalInvestigator", "creationLocation"),
    ("v3", "derived"): ("ownerGroup", "owner", "contactEmail", "sourceFolder", "creationTime",
                        "type", "investigator", "inputDatasets", "usedSoftware"),
    ("v4", "raw"): ("ownerGroup", "contactEmail", "sourceFolder", "creationTime", "type"),
    ("v4", "derived"): ("ownerGroup", "contactEmail", "sourceFolder", "creationTime", "type"),
}  # fmt: skip
TYPES = ("raw", "derived")

# Writer error paths -> SciCat field names, so a 400 names what the client sent.
ERROR_PATHS = {
    "title": "datasetName",
    "description": "description",
    "keywords": "keywords",
    "license": "license",
    "owner_group": "ownerGroup",
    "access_groups": "accessGroups",
    "storage_folder": "sourceFolder",
    "techniques": "techniques",
    "scientific_metadata": "scientificMetadata",
    "dates.collection_start": "startTime",
    "dates.collection_end": "endTime",
    "dates.embargo_until": "datasetlifecycle.dateOfPublishing",
    "creators": "principalInvestigators",
    "alternate_identifiers": "pid",
    "instrument": "instrumentIds",
    "proposal": "proposalIds",
    "publisher": "publisher",
}


class ScicatInputError(Exception):
    """A SciCat body the portal refuses; ``errors`` maps SciCat field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def scicat_error_path(path: str) -> str:
    for prefix, name in sorted(ERROR_PATHS.items(), key=lambda kv: -len(kv[0])):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            rest = path[len(prefix) :]
            if prefix == "creators" and ".orcid" in rest:
                return "orcidOfOwner"
            return name + rest
    return path


def normalise(body: dict, *, version: str) -> dict:
    """v3 singular fields become v4 lists; both versions are stored in v4 names."""
    out = dict(body)
    for single, plural in V3_SINGULAR.items():
        if single in out:
            value = out.pop(single)
            if plural not in out:
                out[plural] = [] if value in (None, "") else [value]
    if "investigator" in out:
        value = out.pop("investigator")
        out.setdefault("principalInvestigators", [] if value in (None, "") else [value])
    return out


def check_fields(body: Any, *, version: str, create: bool) -> None:
    """Unknown fields, wrong types and (on create) missing required fields: one 400."""
    if not isinstance(body, dict):
        raise ScicatInputError({"__all__": ["The body must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in body:
        if key not in KNOWN_FIELDS:
            errors.setdefault(key, []).append(
                f"property {key} should not exist (SciCat does not know this field)."
            )
    kind = body.get("type")
    if kind is not None and kind not in TYPES:
        errors.setdefault("type", []).append("Must be 'raw' or 'derived'.")
    if create:
        for key in REQUIRED.get((version, kind if kind in TYPES else "raw"), ()):
            if body.get(key) in (None, ""):
                errors.setdefault(key, []).append(f"{key} should not be empty.")
    for key in ("datasetName", "description", "ownerGroup", "owner", "ownerEmail",
                "contactEmail", "sourceFolder", "creationLocation", "principalInvestigator",
                "investigator", "orcidOfOwner", "license", "proposalId", "sampleId",
                "instrumentId", "dataFormat", "runNumber"):  # fmt: skip
        if body.get(key) is not None and not isinstance(body[key], str):
            errors.setdefault(key, []).append(f"{key} must be a string.")
    for key in ("keywords", "accessGroups", "principalInvestigators", "proposalIds",
                "sampleIds", "instrumentIds", "sharedWith", "inputDatasets", "usedSoftware",
                "techniques", "relationships"):  # fmt: skip
        if body.get(key) is not None and not isinstance(body[key], list):
            errors.setdefault(key, []).append(f"{key} must be an array.")
    for key in ("scientificMetadata", "datasetlifecycle", "jobParameters"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            errors.setdefault(key, []).append(f"{key} must be an object.")
    if body.get("isPublished") is not None and not isinstance(body["isPublished"], bool):
        errors.setdefault("isPublished", []).append("isPublished must be a boolean.")
    techniques = body.get("techniques") if isinstance(body.get("techniques"), list) else []
    for i, t in enumerate(techniques):
        if not isinstance(t, dict) or not isinstance(t.get("pid"), str):
            errors.setdefault(f"techniques[{i}]", []).append(
                "A technique is {pid, name} with a PaNET pid."
            )
    if errors:
        raise ScicatInputError(errors)


def storage_folder_for(source_folder: str | None) -> str:
    """The portal storage folder a SciCat sourceFolder maps to, or "" (no local folder)."""
    if not source_folder:
        return ""
    folder = posixpath.normpath(source_folder)
    for src, dst in settings.SCICAT_SOURCE_FOLDER_MAP:
        if folder == src or folder.startswith(src + "/"):
            rest = folder[len(src) :].strip("/")
            return "/".join(part for part in (dst, rest) if part)
    return ""


def instrument_code(refs: list[str]) -> str | None:
    for ref in refs:
        if not isinstance(ref, str) or not ref.strip():
            continue
        ref = ref.strip()
        inst = (
            Instrument.objects.filter(code=ref).only("code").first()
            or Instrument.objects.filter(pid=ref).exclude(pid="").only("code").first()
            or Instrument.objects.filter(name__iexact=ref).only("code").first()
        )
        if inst is not None:
            return inst.code
    return None


def proposal_reference(refs: list) -> tuple[str, str] | None:
    """(proposal_id, beamtime_id) of the one portal proposal a proposalId names, if it has
    exactly one beamtime: a record names its proposal through a beamtime."""
    for ref in refs:
        if not isinstance(ref, str) or not ref:
            continue
        props = list(Proposal.objects.filter(proposal_id=ref).prefetch_related("beamtimes")[:2])
        if len(props) == 1:
            beamtimes = list(props[0].beamtimes.all()[:2])
            if len(beamtimes) == 1:
                return ref, beamtimes[0].beamtime_id
    return None


def _creators(fields: dict) -> list[dict]:
    names = [n for n in fields.get("principalInvestigators") or [] if isinstance(n, str) and n]
    owner = fields.get("owner")
    if not names and isinstance(owner, str) and owner.strip():
        names = [owner.strip()]
    orcid = fields.get("orcidOfOwner") or ""
    creators = []
    for name in names:
        creator = {"name": name.strip(), "name_type": "Personal"}
        if orcid and (name == owner or (len(names) == 1 and not owner)):
            creator["orcid"] = orcid
        creators.append(creator)
    if orcid and creators and not any("orcid" in c for c in creators) and owner:
        creators.append({"name": owner, "name_type": "Personal", "orcid": orcid})
    return creators


# Which writer keys follow from which SciCat fields (a PATCH recomputes only those).
_DEPENDS = {
    "title": ("datasetName", "sourceFolder"),
    "description": ("description",),
    "keywords": ("keywords",),
    "license": ("license",),
    "owner_group": ("ownerGroup",),
    "access_groups": ("accessGroups",),
    "storage_folder": ("sourceFolder",),
    "techniques": ("techniques",),
    "scientific_metadata": ("scientificMetadata",),
    "dates": ("startTime", "endTime", "datasetlifecycle", "creationTime"),
    "instrument": ("instrumentIds", "creationLocation"),
    "proposal": ("proposalIds",),
    "creators": ("principalInvestigators", "owner", "orcidOfOwner"),
    "resource_type": ("type",),
}


def portal_data(
    fields: dict, *, given: set[str] | None = None, resolve_instrument=None, resolve_proposal=None
) -> dict:
    """The writer's data dict from a (normalised, merged) SciCat dataset.

    ``given``: the SciCat fields a PATCH sent (None: all, a create or an import); only the
    writer keys that follow from them are returned. ``resolve_instrument`` (refs -> code)
    lets a long import remember its lookups.
    """
    resolve_instrument = resolve_instrument or instrument_code

    def wanted(key: str) -> bool:
        return given is None or any(f in given for f in _DEPENDS[key])

    data: dict[str, Any] = {}
    if wanted("title"):
        name = fields.get("datasetName")
        if not name and fields.get("sourceFolder"):
            name = posixpath.basename(posixpath.normpath(fields["sourceFolder"]))
        data["title"] = name or ""
    if wanted("description"):
        data["description"] = fields.get("description") or ""
    if wanted("keywords"):
        data["keywords"] = list(fields.get("keywords") or [])
    if wanted("license"):
        lic = fields.get("license")
        if isinstance(lic, str) and lic in voc.LICENCES:
            data["license"] = lic
    if wanted("owner_group"):
        data["owner_group"] = fields.get("ownerGroup") or None
    if wanted("access_groups"):
        data["access_groups"] = list(fields.get("accessGroups") or [])
    if wanted("storage_folder"):
        data["storage_folder"] = storage_folder_for(fields.get("sourceFolder"))
    if wanted("techniques"):
        data["techniques"] = [t.get("pid") for t in fields.get("techniques") or []]
    if wanted("scientific_metadata"):
        data["scientific_metadata"] = fields.get("scientificMetadata") or {}
    if wanted("dates"):
        lifecycle = fields.get("datasetlifecycle") or {}
        # DataCite "Collected": startTime, else (raw data) when it was created.
        start = fields.get("startTime")
        if not start and fields.get("type", "raw") == "raw":
            start = fields.get("creationTime")
        data["dates"] = {
            "collection_start": start,
            "collection_end": fields.get("endTime"),
            "embargo_until": lifecycle.get("dateOfPublishing"),
        }
    if wanted("instrument"):
        refs = [*list(fields.get("instrumentIds") or []), fields.get("creationLocation")]
        data["instrument"] = resolve_instrument(refs)
    if wanted("proposal"):
        found = (resolve_proposal or proposal_reference)(list(fields.get("proposalIds") or []))
        if found:
            data["proposal"], data["beamtime"] = found
    if wanted("creators"):
        data["creators"] = _creators(fields)
    if wanted("resource_type"):
        data["resource_type"] = {"general": "Dataset", "type": fields.get("type") or "raw"}
    return data


def kept_fields(fields: dict) -> dict:
    """What ScicatRecord.fields stores: every writable SciCat field but the pid."""
    return {k: v for k, v in fields.items() if k in WRITABLE_FIELDS and k != "pid"}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


# SciCat's names of what API v1 shows only to those who may edit the record
# (catalogue.api.representation.dataset_editor_json): groups and storage.
EDITOR_FIELDS = ("ownerGroup", "accessGroups", "sourceFolder", "sourceFolderHost")


def scicat_json(
    *,
    snapshot,
    editor: dict | None,
    scicat_pid: str,
    kept: dict,
    kind: str,
    version: str,
    created_at=None,
    updated_at=None,
    created_by: str = "",
) -> dict:
    """The SciCat dataset (v3 or v4 names) of a catalogue record; portal fields win.

    ``editor`` holds the editors' fields (groups, storage folder) for a caller who may edit
    the record; None for one who only reads: then :data:`EDITOR_FIELDS` are left out, as API
    v1 leaves out their equivalents."""
    s = snapshot
    out: dict[str, Any] = {k: v for k, v in kept.items()}
    out["pid"] = scicat_pid
    out["type"] = kind
    out["datasetName"] = s.title
    out["description"] = s.description
    out["keywords"] = list(s.keywords)
    if s.licence and not (kept.get("license") and kept["license"] not in voc.LICENCES):
        out["license"] = s.licence.spdx
    if editor is None:
        for name in EDITOR_FIELDS:
            out.pop(name, None)
    else:
        out["ownerGroup"] = editor.get("owner_group") or kept.get("ownerGroup") or ""
        out["accessGroups"] = list(editor.get("access_groups") or [])
        out.setdefault("sourceFolder", "/" + (editor.get("storage_folder") or str(s.pid)))
    out.setdefault("owner", s.creators[0].name if s.creators else "")
    out.setdefault("contactEmail", "")
    out.setdefault("creationTime", _iso(s.collection_start or created_at))
    if "principalInvestigators" not in out and s.creators:
        out["principalInvestigators"] = [a.name for a in s.creators]
    native = not kept
    if s.collection_start and (native or "startTime" in kept):
        out["startTime"] = _iso(s.collection_start)
    if s.collection_end and (native or "endTime" in kept):
        out["endTime"] = _iso(s.collection_end)
    out["techniques"] = [{"pid": t.iri, "name": t.label} for t in s.techniques]
    out["scientificMetadata"] = s.scientific_metadata or {}
    if s.instrument:
        ids = list(out.get("instrumentIds") or [])
        if not ids:
            out["instrumentIds"] = [s.instrument.pid or s.instrument.code]
        out.setdefault("creationLocation", s.instrument.name)
    if s.proposal and not out.get("proposalIds"):
        out["proposalIds"] = [s.proposal.proposal_id]
    lifecycle = dict(out.get("datasetlifecycle") or {})
    if s.embargo_until:
        lifecycle["dateOfPublishing"] = _iso(
            datetime.datetime.combine(s.embargo_until, datetime.time(), datetime.UTC)
        )
    else:
        lifecycle.pop("dateOfPublishing", None)
    if lifecycle:
        out["datasetlifecycle"] = lifecycle
    # isPublished never publishes here; a published portal record is public, so it says true.
    out["isPublished"] = s.status == "published" or bool(kept.get("isPublished"))
    out["size"] = s.total_size
    out["numberOfFiles"] = s.file_count
    out["packedSize"] = 0
    out["numberOfFilesArchived"] = 0
    out["createdAt"] = _iso(created_at)
    out["updatedAt"] = _iso(updated_at)
    out["createdBy"] = created_by or "portal"
    out["updatedBy"] = created_by or "portal"
    out["version"] = "v3" if version == "v3" else "v4"
    if kind == "derived":
        out.setdefault("inputDatasets", [])
        out.setdefault("usedSoftware", [])
    if version == "v3":
        out = v3_names(out, kind)
    return {k: v for k, v in out.items() if v is not None}


def v3_names(out: dict, kind: str) -> dict:
    """v4 lists -> the v3 singular fields (first value), as SciCat's v3 controller answers."""
    for single, plural in V3_SINGULAR.items():
        values = out.pop(plural, None)
        if values:
            if single == "principalInvestigator" and kind == "derived":
                out["investigator"] = values[0]
            else:
                out[single] = values[0]
    return out
