"""The one writer of dataset records. The admin, the REST API, the SciCat API and forms call it.

Interface
---------
``dataset_create(*, data, actor) -> Dataset`` (a draft, ``created_by=actor``),
``dataset_update(*, dataset, data, actor, partial=True) -> Dataset``,
``dataset_delete_draft(*, dataset, actor) -> None``. Files: ``catalogue.services.files``.

``data`` has the shape ``GET /api/v1/datasets/<pid>`` returns
(``catalogue.api.representation.dataset_json`` plus ``dataset_editor_json``)::

    {"title": str, "additional_titles": [...], "description": str,
     "additional_descriptions": [...], "keywords": [str], "subjects": [...],
     "creators": [{"name", "name_type", "given_name", "family_name", "orcid",
                   "affiliation": {"name", "ror"} | str | null}],
     "contributors": [... same, plus "contributor_type"],
     "publisher": {"name", "ror"} | str, "publication_year": int | null,
     "resource_type": {"general", "type"}, "license": "CC-BY-4.0" | {"spdx", ...},
     "language", "version",
     "dates": {"collection_start", "collection_end", "embargo_until", "other": [...]},
     "related_identifiers": [{"identifier", "identifier_type", "relation_type",
                              "resource_type_general", "citation"}],
     "funding_references": [{"funder_name", "funder_identifier", "funder_identifier_type",
                             "award_number", "award_uri", "award_title"}],
     "alternate_identifiers": [{"identifier", "type"}],     # e.g. type "SciCat PID"
     "facility": {"code", ...} | "code", "instrument": {"code", ...} | "code" | "pid",
     "proposal": {"proposal_id", ...} | "proposal_id",
     "beamtime": {"beamtime_id", ...} | "beamtime_id" | pk,
     "techniques": ["http://purl.org/pan-science/PaNET/PaNET01012" | "PaNET01012" | {"iri"}],
     "sample": {"name", "description"}, "scientific_metadata": {...},
     # editors' fields:
     "owner_group": "group name" | null, "access_groups": ["group name"],
     "storage_folder": "relative/folder", "download_base_url": "https://..."}

  Internal callers (the admin) may also pass model instances for facility, instrument,
  beamtime, techniques and groups.

* ``null`` means empty. Read-only keys (``pid``, ``doi``, ``doi_url``, ``url``, ``status``,
  ``file_count``, ``total_size``, ``formats``, ``files``, ``files_next``, ``files_access``,
  ``files_embargoed_until``, ``dates.published``, ``dates.updated``, the labels of facility,
  technique… objects) are ignored, so a GET body can be sent back. Unknown keys are errors.
* ``partial=True`` (PATCH): only the keys given change, also inside ``publisher``,
  ``resource_type``, ``dates`` and ``sample``; lists (creators, techniques, …) are replaced
  whole. ``partial=False`` (PUT): absent keys go back to their defaults.
* Drafts may be incomplete: no creators, and even an empty title (SciCat datasets may come
  without a name). ``lifecycle.dataset_submit`` checks DataCite completeness. Records past
  draft need a title.
* Immutable: ``pid`` (a different one is an error); the DOI once set (the same value is fine, a
  different one an error; curators may set one on a record that has none, e.g. an import
  keeping the source's DOI; for others ``doi`` is ignored). Files: ``services.files``.

Errors: everything wrong with the input raises ONE
``catalogue.services.errors.DatasetInputError`` whose ``errors`` maps JSON paths
(``"creators[0].orcid"``, ``"techniques[1]"``, ``"dates.collection_end"``; ``"__all__"``) to
messages, and nothing is written. An actor who may not write raises
``catalogue.access.DatasetForbidden`` (403). ``actor=None`` is the system (demo loader,
management commands) and may do anything.

Edit rule (``catalogue.access.user_may_edit_dataset``): curators, members of the owner group
and the record's creator; access-group members only read; withdrawn records: curators only.
The owner group given must be one of the actor's groups unless the actor is a curator (or the
system). Groups are named and must exist.

Every write runs in one transaction, replaces nested rows (creators, contributors, related
identifiers, funding, alternate identifiers, techniques, access groups) whole, calls
``datasets_changed`` once (search, OAI-PMH follow after commit), and for a record past draft
writes a ``DatasetEvent(kind="edit", changed_fields=[top-level keys])``. A write that changes
nothing writes nothing and announces nothing; the returned dataset's ``changed_fields``
attribute lists what changed (``[]`` then).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from catalogue import vocabularies as voc
from catalogue.access import (
    DatasetAccess,
    DatasetForbidden,
    _group_ids,
    user_is_curator,
    user_may_edit_dataset,
)
from catalogue.identifiers import normalize_doi
from catalogue.models import (
    AlternateIdentifier,
    Beamtime,
    Contributor,
    Creator,
    Dataset,
    DatasetEvent,
    Facility,
    FundingReference,
    Instrument,
    Proposal,
    RelatedIdentifier,
    Status,
    Technique,
)
from catalogue.panet import PANET_BASE
from catalogue.services.bulk import insert_new
from catalogue.services.changes import datasets_changed
from catalogue.services.errors import DatasetInputError
from catalogue.storage import StoragePathError, check_relative_path

READ_ONLY_KEYS = frozenset({
    "pid", "doi", "doi_url", "url", "status", "file_count", "total_size", "formats", "files",
    "files_next", "files_access", "files_embargoed_until", "created_at", "updated_at",
    "published_at", "withdrawn_at", "withdrawal_reason",
    # Shown to owners and curators beside the record (DOI registration at DataCite, doi/).
    "doi_registration",
    # The record's versions (catalogue.services.versions): made by "new version", not written.
    "versions",
})  # fmt: skip

# Simple top-level keys: key -> (model field, default for partial=False).
_TEXT_KEYS = {
    "title": "",
    "description": "",
    "language": "en",
    "version": "",
    "storage_folder": "",
    "download_base_url": "",
}
_JSON_LIST_KEYS = ("additional_titles", "additional_descriptions", "keywords", "subjects")
_NESTED_OBJECTS = {
    "publisher": {"name": "", "ror": ""},
    "resource_type": {"general": "Dataset", "type": "raw"},
    "dates": {"collection_start": None, "collection_end": None, "embargo_until": None,
              "other": [], "published": None, "updated": None},
    "sample": {"name": "", "description": ""},
}  # fmt: skip
_OTHER_KEYS = {
    "creators", "contributors", "publication_year", "license", "related_identifiers",
    "funding_references", "alternate_identifiers", "facility", "instrument", "proposal",
    "beamtime", "techniques", "scientific_metadata", "owner_group", "access_groups",
}  # fmt: skip
WRITABLE_KEYS = frozenset(_TEXT_KEYS) | set(_JSON_LIST_KEYS) | set(_NESTED_OBJECTS) | _OTHER_KEYS

# Model field -> JSON path, for the model's own validation messages.
_FIELD_PATHS = {
    "publisher": "publisher.name",
    "publisher_identifier": "publisher.ror",
    "resource_type_general": "resource_type.general",
    "resource_type": "resource_type.type",
    "collection_start": "dates.collection_start",
    "collection_end": "dates.collection_end",
    "embargo_until": "dates.embargo_until",
    "dates": "dates.other",
    "sample_name": "sample.name",
    "sample_description": "sample.description",
    "license": "license",
    NON_FIELD_ERRORS: "__all__",
}
_AGENT_KEYS = {"name", "name_type", "given_name", "family_name", "orcid", "affiliation"}
_RELATED_KEYS = {
    "identifier",
    "identifier_type",
    "relation_type",
    "resource_type_general",
    "citation",
    "url",
}  # fmt: skip  (url: read-only, derived)
_FUNDING_KEYS = {"funder_name", "funder_identifier", "funder_identifier_type", "award_number",
                 "award_uri", "award_title"}  # fmt: skip
_ALTERNATE_KEYS = {"identifier", "type"}


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def add_validation(self, exc: ValidationError, prefix: str = "", paths=None) -> None:
        paths = paths or {}
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                name = paths.get(field, field)
                if name == "__all__" and prefix:
                    path = prefix
                elif prefix:
                    path = f"{prefix}.{name}"
                else:
                    path = name
                for m in messages:
                    self.add(path, m)
        else:
            for m in exc.messages:
                self.add(prefix or "__all__", m)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DatasetInputError(self.errors)


class _Lookups:
    """The references of one write, looked up once: a batch of 1,000 records that name one
    instrument, one group and two techniques asks PostgreSQL once for each, not 1,000 times.
    Lives for one call of a writer (never across transactions: rows may be rolled back)."""

    def __init__(self) -> None:
        self.memo: dict[tuple, Any] = {}
        self.techniques: dict[str, Technique] = {}
        self.groups: dict[str, Group] = {}
        # (err, path, kind, identifier, own dataset pk): checked together by check_alternates
        self.alternates: list[tuple[_Errors, str, str, str, int | None]] = []

    def get(self, key: tuple, load):
        if key not in self.memo:
            self.memo[key] = load()
        return self.memo[key]

    def technique_map(self, iris: list[str]) -> dict[str, Technique]:
        missing = [i for i in set(iris) if i not in self.techniques]
        if missing:
            self.techniques.update({t.iri: t for t in Technique.objects.filter(iri__in=missing)})
        return self.techniques

    def group_map(self, names: list[str]) -> dict[str, Group]:
        missing = [n for n in set(names) if n not in self.groups]
        if missing:
            self.groups.update({g.name: g for g in Group.objects.filter(name__in=missing)})
        return self.groups

    def prefetch_groups(self, items: Sequence) -> None:
        """Every group the records name (owner and access groups), in one query, so a batch
        of a thousand records naming fifty groups does not ask fifty times."""
        names = set()
        for data in items:
            if not isinstance(data, dict):
                continue
            owner = _key(data.get("owner_group"), "name")
            if isinstance(owner, str):
                names.add(owner)
            groups = data.get("access_groups")
            for item in groups if isinstance(groups, list) else []:
                name = _key(item, "name")
                if isinstance(name, str):
                    names.add(name.strip())
        if names:
            self.group_map(sorted(names))

    def check_alternates(self) -> None:
        """An alternate identifier names one record: one query for all of this write's."""
        pending, self.alternates = self.alternates, []
        if not pending:
            return
        owners: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for kind, identifier, dataset_id, pid in AlternateIdentifier.objects.filter(
            identifier__in={p[3] for p in pending}
        ).values_list("identifier_type", "identifier", "dataset_id", "dataset__pid"):
            owners.setdefault((kind, identifier), []).append((dataset_id, str(pid)))
        claimed: dict[tuple[str, str], str] = {}
        for err, path, kind, identifier, own in pending:
            others = [pid for ds_id, pid in owners.get((kind, identifier), []) if ds_id != own]
            if others:
                err.add(
                    path,
                    _("This identifier already names another dataset (%(pid)s).")
                    % {"pid": others[0]},
                )
            elif (kind, identifier) in claimed:
                err.add(
                    path,
                    _("Given twice in this request (also at %(path)s).")
                    % {"path": claimed[kind, identifier]},
                )
            else:
                claimed[kind, identifier] = path


# --- small parsers: each returns a clean value or records an error and returns a default ------


def _text(value: Any, path: str, err: _Errors) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        err.add(path, _("Must be a string."))
        return ""
    return value.strip()


def _obj(value: Any, path: str, err: _Errors, allowed: set[str]) -> dict | None:
    if not isinstance(value, dict):
        err.add(path, _("Must be an object."))
        return None
    for key in value:
        if key not in allowed:
            err.add(f"{path}.{key}", _("Unknown field."))
    return value


def _list(value: Any, path: str, err: _Errors) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        err.add(path, _("Must be a list."))
        return []
    return value


def _datetime(value: Any, path: str, err: _Errors) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
            if parsed is None and (day := parse_date(value)) is not None:
                parsed = datetime.datetime.combine(day, datetime.time())
        except ValueError:
            parsed = None
    if parsed is None:
        err.add(path, _("Must be an ISO 8601 date-time, e.g. 2024-05-01T08:00:00Z."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def _date(value: Any, path: str, err: _Errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value[:10]) if len(value) >= 10 else None
        except ValueError:
            parsed = None
    if parsed is None:
        err.add(path, _("Must be an ISO 8601 date, e.g. 2026-01-31."))
    return parsed


def _key(value: Any, name: str) -> Any:
    """The identifying value of a reference given as an object (what GET returns) or as is."""
    return value.get(name) if isinstance(value, dict) else value


# --- the parts of the record -------------------------------------------------------------------


def _agents(value: Any, path: str, err: _Errors, model) -> list:
    rows = []
    contributor = model is Contributor
    allowed = _AGENT_KEYS | ({"contributor_type"} if contributor else set())
    for i, item in enumerate(_list(value, path, err)):
        p = f"{path}[{i}]"
        if _obj(item, p, err, allowed) is None:
            continue
        affiliation = item.get("affiliation")
        aff_name, aff_ror = "", ""
        if isinstance(affiliation, dict):
            _obj(affiliation, f"{p}.affiliation", err, {"name", "ror"})
            aff_name = _text(affiliation.get("name"), f"{p}.affiliation.name", err)
            aff_ror = _text(affiliation.get("ror"), f"{p}.affiliation.ror", err)
        else:
            aff_name = _text(affiliation, f"{p}.affiliation", err)
        row = model(
            position=i,
            name=_text(item.get("name"), f"{p}.name", err),
            name_type=_text(item.get("name_type"), f"{p}.name_type", err) or "Personal",
            given_name=_text(item.get("given_name"), f"{p}.given_name", err),
            family_name=_text(item.get("family_name"), f"{p}.family_name", err),
            orcid=_text(item.get("orcid"), f"{p}.orcid", err),
            affiliation=aff_name,
            affiliation_ror=aff_ror,
        )
        if contributor:
            row.contributor_type = (
                _text(item.get("contributor_type"), f"{p}.contributor_type", err) or "Researcher"
            )
        _clean_row(row, p, err, {"affiliation": "affiliation.name",
                                 "affiliation_ror": "affiliation.ror"})  # fmt: skip
        rows.append(row)
    return rows


def _clean_row(row, path: str, err: _Errors, paths=None) -> None:
    try:
        row.full_clean(exclude=["dataset"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        err.add_validation(exc, prefix=path, paths=paths)


def _related(value: Any, err: _Errors) -> list[RelatedIdentifier]:
    rows = []
    for i, item in enumerate(_list(value, "related_identifiers", err)):
        p = f"related_identifiers[{i}]"
        if _obj(item, p, err, _RELATED_KEYS) is None:
            continue
        row = RelatedIdentifier(
            identifier=_text(item.get("identifier"), f"{p}.identifier", err),
            identifier_type=_text(item.get("identifier_type"), f"{p}.identifier_type", err)
            or "DOI",
            relation_type=_text(item.get("relation_type"), f"{p}.relation_type", err)
            or "IsSupplementTo",
            resource_type_general=_text(
                item.get("resource_type_general"), f"{p}.resource_type_general", err
            ),
            citation=_text(item.get("citation"), f"{p}.citation", err),
        )
        _clean_row(row, p, err)
        rows.append(row)
    return rows


def _funding(value: Any, err: _Errors) -> list[FundingReference]:
    rows = []
    for i, item in enumerate(_list(value, "funding_references", err)):
        p = f"funding_references[{i}]"
        if _obj(item, p, err, _FUNDING_KEYS) is None:
            continue
        row = FundingReference(**{k: _text(item.get(k), f"{p}.{k}", err) for k in _FUNDING_KEYS})
        _clean_row(row, p, err)
        rows.append(row)
    return rows


def _alternates(
    value: Any, err: _Errors, dataset: Dataset, lookups: _Lookups
) -> list[AlternateIdentifier]:
    rows, seen = [], set()
    for i, item in enumerate(_list(value, "alternate_identifiers", err)):
        p = f"alternate_identifiers[{i}]"
        if _obj(item, p, err, _ALTERNATE_KEYS) is None:
            continue
        identifier = _text(item.get("identifier"), f"{p}.identifier", err)
        kind = _text(item.get("type"), f"{p}.type", err)
        if not identifier:
            err.add(f"{p}.identifier", _("This field is required."))
        if not kind:
            err.add(f"{p}.type", _("Say what kind of identifier it is, e.g. 'SciCat PID'."))
        if not (identifier and kind):
            continue
        if (kind, identifier) in seen:
            err.add(p, _("Given twice."))
            continue
        seen.add((kind, identifier))
        row = AlternateIdentifier(identifier=identifier, identifier_type=kind)
        _clean_row(row, p, err)
        lookups.alternates.append((err, p, kind, identifier, dataset.pk))
        rows.append(row)
    return rows


def _techniques(value: Any, err: _Errors, lookups: _Lookups) -> list[Technique]:
    wanted: list[tuple[str, str]] = []
    for i, item in enumerate(_list(value, "techniques", err)):
        p = f"techniques[{i}]"
        ref = item.iri if isinstance(item, Technique) else item
        if isinstance(item, dict):
            _obj(item, p, err, {"iri", "label", "panet_id"})
            ref = item.get("iri") or item.get("panet_id")
        if not isinstance(ref, str) or not ref.strip():
            err.add(p, _("Name a PaNET technique by its IRI or id (e.g. PaNET01012)."))
            continue
        ref = ref.strip()
        iri = ref if "://" in ref else PANET_BASE + ref
        wanted.append((p, iri))
    found = lookups.technique_map([iri for _, iri in wanted])
    result = []
    for p, iri in wanted:
        if iri not in found:
            err.add(p, _("%(iri)s is not a PaNET technique known to this portal.") % {"iri": iri})
        elif found[iri] not in result:
            result.append(found[iri])
    return result


def _groups(value: Any, err: _Errors, lookups: _Lookups) -> list[Group]:
    names = []
    for i, item in enumerate(_list(value, "access_groups", err)):
        name = item.name if isinstance(item, Group) else _key(item, "name")
        if not isinstance(name, str) or not name.strip():
            err.add(f"access_groups[{i}]", _("Name a group."))
            continue
        names.append((i, name.strip()))
    found = lookups.group_map([n for _, n in names])
    result = []
    for i, name in names:
        if name not in found:
            err.add(f"access_groups[{i}]", _("There is no group %(name)s.") % {"name": repr(name)})
        elif found[name] not in result:
            result.append(found[name])
    return result


def _lookup(model, path: str, err: _Errors, lookups: _Lookups, *, missing: str, **query):
    def load():
        try:
            return model.objects.filter(**query).first()
        except (ValueError, TypeError, ValidationError):
            return None

    obj = lookups.get((model.__name__, tuple(sorted(query.items()))), load)
    if obj is None:
        err.add(path, missing)
    return obj


def _context(data: dict, ds: Dataset, err: _Errors, lookups: _Lookups) -> None:
    """facility, instrument, proposal, beamtime: references by code / pid / id."""
    if "facility" in data and isinstance(data["facility"], Facility):
        ds.facility = data["facility"]
    elif "facility" in data:
        ref = _key(data["facility"], "code")
        ds.facility = None
        if ref not in (None, ""):
            ds.facility = _lookup(
                Facility, "facility", err, lookups, missing=_("No such facility."), code=str(ref)
            )
    if "instrument" in data and isinstance(data["instrument"], Instrument):
        ds.instrument = data["instrument"]
    elif "instrument" in data:
        ref = _key(data["instrument"], "code")
        ds.instrument = None
        if ref not in (None, ""):
            ref = str(ref)
            ds.instrument = lookups.get(
                ("instrument", ref),
                lambda: (
                    Instrument.objects.select_related("facility").filter(code=ref).first()
                    or Instrument.objects.select_related("facility")
                    .filter(pid=ref)
                    .exclude(pid="")
                    .first()
                ),
            )
            if ds.instrument is None:
                err.add(
                    "instrument",
                    _("No instrument has the code or pid %(ref)s.") % {"ref": repr(ref)},
                )
    if ds.instrument is not None and "facility" not in data and ds.facility_id is None:
        ds.facility = ds.instrument.facility
    proposal = None
    if data.get("proposal") not in (None, ""):
        ref = str(_key(data["proposal"], "proposal_id"))
        qs = Proposal.objects.filter(proposal_id=ref)
        if ds.facility is not None:
            qs = qs.filter(facility=ds.facility)
        matches = lookups.get(("proposal", ref, ds.facility_id), lambda: list(qs[:2]))
        if len(matches) != 1:
            if ds.facility:
                message = _("No single proposal %(ref)s at %(facility)s.") % {
                    "ref": repr(ref),
                    "facility": ds.facility.code,
                }
            else:
                message = _("No single proposal %(ref)s; name the facility.") % {"ref": repr(ref)}
            err.add("proposal", message)
        else:
            proposal = matches[0]
    if "beamtime" in data and isinstance(data["beamtime"], Beamtime):
        ds.beamtime = data["beamtime"]
    elif "beamtime" in data:
        ref = _key(data["beamtime"], "beamtime_id")
        ds.beamtime = None
        if ref not in (None, ""):
            qs = Beamtime.objects.select_related("proposal")
            if proposal is not None:
                qs = qs.filter(proposal=proposal)
            elif ds.facility is not None:
                qs = qs.filter(proposal__facility=ds.facility)
            key = ("beamtime", ref, getattr(proposal, "pk", None), ds.facility_id)

            def load(qs=qs, ref=ref):
                found = list(qs.filter(beamtime_id=str(ref))[:2])
                if not found and isinstance(ref, int):
                    found = list(qs.filter(pk=ref)[:1])
                return found

            matches = lookups.get(key, load)
            if len(matches) != 1:
                err.add(
                    "beamtime",
                    _("No single beamtime %(ref)s; name its proposal.") % {"ref": repr(ref)},
                )
            else:
                ds.beamtime = matches[0]
    elif proposal is not None:
        beamtimes = lookups.get(
            ("proposal-beamtimes", proposal.pk), lambda: list(proposal.beamtimes.all()[:2])
        )
        if ds.beamtime is not None and ds.beamtime.proposal_id == proposal.pk:
            pass
        elif len(beamtimes) == 1:
            ds.beamtime = beamtimes[0]
        else:
            err.add("proposal", _("A record names its proposal through a beamtime: give beamtime."))
    if proposal is not None and ds.beamtime is not None and ds.beamtime.proposal_id != proposal.pk:
        err.add("beamtime", _("The beamtime belongs to another proposal."))
    if ds.beamtime is not None and ds.facility is None:
        ds.facility = ds.beamtime.proposal.facility


def _apply(
    data: dict, ds: Dataset, *, partial: bool, actor, err: _Errors, lookups: _Lookups
) -> dict:
    """Set the dataset's own fields from ``data``; return the nested rows to write."""
    if not isinstance(data, dict):
        err.add("__all__", _("The record must be a JSON object."))
        err.raise_if_any()
    for key in data:
        if key not in WRITABLE_KEYS and key not in READ_ONLY_KEYS:
            err.add(key, _("Unknown field."))

    def given(key: str) -> bool:
        return key in data or not partial

    for key, default in _TEXT_KEYS.items():
        if given(key):
            setattr(ds, key, _text(data.get(key, default), key, err) or default)
    for key in _JSON_LIST_KEYS:
        if given(key):
            setattr(ds, key, _list(data.get(key), key, err))
    if given("scientific_metadata"):
        value = data.get("scientific_metadata")
        ds.scientific_metadata = {} if value is None else value
    if given("publication_year"):
        value = data.get("publication_year")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            err.add("publication_year", _("Must be a whole number (a year)."))
            value = None
        ds.publication_year = value
    if given("license"):
        value = _key(data.get("license", "CC-BY-4.0"), "spdx")
        if not isinstance(value, str) or value not in voc.LICENCES:
            err.add(
                "license",
                _("Must be one of the SPDX ids %(ids)s.") % {"ids": ", ".join(voc.LICENCES)},
            )
        else:
            ds.license = value

    nested = {}
    for key, defaults in _NESTED_OBJECTS.items():
        if not given(key):
            continue
        value = data.get(key)
        if key == "publisher" and isinstance(value, str):
            value = {"name": value}
        if value is None:
            value = {}
        if _obj(value, key, err, set(defaults)) is None:
            value = {}
        nested[key] = {k: value.get(k, None if partial else d)
                       for k, d in defaults.items()}  # fmt: skip
        nested[key]["__given__"] = set(value) if partial else set(defaults)
    if "publisher" in nested:
        v, g = nested["publisher"], nested["publisher"]["__given__"]
        if "name" in g:
            ds.publisher = _text(v["name"], "publisher.name", err)
        if "ror" in g:
            ds.publisher_identifier = _text(v["ror"], "publisher.ror", err)
    if "resource_type" in nested:
        v, g = nested["resource_type"], nested["resource_type"]["__given__"]
        if "general" in g:
            ds.resource_type_general = (
                _text(v["general"], "resource_type.general", err) or "Dataset"
            )
        if "type" in g:
            ds.resource_type = _text(v["type"], "resource_type.type", err)
    if "dates" in nested:
        v, g = nested["dates"], nested["dates"]["__given__"]
        if "collection_start" in g:
            ds.collection_start = _datetime(v["collection_start"], "dates.collection_start", err)
        if "collection_end" in g:
            ds.collection_end = _datetime(v["collection_end"], "dates.collection_end", err)
        if "embargo_until" in g:
            ds.embargo_until = _date(v["embargo_until"], "dates.embargo_until", err)
        if "other" in g:
            ds.dates = _list(v["other"], "dates.other", err)
    if "sample" in nested:
        v, g = nested["sample"], nested["sample"]["__given__"]
        if "name" in g:
            ds.sample_name = _text(v["name"], "sample.name", err)
        if "description" in g:
            ds.sample_description = _text(v["description"], "sample.description", err)

    context = {k: data.get(k) for k in ("facility", "instrument", "proposal", "beamtime")
               if given(k)}  # fmt: skip
    _context(context, ds, err, lookups)

    if ds.storage_folder:
        try:
            check_relative_path(ds.storage_folder)
        except StoragePathError as exc:
            err.add("storage_folder", str(exc))

    if given("owner_group"):
        name = data.get("owner_group")
        name = name.name if isinstance(name, Group) else _key(name, "name")
        group = None
        if name not in (None, ""):
            if not isinstance(name, str):
                err.add("owner_group", _("Name a group."))
            else:
                group = lookups.group_map([name]).get(name)
                if group is None:
                    err.add("owner_group", _("There is no group %(name)s.") % {"name": repr(name)})
        if group is not None and group.pk != ds.owner_group_id and not _may_own(actor, group):
            err.add("owner_group", _("The owner group must be one of your groups."))
        ds.owner_group = group

    rows: dict[str, list | None] = {}
    rows["creators"] = _agents(data.get("creators"), "creators", err, Creator) if given(
        "creators") else None  # fmt: skip
    rows["contributors"] = _agents(
        data.get("contributors"), "contributors", err, Contributor
    ) if given("contributors") else None  # fmt: skip
    rows["related_identifiers"] = (
        _related(data.get("related_identifiers"), err) if given("related_identifiers") else None
    )
    rows["funding_references"] = (
        _funding(data.get("funding_references"), err) if given("funding_references") else None
    )
    rows["alternate_identifiers"] = (
        _alternates(data.get("alternate_identifiers"), err, ds, lookups)
        if given("alternate_identifiers")
        else None
    )
    rows["techniques"] = (
        _techniques(data.get("techniques"), err, lookups) if given("techniques") else None
    )
    rows["access_groups"] = _groups(data.get("access_groups"), err, lookups) if given(
        "access_groups") else None  # fmt: skip
    return rows


def _may_own(actor, group: Group) -> bool:
    return actor is None or user_is_curator(actor) or group.pk in _group_ids(actor)


def _check_identity(data: dict, ds: Dataset, actor, err: _Errors) -> None:
    """pid never changes; the DOI, once set, neither."""
    if not isinstance(data, dict):
        return
    if data.get("pid") not in (None, "") and ds.pk is not None:
        try:
            same = uuid.UUID(str(data["pid"])) == ds.pid
        except ValueError:
            same = False
        if not same:
            err.add("pid", _("The pid of a record never changes."))
    raw = data.get("doi")
    if raw in (None, ""):
        return
    try:
        doi = normalize_doi(str(raw))
    except ValueError as exc:
        if ds.doi or actor is None or user_is_curator(actor):
            err.add("doi", str(exc))
        return
    if ds.doi:
        if doi != ds.doi:
            err.add(
                "doi", _("The DOI of this record is %(doi)s and cannot change.") % {"doi": ds.doi}
            )
    elif actor is None or user_is_curator(actor):
        ds.doi = doi  # curators and importers keep a DOI the record already has elsewhere


# References the writer itself looked up (or the admin passed as instances): checking that
# they exist again would cost one query each per record.
_LOOKED_UP = ["facility", "instrument", "beamtime", "owner_group"]


def _validate_model(ds: Dataset, err: _Errors, *, unique: bool = True) -> None:
    """The model's own rules. ``unique=False``: the caller checks the DOI's uniqueness for a
    whole batch in one query (a new record's pid is a fresh UUID)."""
    exclude = ["techniques", "access_groups", "created_by", "status", *_LOOKED_UP]
    if ds.status == Status.DRAFT:
        exclude.append("title")  # drafts may be untitled; submission checks it
        if len(ds.title) > Dataset._meta.get_field("title").max_length:
            err.add("title", _("Too long."))
    try:
        ds.full_clean(exclude=exclude, validate_unique=unique)
    except ValidationError as exc:
        err.add_validation(exc, paths=_FIELD_PATHS)


def _check_dois(items: list[tuple[Dataset, _Errors]]) -> None:
    """DOIs are unique: one query for a batch of new records (and no DOI twice in it)."""
    wanted: dict[str, list[_Errors]] = {}
    for ds, err in items:
        if ds.doi:
            ds.doi = ds.doi.strip().lower()  # the stored form (Dataset.save)
            wanted.setdefault(ds.doi, []).append(err)
    if not wanted:
        return
    taken = set(Dataset.objects.filter(doi__in=list(wanted)).values_list("doi", flat=True))
    for doi, errs in wanted.items():
        for n, err in enumerate(errs):
            if doi in taken:
                err.add("doi", _("Dataset with this DOI already exists."))
            elif n:
                err.add("doi", _("Another record of this request has this DOI."))


# The nested rows a change replaces whole (``_write_rows_many``), by their prefetch names.
_NESTED = ("creators", "contributors", "related_identifiers", "funding_references",
           "alternate_identifiers", "techniques", "access_groups")  # fmt: skip


# The record as a comparable dict: API keys -> values, for diffs and audit events.
def _state_and_record(
    ds: Dataset, *, earlier: Dataset | None = None, rewritten: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], Dataset]:
    """What the record says now (compared before and after a change), and the record as
    loaded for it (with everything its snapshot needs).

    ``earlier`` is the record as this function loaded it before the change, in the same
    transaction and under the row lock every writer of a record takes first
    (``select_for_update``): its nested rows can only have changed through this change, so
    those it did not replace (not in ``rewritten``) are taken from ``earlier`` instead of
    read again. A PATCH of the keywords reads the row and no nested table a second time.
    """
    from catalogue.api.representation import dataset_editor_json, dataset_json
    from catalogue.snapshot import dataset_snapshot, snapshot_queryset

    loaded = snapshot_queryset().select_related("owner_group").prefetch_related("access_groups")
    if earlier is None:
        fresh = loaded.get(pk=ds.pk)
    else:
        fresh = loaded.prefetch_related(None).get(pk=ds.pk)
        kept = getattr(earlier, "_prefetched_objects_cache", {})
        fresh._prefetched_objects_cache = {
            name: kept[name] for name in _NESTED if name not in rewritten and name in kept
        }
        missing = [
            lookup
            for lookup in loaded._prefetch_related_lookups
            if getattr(lookup, "prefetch_to", lookup) not in fresh._prefetched_objects_cache
        ]
        prefetch_related_objects([fresh], *missing)
    state = dataset_json(dataset_snapshot(fresh))
    state.update(dataset_editor_json(fresh))
    state["dates"] = {k: v for k, v in state["dates"].items() if k not in ("updated",)}
    for key in READ_ONLY_KEYS - {"doi"}:
        state.pop(key, None)
    return state, fresh


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _write_rows(ds: Dataset, rows: dict, *, new: bool = False) -> None:
    _write_rows_many([(ds, rows)], new=new)


def _write_rows_many(records: list[tuple[Dataset, dict]], *, new: bool = False) -> None:
    """The nested rows of these records: one INSERT per table for all of them."""
    for key, model in (
        ("creators", Creator),
        ("contributors", Contributor),
        ("related_identifiers", RelatedIdentifier),
        ("funding_references", FundingReference),
        ("alternate_identifiers", AlternateIdentifier),
    ):
        batch = []
        for ds, rows in records:
            if rows.get(key) is None:
                continue
            if not new:  # a new record has no rows to replace (saves five DELETEs per create)
                model.objects.filter(dataset=ds).delete()
            for row in rows[key]:
                row.dataset = ds
            batch.extend(rows[key])
        if batch and new:
            insert_new(model, batch)
        elif batch:
            model.objects.bulk_create(batch)
    for key, field in (("techniques", "technique"), ("access_groups", "group")):
        through = getattr(Dataset, key).through
        links = []
        for ds, rows in records:
            if rows.get(key) is None:
                continue
            if not new:
                getattr(ds, key).set(rows[key])
                continue
            links.extend(through(dataset_id=ds.pk, **{f"{field}_id": o.pk}) for o in rows[key])
        if links:
            insert_new(through, links)


def _actor_user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def dataset_create(*, data: dict, actor) -> Dataset:
    """Create a draft from ``data`` (see the module docstring); ``created_by`` is the actor."""
    return _create_many(items=[data], files=None, actor=actor, indexed=False)[0]


def datasets_create_many(
    *,
    items: Sequence[dict],
    actor,
    files: Sequence[Sequence | None] | None = None,
    max_files: int | None = None,
    published: Sequence[bool] | None = None,
    published_comment: str = "",
) -> list[Dataset]:
    """Create many drafts in one transaction: all or none. ``dataset_create`` is this for one.

    ``items`` are records as :func:`dataset_create` takes them; ``files[i]`` (optional) is the
    file list of ``items[i]`` as ``services.files.dataset_files_register`` takes it (at most
    ``max_files`` each). References are looked up once for the batch; every table gets one
    INSERT for all records; ``datasets_changed`` is called once, so search indexing and
    OAI-PMH rendering follow in batches. Errors: one ``DatasetInputError`` whose paths start
    with the record's index, ``"[3].creators[0].orcid"``, ``"[0].files[12].path"``.

    ``published[i]`` (the system only, ``actor=None``: imports of what a source published):
    ``items[i]`` is created published, in the one step of the lifecycle's system move
    (``lifecycle.datasets_publish_new_as_system``: its audit event, DOI and concept, version
    1), its row inserted once in its final state. A record that may not be published raises
    ``lifecycle.TransitionError``, and nothing is written.
    """
    return _create_many(items=items, files=files, actor=actor, indexed=True, max_files=max_files,
                        published=published, published_comment=published_comment)  # fmt: skip


def _create_many(*, items, files, actor, indexed: bool, max_files: int | None = None,
                 published: Sequence[bool] | None = None, published_comment: str = ""):  # fmt: skip
    from catalogue.services.files import file_rows, file_totals, files_insert_new

    lookups = _Lookups()
    if len(items) > 1:
        lookups.prefetch_groups(items)
    records: list[tuple[Dataset, dict, _Errors, list]] = []
    created_by = _actor_user(actor)
    for i, data in enumerate(items):
        err = _Errors()
        ds = Dataset(status=Status.DRAFT, created_by=created_by)
        _check_identity(data, ds, actor, err)
        rows = _apply(data, ds, partial=False, actor=actor, err=err, lookups=lookups)
        if not err.errors:
            _validate_model(ds, err, unique=False)
        file_list = []
        if files is not None and files[i] is not None:
            try:
                file_list = file_rows(files[i], max_files=max_files)
            except DatasetInputError as exc:
                for path, messages in exc.errors.items():
                    for message in messages:
                        err.add(path if path.startswith("files") else f"files.{path}", message)
            ds.file_count, ds.total_size, ds.file_formats = file_totals(file_list)
        records.append((ds, rows, err, file_list))
    lookups.check_alternates()
    _check_dois([(ds, err) for ds, _, err, _ in records])
    errors: dict[str, list[str]] = {}
    for i, (_ds, _rows, err, _files) in enumerate(records):
        for path, messages in err.errors.items():
            if indexed:
                path = f"[{i}]" if path == "__all__" else f"[{i}].{path}"
            errors.setdefault(path, []).extend(messages)
    if errors:
        raise DatasetInputError(errors)
    datasets = [ds for ds, *_ in records]
    for ds in datasets:
        ds.doi = (ds.doi or "").strip().lower() or None  # the stored form (Dataset.save)
    with transaction.atomic():
        after_insert = None
        if published is not None and any(published):
            from catalogue.services.lifecycle import datasets_publish_new_as_system

            if actor is not None:
                raise ValueError("Only the system creates records published.")
            chosen = [r for r, p in zip(records, published, strict=True) if p]
            after_insert = datasets_publish_new_as_system(
                datasets=[ds for ds, *_ in chosen],
                has_creators=[bool(rows.get("creators")) for _, rows, _, _ in chosen],
                comment=published_comment,
            )
        insert_new(Dataset, datasets)
        _write_rows_many([(ds, rows) for ds, rows, _, _ in records], new=True)
        if after_insert is not None:
            after_insert()
        if any(file_list for *_, file_list in records):
            files_insert_new(
                (ds.pk, f.path, f.size, f.checksum_algorithm, f.checksum, f.media_type)
                for ds, _, _, file_list in records
                for f in file_list
            )
        datasets_changed([ds.pk for ds in datasets])
    for ds, data in zip(datasets, items, strict=True):
        ds.changed_fields = sorted(k for k in WRITABLE_KEYS if k in data)
    return datasets


def dataset_update(*, dataset: Dataset, data: dict, actor, partial: bool = True) -> Dataset:
    """Change a record (see the module docstring); returns the updated dataset. After a
    change it is loaded with what its snapshot needs (the API answers with it)."""
    err = _Errors()
    with transaction.atomic():
        ds = (
            Dataset.objects.select_for_update(of=("self",))
            .select_related("facility", "instrument", "beamtime__proposal")
            .get(pk=dataset.pk)
        )
        if actor is not None and not user_may_edit_dataset(actor, ds):
            raise DatasetForbidden(ds, DatasetAccess(metadata=True, files=False, tombstone=False))
        before, earlier = _state_and_record(ds)
        _check_identity(data, ds, actor, err)
        lookups = _Lookups()
        rows = _apply(data, ds, partial=partial, actor=actor, err=err, lookups=lookups)
        lookups.check_alternates()
        err.raise_if_any()
        _validate_model(ds, err)
        err.raise_if_any()
        ds.save()
        _write_rows(ds, rows)
        rewritten = frozenset(key for key in _NESTED if rows.get(key) is not None)
        after, fresh = _state_and_record(ds, earlier=earlier, rewritten=rewritten)
        changed = _changed(before, after)
        if not changed:
            transaction.set_rollback(True)  # nothing to say: not even updated_at moves
        else:
            if ds.status != Status.DRAFT:
                DatasetEvent.objects.create(
                    dataset=ds,
                    kind=DatasetEvent.Kind.EDIT,
                    actor=_actor_user(actor),
                    actor_name=actor.get_username() if _actor_user(actor) else "",
                    from_status=ds.status,
                    to_status=ds.status,
                    changed_fields=changed,
                )
            datasets_changed([ds.pk])
    ds = fresh if changed else Dataset.objects.get(pk=dataset.pk)
    ds.changed_fields = changed
    return ds


def dataset_delete_draft(*, dataset: Dataset, actor) -> None:
    """Delete a draft (with its files' records). Records past draft are withdrawn instead."""
    with transaction.atomic():
        ds = Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        if ds is None:
            return  # already gone: deleting twice is fine
        if actor is not None and not user_may_edit_dataset(actor, ds):
            raise DatasetForbidden(ds, DatasetAccess(metadata=True, files=False, tombstone=False))
        if ds.status != Status.DRAFT:
            raise DatasetInputError(
                {"status": [_("Only drafts can be deleted; a published record is withdrawn.")]}
            )
        pk = ds.pk
        ds.delete()
        datasets_changed([pk])  # its search document goes
