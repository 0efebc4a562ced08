"""The PaNOSC specification's example database (``data/db.json``) as catalogue records.

The spec's models map onto the catalogue's own as this API shows them back:

* each Dataset → a published dataset with a DOI under ``PORTAL_DOI_PREFIX`` (the spec's
  handles are not DOIs), its creation date, sample (the DatasetSample), techniques (by
  PaNET id), files, and parameters as scientific metadata (``{"value", "unit"}``);
* a Document of type ``proposal`` → a proposal (its PI the member with that role) with a
  beamtime holding its datasets; of type ``publication`` → a related identifier
  ``IsSupplementTo`` of its datasets (the DOI, the title as citation);
* members' persons (with their affiliation) → creators of the documents' datasets;
* instruments → instruments of the facility, with the spec's pid as the instrument's PID.

Document parameters go to ``panosc.models.DocumentParameter`` (the catalogue has no place).
:func:`load_example` is idempotent and returns the spec's pids mapped to the catalogue's.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from catalogue.models import (
    Beamtime,
    Creator,
    DataFile,
    Dataset,
    Facility,
    Instrument,
    Proposal,
    RelatedIdentifier,
    Status,
    Technique,
)
from catalogue.services.changes import datasets_changed

EXAMPLE_DB = Path(settings.BASE_DIR) / "tests" / "data" / "panosc" / "db.json"
FACILITY_NAMES = {"ESS": "European Spallation Source"}


@dataclass
class ExampleIds:
    """The spec's pids → the catalogue's (as the API shows them)."""

    datasets: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    instruments: dict[str, str] = field(default_factory=dict)


def _rows(data: dict, model: str) -> list[dict]:
    return [json.loads(v) for v in data["models"].get(model, {}).values()]


def _date(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@transaction.atomic
def load_example(data: dict | None = None) -> ExampleIds:
    if data is None:
        data = json.loads(EXAMPLE_DB.read_text(encoding="utf-8"))
    ids = ExampleIds()
    affiliations = {str(a["id"]): a for a in _rows(data, "Affiliation")}
    persons = {p["id"]: p for p in _rows(data, "Person")}
    facilities: dict[str, Facility] = {}
    instruments: dict[str, Instrument] = {}
    for row in _rows(data, "Instrument"):
        label = row["facility"]
        if label not in facilities:
            facilities[label], _ = Facility.objects.update_or_create(
                code=slugify(label),
                defaults={"name": FACILITY_NAMES.get(label, label), "short_name": label},
            )
        facility = facilities[label]
        instruments[row["pid"]], _ = Instrument.objects.update_or_create(
            code=f"{facility.code}-{slugify(row['name'])}",
            defaults={"facility": facility, "name": row["name"], "pid": row["pid"]},
        )
        ids.instruments[row["pid"]] = row["pid"]
    techniques = {
        t["pid"]: Technique.objects.get(iri=t["panetId"]) for t in _rows(data, "Technique")
    }
    samples = {s["pid"]: s for s in _rows(data, "Sample")}
    documents = {d["pid"]: d for d in _rows(data, "Document")}
    doc_of: dict[str, list[str]] = {}
    for link in _rows(data, "DocumentDataset"):
        doc_of.setdefault(link["datasetId"], []).append(link["documentId"])
    members: dict[str, list[dict]] = {}
    for m in sorted(_rows(data, "Member"), key=lambda m: m["id"]):
        members.setdefault(m["documentId"], []).append(m)

    beamtimes: dict[str, Beamtime] = {}
    for pid, doc in documents.items():
        if doc["type"] != "proposal":
            continue
        pi = next((m for m in members.get(pid, []) if m["role"] == "principal investigator"), None)
        any_facility = next(iter(facilities.values()))
        proposal, _ = Proposal.objects.update_or_create(
            facility=any_facility,
            proposal_id=pid.rsplit("/", 1)[-1],
            defaults={
                "title": doc["title"],
                "abstract": doc.get("summary", ""),
                "principal_investigator": persons[pi["personId"]]["fullName"] if pi else "",
            },
        )
        start = _date("2020-05-01T08:00:00Z")
        beamtimes[pid], _ = Beamtime.objects.update_or_create(
            proposal=proposal,
            beamtime_id="1",
            defaults={"start": start, "end": start + datetime.timedelta(days=3)},
        )
        ids.documents[pid] = f"{any_facility.code}/proposal/{proposal.proposal_id}"

    parameters: dict[str, list[dict]] = {}
    for p in sorted(_rows(data, "Parameter"), key=lambda p: p["id"]):
        if "datasetId" in p:
            parameters.setdefault(p["datasetId"], []).append(p)
    sample_of = {link["datasetId"]: link["sampleId"] for link in _rows(data, "DatasetSample")}
    techniques_of: dict[str, list[Technique]] = {}
    for link in _rows(data, "DatasetTechnique"):
        techniques_of.setdefault(link["datasetId"], []).append(techniques[link["techniqueId"]])
    files_of: dict[str, list[dict]] = {}
    for f in _rows(data, "File"):
        files_of.setdefault(f["datasetId"], []).append(f)

    changed = []
    for row in _rows(data, "Dataset"):
        pid = row["pid"]
        doi = f"{settings.DOI_PREFIX}/{pid.rsplit('/', 1)[-1]}".lower()
        instrument = instruments.get(row.get("instrumentId"))
        docs = doc_of.get(pid, [])
        beamtime = next((beamtimes[d] for d in docs if d in beamtimes), None)
        sample = samples.get(sample_of.get(pid, ""), {})
        metadata = {
            p["name"]: ({"value": p["value"], "unit": p["unit"]} if p.get("unit") else p["value"])
            for p in parameters.get(pid, [])
        }
        values = {
            "title": row["title"],
            "description": "",
            "publisher": instrument.facility.name if instrument else "",
            "publication_year": _date(row["creationDate"]).year,
            "facility": instrument.facility if instrument else None,
            "instrument": instrument,
            "beamtime": beamtime,
            "sample_name": sample.get("name", ""),
            "sample_description": sample.get("description", ""),
            "scientific_metadata": metadata,
            "license": "CC-BY-4.0",
        }
        dataset, _ = Dataset.objects.update_or_create(doi=doi, defaults=values)
        dataset.techniques.set(techniques_of.get(pid, []))
        dataset.creators.all().delete()
        seen = []
        for d in docs:
            for m in members.get(d, []):
                person = persons[m["personId"]]
                if person["id"] in seen:
                    continue
                seen.append(person["id"])
                given, _, family = person["fullName"].rpartition(" ")
                affiliation = affiliations.get(str(m.get("affiliationId")), {})
                Creator.objects.create(
                    dataset=dataset,
                    position=len(seen),
                    name=f"{family}, {given}" if given else family,
                    given_name=given,
                    family_name=family,
                    affiliation=affiliation.get("name", ""),
                )
        dataset.related_identifiers.all().delete()
        for d in docs:
            if documents[d]["type"] == "publication":
                RelatedIdentifier.objects.create(
                    dataset=dataset,
                    identifier=d.lower(),
                    identifier_type="DOI",
                    relation_type="IsSupplementTo",
                    resource_type_general="JournalArticle",
                    citation=documents[d]["title"],
                )
                ids.documents[d] = d.lower()
        dataset.files.all().delete()
        files = [
            DataFile(dataset=dataset, path=f["name"], size=f.get("size", 0), checksum="")
            for f in files_of.get(pid, [])
        ]
        DataFile.objects.bulk_create(files)
        created = _date(row["creationDate"])
        Dataset.objects.filter(pk=dataset.pk).update(
            status=Status.PUBLISHED if row.get("isPublic", True) else Status.DRAFT,
            published_at=created,
            created_at=created,
            file_count=len(files),
            total_size=sum(f.size for f in files),
        )
        ids.datasets[pid] = doi
        changed.append(dataset.pk)
    from panosc.models import DocumentParameter

    for p in sorted(_rows(data, "Parameter"), key=lambda p: p["id"]):
        if "documentId" in p and p["documentId"] in ids.documents:
            DocumentParameter.objects.update_or_create(
                document=ids.documents[p["documentId"]],
                name=p["name"],
                defaults={"value": p["value"], "unit": p.get("unit", "")},
            )
    datasets_changed(changed)
    return ids
