"""The JSON shape of datasets and files in /api/v1 (pure functions over snapshots)."""

from dataclasses import asdict
from typing import Any

from catalogue.models import DataFile, Dataset
from catalogue.snapshot import AgentSnapshot, DatasetSnapshot


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _agent(a: AgentSnapshot, contributor: bool = False) -> dict[str, Any]:
    data = {
        "name": a.name,
        "name_type": a.name_type,
        "given_name": a.given_name or None,
        "family_name": a.family_name or None,
        "orcid": a.orcid_url or None,
        "affiliation": {"name": a.affiliation, "ror": a.affiliation_ror or None}
        if a.affiliation
        else None,
    }
    if contributor:
        data["contributor_type"] = a.contributor_type
    return data


def dataset_json(s: DatasetSnapshot) -> dict[str, Any]:
    """Core metadata, facility context and scientific metadata of one dataset."""
    return {
        "pid": str(s.pid),
        "doi": s.doi,
        "doi_url": s.doi_url or None,
        "url": s.url,
        "status": s.status,
        "title": s.title,
        "additional_titles": list(s.additional_titles),
        "description": s.description,
        "additional_descriptions": list(s.additional_descriptions),
        "creators": [_agent(a) for a in s.creators],
        "contributors": [_agent(a, contributor=True) for a in s.contributors],
        "publisher": {"name": s.publisher, "ror": s.publisher_identifier or None},
        "publication_year": s.publication_year,
        "resource_type": {"general": s.resource_type_general, "type": s.resource_type or None},
        "keywords": list(s.keywords),
        "subjects": list(s.subjects),
        "license": asdict(s.licence) if s.licence else None,
        "language": s.language or None,
        "version": s.version or None,
        "dates": {
            "collection_start": _iso(s.collection_start),
            "collection_end": _iso(s.collection_end),
            "published": _iso(s.published_at),
            "updated": _iso(s.updated_at),
            "embargo_until": _iso(s.embargo_until),
            "other": list(s.dates),
        },
        "related_identifiers": [asdict(r) for r in s.related_identifiers],
        "alternate_identifiers": [asdict(a) for a in s.alternate_identifiers],
        "funding_references": [asdict(f) for f in s.funding_references],
        "facility": asdict(s.facility) if s.facility else None,
        "instrument": asdict(s.instrument) if s.instrument else None,
        "techniques": [
            {"iri": t.iri, "label": t.label, "panet_id": t.panet_id} for t in s.techniques
        ],
        # The proposal's facility is the record's (``facility``): not repeated here.
        "proposal": _without(asdict(s.proposal), "facility_code") if s.proposal else None,
        "beamtime": {
            "beamtime_id": s.beamtime.beamtime_id,
            "start": _iso(s.beamtime.start),
            "end": _iso(s.beamtime.end),
        }
        if s.beamtime
        else None,
        "sample": {"name": s.sample_name or None, "description": s.sample_description or None},
        "scientific_metadata": s.scientific_metadata,
        "file_count": s.file_count,
        "total_size": s.total_size,
        "formats": list(s.media_types),
        "versions": versions_json(s),
    }


def versions_json(s: DatasetSnapshot) -> dict[str, Any] | None:
    """The record's versions (catalogue.services.versions), or None for a record that was
    never published and is no new version."""
    v = s.versions
    if v is None:
        return None
    return {
        "concept_pid": str(v.concept_pid),
        "concept_doi": v.concept_doi,
        "number": v.number,
        "is_latest": v.is_latest,
        "based_on": v.based_on_doi,
        "published": [
            {
                "pid": str(p.pid),
                "doi": p.doi,
                "version": p.label,
                "number": p.number,
                "published": _iso(p.published_at),
                "url": p.url,
            }
            for p in v.published
        ],
    }


def dataset_editor_json(dataset: Dataset) -> dict[str, Any]:
    """The fields only those who may edit a record see (and write): groups and storage."""
    return {
        "owner_group": dataset.owner_group.name if dataset.owner_group_id else None,
        "access_groups": sorted(g.name for g in dataset.access_groups.all()),
        "storage_folder": dataset.storage_folder or None,
        "download_base_url": dataset.download_base_url or None,
    }


def file_json(f: DataFile, *, download_url: str) -> dict[str, Any]:
    # "algorithm:hex", as Zenodo's files API writes checksums.
    return {
        "path": f.path,
        "size": f.size,
        "checksum": f"{f.checksum_algorithm}:{f.checksum}" if f.checksum else None,
        "media_type": f.media_type or None,
        "download_url": download_url,
    }


def _without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}
