"""The catalogue's records as objects of the PaNOSC data model (``doc/data-model.md``).

Pure functions of snapshots and plain values: no database, no request. The internal objects
keep Python values (datetimes) so filters compare them as the data model's types;
:func:`to_json` turns an answer into JSON (dates as ISO 8601 in UTC with a ``Z``).

* Dataset ``pid``: its DOI where it has one, else the portal pid (lookups accept both).
* Technique ``pid`` and ``panetId``: the PaNET IRI; ``name``: the PaNET label.
* Instrument ``pid``: its PIDINST/handle when recorded, else the portal's instrument code;
  ``facility``: the facility's short name (as "ESS" in the spec), else its name.
* Parameters: the scientific-metadata entries (dotted keys for nested ones) with the value
  and unit as stored.
* Sample: the dataset's sample (name, description); its pid is the dataset pid + ``#sample``.
* Files: ``name`` the file name, ``path`` the path inside the dataset; a ``url`` only when
  the files are open (not under embargo).
"""

import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from catalogue.scimeta import ScientificEntry
from catalogue.snapshot import DatasetSnapshot, TechniqueSnapshot

SAMPLE_SUFFIX = "#sample"


def dataset_pid(snapshot: DatasetSnapshot) -> str:
    return snapshot.doi or str(snapshot.pid)


def instrument_pid(*, pid: str, code: str) -> str:
    return pid or code


def facility_label(*, short_name: str, name: str) -> str:
    return short_name or name


def score_in_unit_interval(raw: float) -> float:
    """A backend's relevance score mapped into [0, 1): s / (1 + s). Monotonic, so the order is
    the backend's, and the same on every page (a maximum-based scale would change with skip)."""
    if raw <= 0:
        return 0.0
    return round(raw / (1.0 + raw), 6)


def dataset_object(snapshot: DatasetSnapshot, *, score: float = 0.0) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "pid": dataset_pid(snapshot),
        "title": snapshot.title,
        "isPublic": True,  # the API shows public records only (doc/api-calls.md)
        "creationDate": snapshot.created_at,
        "size": snapshot.total_size,
        "score": score,
    }
    if snapshot.instrument is not None:
        obj["instrumentId"] = instrument_pid(
            pid=snapshot.instrument.pid, code=snapshot.instrument.code
        )
    return obj


def technique_object(technique: TechniqueSnapshot) -> dict[str, Any]:
    return {"pid": technique.iri, "name": technique.label, "panetId": technique.iri}


def instrument_object(*, pid: str, code: str, name: str, facility: str) -> dict[str, Any]:
    return {"pid": instrument_pid(pid=pid, code=code), "name": name, "facility": facility}


def sample_object(snapshot: DatasetSnapshot) -> dict[str, Any] | None:
    if not snapshot.sample_name and not snapshot.sample_description:
        return None
    obj: dict[str, Any] = {
        "pid": dataset_pid(snapshot) + SAMPLE_SUFFIX,
        "name": snapshot.sample_name or snapshot.sample_description[:200],
    }
    if snapshot.sample_description:
        obj["description"] = snapshot.sample_description
    return obj


def parameter_object(entry: ScientificEntry, *, index: int, owner: str) -> dict[str, Any]:
    return {
        "id": f"{index}",
        "name": entry.key,
        "value": entry.value,
        "unit": entry.unit or "",
        "datasetId": owner,
    }


def file_object(
    *, file_id: int, path: str, size: int, dataset: str, url: str | None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": str(file_id),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "size": size,
        "datasetId": dataset,
    }
    if url:
        obj["url"] = url
    return obj


def person_object(*, name: str, orcid: str, given: str, family: str) -> dict[str, Any]:
    """A person from a creator or a proposal's PI. 'Family, Given' reads 'Given Family'."""
    full = f"{given} {family}".strip() if given or family else _natural_order(name)
    obj: dict[str, Any] = {"id": f"orcid:{orcid}" if orcid else f"name:{full}", "fullName": full}
    if orcid:
        obj["orcid"] = orcid
    if given:
        obj["firstName"] = given
    if family:
        obj["lastName"] = family
    return obj


def _natural_order(name: str) -> str:
    family, sep, given = name.partition(",")
    return f"{given.strip()} {family.strip()}".strip() if sep else name.strip()


def affiliation_object(*, name: str, ror: str) -> dict[str, Any] | None:
    if not name and not ror:
        return None
    obj: dict[str, Any] = {"id": ror or f"name:{name}", "name": name or ror}
    return obj


class JSONEncoder(DjangoJSONEncoder):
    """``to_json``'s dates, at encoding time (no second pass over a large answer); anything
    else as Django's encoder writes it."""

    def default(self, o):
        if isinstance(o, datetime.date):
            return to_json(o)
        return super().default(o)


def to_json(value):
    """Datetimes as ISO 8601 (UTC, 'Z'), recursively; everything else as is."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
