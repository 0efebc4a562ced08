"""Reads of the PaNOSC API: datasets through the catalogue's search, documents and
instruments from the catalogue's proposals, publications and instruments.

* Datasets: the filter is translated (``panosc.translate``) into a ``SearchQuery`` and asked
  of ``catalogue.search.selectors.search_datasets`` as an anonymous user; the page of hits is
  then loaded from the public queryset and embedded objects are added per ``include``.
* Documents: one per proposal with public datasets (type ``proposal``) and one per
  publication public datasets are supplements of (``RelatedIdentifier`` IsSupplementTo,
  type ``publication``). Members are the proposal's principal investigator and the datasets'
  creators, with their affiliations. A ``datasets`` scope is a dataset search.
* Instruments: every instrument of the catalogue (facility information is public).

``query=`` ranks: datasets by the backend's relevance, documents and instruments by the share
of the query's words found in their text fields (title first). Scores are in [0, 1].
"""

import datetime
import re
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse

from catalogue.models import DataFile, Dataset, Proposal, RelatedIdentifier, Status, Technique
from catalogue.search.backends.database import condition_holds
from catalogue.search.connection import SearchUnavailable  # noqa: F401 (re-exported for views)
from catalogue.search.indexing import proposal_key
from catalogue.search.queries import (
    MAX_RESULT_WINDOW,
    And,
    FieldTest,
    Or,
    SearchInputError,
    SearchQuery,
    parse_text_query,
)
from catalogue.search.selectors import search_dataset_ids, search_datasets, search_values
from catalogue.snapshot import DatasetSnapshot, InstrumentSnapshot, TechniqueSnapshot
from panosc import access, mapping
from panosc.filter import (
    DEFAULT_LIMIT,
    Filter,
    FilterError,
    Projection,
    WhereNode,
    matches,
    text_matches,
)
from panosc.translate import (
    MAX_JOINED_DATASETS,
    DatasetPlan,
    _check_nested,
    dataset_plan,
    instrument_objects,
    parameter_alternatives,
)

PUBLICATION_RELATION = "IsSupplementTo"
MAX_DOCUMENTS = 50_000  # documents a dataset scope may reach (aggregation buckets)
PI_ROLE = "principal investigator"
CREATOR_ROLE = "creator"
_WORD = re.compile(r"\w+")


def _window(items: list, scope: Filter, default: int | None = DEFAULT_LIMIT) -> list:
    limit = scope.limit or default
    items = items[scope.skip :]
    return items[:limit] if limit else items


def _project(obj: dict, scope: Filter) -> dict:
    return Projection(scope.fields).apply(obj, scope.model)


def _parse_text(text: str):
    try:
        return parse_text_query(text)
    except SearchInputError as exc:
        raise FilterError(f"query: {exc.message}") from exc


# ------------------------------------------------------------------------- datasets --
# What a PaNOSC dataset object reads: one query plus one for techniques, not the full
# snapshot (creators, contributors, funding... are not part of the PaNOSC Dataset).
_ROW_FIELDS = (
    "pk", "pid", "doi", "status", "title", "created_at", "total_size", "sample_name",
    "sample_description", "scientific_metadata", "embargo_until", "download_base_url",
    "instrument__pid", "instrument__code", "instrument__name",
    "instrument__facility__name", "instrument__facility__short_name",
)  # fmt: skip


def panosc_rows(queryset=None):
    """Public datasets with what ``panosc_snapshot`` reads (the gate's public queryset)."""
    qs = access.public_datasets() if queryset is None else access.public_datasets(queryset)
    return (
        qs.select_related("instrument__facility")
        .only(*_ROW_FIELDS)
        .prefetch_related(
            Prefetch(
                "techniques", queryset=Technique.objects.only("iri", "label").order_by("label")
            )
        )
    )


def panosc_snapshot(dataset: Dataset) -> DatasetSnapshot:
    """The part of a DatasetSnapshot the PaNOSC objects need (mapping reads snapshots)."""
    instrument = dataset.instrument
    return DatasetSnapshot(
        pid=dataset.pid,
        doi=dataset.doi,
        status=dataset.status,
        title=dataset.title,
        url="",
        created_at=dataset.created_at,
        total_size=dataset.total_size,
        sample_name=dataset.sample_name,
        sample_description=dataset.sample_description,
        scientific_metadata=dataset.scientific_metadata or {},
        embargo_until=dataset.embargo_until,
        instrument=InstrumentSnapshot(
            code=instrument.code, name=instrument.name, pid=instrument.pid
        )
        if instrument
        else None,
        techniques=tuple(
            TechniqueSnapshot(iri=t.iri, label=t.label) for t in dataset.techniques.all()
        ),
    )


# What a page of search hits carries for the PaNOSC objects (``SearchQuery.source``): the
# page is served from the search documents, without the database.
RECORD_SOURCE = (
    "status", "created_at", "total_size", "sample_name", "embargo_until",
    "instrument", "instrument_code", "instrument_pid", "facility", "facility_short_name",
    "techniques", "technique_iris", "proposal_pid", "supplement_to", "record",
)  # fmt: skip


@dataclass(frozen=True)
class Record:
    """One public dataset as the PaNOSC objects read it, from a search hit's document or
    from a database row (a single dataset, datasets embedded in documents)."""

    snapshot: DatasetSnapshot
    facility: str  # the instrument's facility, as the Instrument object shows it
    documents: frozenset[str] | None  # its documents' pids; None: ask the database
    pk: int | None = None  # the database key, when loaded from the database
    # Which parameter conditions the dataset passed, as the search backend reported them
    # (``SearchHit.matched``); None: evaluate the conditions here.
    matched: frozenset[int] | None = None


def _datetime(value):
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value):
    return datetime.date.fromisoformat(value[:10]) if value else None


def record_from_hit(hit) -> Record:
    """A Record from a hit's search document (``catalogue.search.indexing``'s mapping)."""
    source = hit.source or {}
    stored = source.get("record") or {}
    instrument = None
    if source.get("instrument_code"):
        instrument = InstrumentSnapshot(
            code=source["instrument_code"],
            name=source.get("instrument") or "",
            pid=source.get("instrument_pid") or "",
        )
    techniques = tuple(
        TechniqueSnapshot(iri=iri, label=label)
        for iri, label in zip(
            source.get("technique_iris") or (), source.get("techniques") or (), strict=False
        )
    )
    snapshot = DatasetSnapshot(
        pid=uuid.UUID(hit.pid),
        doi=hit.doi or None,
        status=source.get("status") or hit.status,
        title=hit.title,
        url="",
        created_at=_datetime(source.get("created_at")),
        total_size=source.get("total_size") or 0,
        sample_name=source.get("sample_name") or "",
        sample_description=stored.get("sample_description") or "",
        scientific_metadata=stored.get("scientific_metadata") or {},
        embargo_until=_date(source.get("embargo_until")),
        instrument=instrument,
        techniques=techniques,
    )
    documents = {source["proposal_pid"]} if source.get("proposal_pid") else set()
    documents.update(source.get("supplement_to") or ())
    facility = mapping.facility_label(
        short_name=source.get("facility_short_name") or "", name=source.get("facility") or ""
    )
    return Record(
        snapshot=snapshot, facility=facility, documents=frozenset(documents), matched=hit.matched
    )


def record_from_row(dataset: Dataset) -> Record:
    """A Record from a row of ``panosc_rows`` (its documents are looked up when asked for)."""
    facility = dataset.instrument.facility if dataset.instrument_id else None
    return Record(
        snapshot=panosc_snapshot(dataset),
        facility=mapping.facility_label(
            short_name=facility.short_name if facility else "",
            name=facility.name if facility else "",
        ),
        documents=None,
        pk=dataset.pk,
    )


def _dataset_query(
    plan: DatasetPlan,
    *,
    text: str,
    start: int,
    size: int,
    source: tuple = (),
    count=True,
    matched: bool = False,
    all_versions: bool = False,
) -> SearchQuery:
    if start + size > MAX_RESULT_WINDOW:
        raise FilterError(
            f"skip + limit may not exceed {MAX_RESULT_WINDOW:,}; narrow the filter instead."
        )
    return SearchQuery(
        text=text,
        expression=_parse_text(text) if text else None,
        where=plan.where,
        start=start,
        page=1,
        page_size=size,
        facets=False,
        source=source,
        count=count,
        all_versions=all_versions,
        # The backend says which parameter conditions each hit passed (Elasticsearch's
        # named queries), so embedding the parameters converts no units here.
        matched_entries=_reported(plan.parameters)
        if matched and plan.filter.included("parameters")
        else (),
    )


def _search(plan: DatasetPlan, *, text: str, start: int, size: int, **options):
    query = _dataset_query(plan, text=text, start=start, size=size, **options)
    try:
        return search_datasets(user=access.search_user(), query=query)
    except SearchInputError as exc:
        raise FilterError(exc.message) from exc


def datasets_search(*, filt: Filter, text: str = "") -> list[dict]:
    """The page of datasets a filter asks for, with scores and embedded objects: one search
    (no total: nobody shows it), the page built from the hits' search documents."""
    plan = dataset_plan(filt)
    limit = filt.limit or DEFAULT_LIMIT
    result = _search(
        plan,
        text=text,
        start=filt.skip,
        size=limit,
        source=RECORD_SOURCE,
        count=False,
        matched=True,
    )
    # The search ran as the public (the gate's principals); only published records are public.
    hits = [h for h in result.hits if (h.source or {}).get("status", h.status) == Status.PUBLISHED]
    scores = {h.pid: mapping.score_in_unit_interval(h.score) if text else 0.0 for h in hits}
    return render_datasets([record_from_hit(h) for h in hits], plan, scores=scores)


def datasets_count(*, where: WhereNode | None, text: str = "") -> int:
    plan = dataset_plan(Filter("Dataset", where))
    return _search(plan, text=text, start=0, size=0).total


def dataset_get(*, pid: str, filt: Filter) -> dict | None:
    dataset = access.public_dataset_by_pid(pid, panosc_rows(Dataset.objects.all()))
    if dataset is None:
        return None
    plan = dataset_plan(Filter("Dataset", None, filt.include, fields=filt.fields))
    return render_datasets([record_from_row(dataset)], plan, scores={str(dataset.pid): 0.0})[0]


def dataset_files(*, pid: str, filt: Filter) -> list[dict] | None:
    dataset = access.public_dataset_by_pid(pid)
    if dataset is None:
        return None
    from panosc.translate import file_q

    _check_nested("File", filt, "filter")
    rows = DataFile.objects.filter(dataset=dataset).filter(file_q(filt.where, "filter.where"))
    rows = rows.order_by("path")
    limit = filt.limit or None
    rows = rows[filt.skip : filt.skip + limit] if limit else rows[filt.skip :]
    snapshot_pid = dataset.doi or str(dataset.pid)
    opened = access.files_open(dataset)
    return [_project(_file(dataset, f, snapshot_pid, opened), filt) for f in rows]


def dataset_files_count(*, pid: str, where: WhereNode | None) -> int | None:
    dataset = access.public_dataset_by_pid(pid)
    if dataset is None:
        return None
    from panosc.translate import file_q

    return DataFile.objects.filter(dataset=dataset).filter(file_q(where, "where")).count()


def _file(dataset, f: DataFile, owner: str, opened: bool) -> dict:
    url = None
    if opened:
        from catalogue.selectors import file_download_url

        link = file_download_url(dataset=dataset, file=f)
        url = link if link.startswith("http") else settings.BASE_URL + link
    return mapping.file_object(file_id=f.pk, path=f.path, size=f.size, dataset=owner, url=url)


def render_datasets(records: list[Record], plan: DatasetPlan, *, scores: dict | None) -> list[dict]:
    """PaNOSC objects of these datasets with their includes."""
    filt = plan.filter
    out = []
    files = _files_for(records, plan) if filt.included("files") else {}
    documents = _documents_for(records, filt) if filt.included("documents") else {}
    parameter_scope = _ParameterScope(plan.parameters) if plan.parameters is not None else None
    for record in records:
        s = record.snapshot
        pid = str(s.pid)
        obj = mapping.dataset_object(s, score=(scores or {}).get(pid, 0.0))
        if scores is None:
            obj.pop("score")
        obj = _project(obj, filt)
        owner = mapping.dataset_pid(s)
        for inc in filt.include:
            scope = inc.scope
            if inc.relation == "techniques":
                items = [
                    mapping.technique_object(t)
                    for t in s.techniques
                    if plan.techniques is None or t.iri in plan.techniques
                ]
                obj["techniques"] = [_project(t, scope) for t in _window(items, scope)]
            elif inc.relation == "instrument":
                if s.instrument is not None:
                    obj["instrument"] = _project(
                        mapping.instrument_object(
                            pid=s.instrument.pid,
                            code=s.instrument.code,
                            name=s.instrument.name,
                            facility=record.facility,
                        ),
                        scope,
                    )
            elif inc.relation == "parameters":
                entries = s.scientific_entries  # walked once per record
                passed = parameter_scope.passed(record, entries) if parameter_scope else None
                items = [
                    mapping.parameter_object(entries[i], index=i + 1, owner=owner)
                    for i in (range(len(entries)) if passed is None else sorted(passed))
                ]
                obj["parameters"] = [_project(p, scope) for p in _window(items, scope)]
            elif inc.relation == "samples":
                sample = mapping.sample_object(s)
                obj["samples"] = [_project(sample, scope)] if sample else []
            elif inc.relation == "files":
                obj["files"] = [_project(f, scope) for f in files.get(pid, [])]
            elif inc.relation == "documents":
                obj["documents"] = documents.get(pid, [])
        out.append(obj)
    return out


def _reported(alternatives) -> tuple:
    """The parameter conditions a search reports on (``SearchQuery.matched_entries``)."""
    return tuple(c for group in alternatives or () for c in group)


class _ParameterScope:
    """A parameters scope's alternatives, prepared once per answer: each group as the key
    its conditions test and their positions in ``_reported``."""

    def __init__(self, alternatives):
        self.alternatives = alternatives
        first: dict = {}
        for n, c in enumerate(_reported(alternatives)):
            first.setdefault(c, n)
        self.groups = [(group[0].key, tuple(first[c] for c in group)) for group in alternatives]

    def passed(self, record: Record, entries: list | None = None) -> set[int]:
        """Offsets of the record's scientific entries that pass one alternative (all the
        conditions of a group on the same entry). A group's conditions test one key, and a
        dataset has one entry per key, so from the backend's report the entry is the one
        under that key; a key held twice (``a.b`` and ``a: {b}``) is evaluated here."""
        entries = record.snapshot.scientific_entries if entries is None else entries
        matched = record.matched
        if matched is None:
            return {i for i, e in enumerate(entries) if self._holds(e)}
        keys = {key for key, positions in self.groups if all(p in matched for p in positions)}
        chosen = [i for i, e in enumerate(entries) if e.key in keys]
        if len({entries[i].key for i in chosen}) < len(chosen):
            return {i for i in chosen if self._holds(entries[i])}
        return set(chosen)

    def _holds(self, e) -> bool:
        return any(all(condition_holds({e.key: e}, c) for c in g) for g in self.alternatives)


def _files_for(records: list[Record], plan: DatasetPlan) -> dict[str, list[dict]]:
    scope = plan.filter.included("files").scope
    out: dict[str, list[dict]] = {}
    rows = Dataset.objects.filter(pid__in=[r.snapshot.pid for r in records]).only(
        "pk", "pid", "doi", "embargo_until", "download_base_url"
    )
    for dataset in rows:
        files = DataFile.objects.filter(dataset=dataset)
        if plan.files is not None:
            files = files.filter(plan.files)
        limit = scope.limit or DEFAULT_LIMIT
        files = files.order_by("path")[scope.skip : scope.skip + limit]
        owner = dataset.doi or str(dataset.pid)
        opened = access.files_open(dataset)
        out[str(dataset.pid)] = [_file(dataset, f, owner, opened) for f in files]
    return out


# ------------------------------------------------------------------------ documents --
@dataclass
class Document:
    key: tuple  # ("proposal", pk) or ("publication", identifier)
    obj: dict[str, Any]
    ids: list[int] | None = None  # its public datasets' ids, loaded when asked for
    pids: list[str] | None = None  # their pids (from the documents index, beside ids)
    members: list[dict] | None = None  # loaded when asked for
    members_partial: bool = False  # only the PI (enough to filter on roles)
    parameters: list[tuple] | None = None  # (ScientificEntry, object), loaded when asked for


def proposal_pid(*, facility_code: str, proposal_id: str) -> str:
    """A proposal document's pid: ``<facility code>/proposal/<proposal id>`` (as indexed)."""
    return proposal_key(facility_code=facility_code, proposal_id=proposal_id)


def all_documents(
    *, proposals: set[int] | None = None, publications: set[str] | None = None
) -> list[Document]:
    """Every document with at least one public dataset (their datasets' ids are loaded by
    ``_load_ids`` for the documents that need them: a proposal may hold thousands); or only
    those of these proposal keys and publication pids (the documents index's updates)."""
    public = access.public_datasets()
    docs: list[Document] = []
    with_public = public.filter(beamtime__proposal_id=OuterRef("pk"))
    chosen = Proposal.objects.all()
    papers = RelatedIdentifier.objects.filter(relation_type=PUBLICATION_RELATION)
    if proposals is not None or publications is not None:
        chosen = chosen.filter(pk__in=sorted(proposals or ()))
        wanted = sorted(publications or ())
        papers = papers.annotate(low=Lower("identifier")).filter(
            Q(identifier__in=wanted) | Q(identifier_type="DOI", low__in=wanted)
        )
    # Plain rows, not model instances: a catalogue holds thousands of proposals.
    proposals_rows = (
        chosen.filter(Exists(with_public))
        .annotate(start=Min("beamtimes__start"), end=Max("beamtimes__end"))
        .values_list("pk", "facility__code", "proposal_id", "title", "abstract", "start", "end")
    )
    for pk, facility_code, proposal_id, title, abstract, start, end in proposals_rows:
        obj = {
            "pid": proposal_pid(facility_code=facility_code, proposal_id=proposal_id),
            "isPublic": True,
            "type": "proposal",
            "title": title,
            "summary": abstract or None,
            "startDate": start,
            "endDate": end,
            "releaseDate": None,  # filled when needed (_fill_released)
            "keywords": None,  # filled when needed (_fill_keywords)
            "score": 0.0,
        }
        docs.append(Document(("proposal", pk), obj))
    publications: dict[str, Document] = {}
    rows = papers.filter(dataset__in=public).values_list(
        "identifier", "identifier_type", "citation", "dataset_id", "dataset__license"
    )
    for identifier, kind, citation, dataset_id, licence in rows.order_by("id"):
        pid = identifier.lower() if kind == "DOI" else identifier
        doc = publications.get(pid)
        if doc is None:
            doc = publications[pid] = Document(
                ("publication", pid),
                {
                    "pid": pid,
                    "isPublic": True,
                    "type": "publication",
                    "title": citation or pid,
                    "doi": pid if kind == "DOI" else None,
                    "keywords": None,
                    "score": 0.0,
                    "_licences": set(),
                },
                ids=[],
            )
        doc.ids.append(dataset_id)
        doc.obj["_licences"].add(licence)
    for doc in publications.values():
        licences = doc.obj.pop("_licences")
        doc.obj["license"] = next(iter(licences)) if len(licences) == 1 else None
        doc.ids = sorted(set(doc.ids))
        docs.append(doc)
    for doc in docs:
        doc.obj = {
            k: v for k, v in doc.obj.items() if v is not None or k in ("keywords", "releaseDate")
        }
    docs.sort(key=lambda d: d.obj["pid"])
    return docs


def _load_ids(docs: list[Document]) -> None:
    wanted = {d.key[1]: d for d in docs if d.ids is None}
    if not wanted:
        return
    for d in wanted.values():
        d.ids = []
    rows = access.public_datasets().filter(beamtime__proposal_id__in=list(wanted))
    for proposal_id, pk in rows.order_by("pk").values_list("beamtime__proposal_id", "pk"):
        wanted[proposal_id].ids.append(pk)


def _in_ids(field: str, ids: list[int]) -> Q:
    """``field IN ids``. On PostgreSQL one array parameter (``IN (SELECT unnest(...))``):
    a scope's thousands of ids as thousands of placeholders cost more to send and plan
    than the lookup itself."""
    if connection.vendor == "postgresql" and len(ids) > 100:
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


def _keys_by_dataset(ids) -> dict[int, set[tuple]]:
    """The documents (keys) each of these datasets belongs to."""
    ids = list(ids)
    out: dict[int, set[tuple]] = defaultdict(set)
    rows = Dataset.objects.filter(_in_ids("pk", ids), beamtime__isnull=False)
    for pk, proposal_id in rows.values_list("pk", "beamtime__proposal_id"):
        out[pk].add(("proposal", proposal_id))
    papers = RelatedIdentifier.objects.filter(
        _in_ids("dataset_id", ids), relation_type=PUBLICATION_RELATION
    )
    for pk, identifier, kind in papers.values_list("dataset_id", "identifier", "identifier_type"):
        out[pk].add(("publication", identifier.lower() if kind == "DOI" else identifier))
    return out


def _load_members(docs: list[Document], *, creators: bool = True) -> None:
    """Members of these documents: the proposal's PI, then each dataset's creators (not
    with ``creators=False``: the PI alone, when a role filter cannot match creators)."""
    from catalogue.models import Creator

    with_creators = creators
    wanted = [d for d in docs if d.members is None or (with_creators and d.members_partial)]
    if not wanted:
        return
    if with_creators:
        _load_ids(wanted)
    ids = {pk for d in wanted for pk in (d.ids or ())} if with_creators else set()
    by_pk: dict[int, list] = defaultdict(list)
    by_dataset = Creator.objects.filter(_in_ids("dataset_id", sorted(ids)))
    for c in by_dataset.order_by("dataset_id", "position", "id") if ids else ():
        by_pk[c.dataset_id].append(c)
    # Filtering on roles loads every proposal's PI: thousands of keys, one array parameter.
    proposal_keys = [d.key[1] for d in wanted if d.key[0] == "proposal"]
    pis = dict(
        Proposal.objects.filter(_in_ids("pk", proposal_keys)).values_list(
            "pk", "principal_investigator"
        )
    )
    for doc in wanted:
        doc.members = document_members(
            pid=doc.obj["pid"],
            pi=pis.get(doc.key[1]) if doc.key[0] == "proposal" else None,
            creators=[c for pk in doc.ids or () for c in by_pk.get(pk, [])],
        )
        doc.members_partial = not with_creators


def document_members(*, pid: str, pi: str | None, creators: list) -> list[dict]:
    """A document's members: its PI (a proposal's; with the affiliation of the first of its
    datasets' creators who is the PI), then its datasets' creators (in dataset order),
    each person once per role. ``creators``: objects with a Creator's name, orcid,
    given_name, family_name, affiliation and affiliation_ror (rows or snapshots). Pure."""
    members: list[dict] = []
    seen: set[tuple] = set()

    def add(role: str, person: dict, affiliation: dict | None) -> None:
        key = (role, person["id"])
        if key in seen:
            return
        seen.add(key)
        member = {
            "id": f"{len(members) + 1}",
            "role": role,
            "documentId": pid,
            "personId": person["id"],
            "person": person,
        }
        if affiliation:
            member["affiliationId"] = affiliation["id"]
            member["affiliation"] = affiliation
        members.append(member)

    if pi:
        person = mapping.person_object(name=pi, orcid="", given="", family="")
        affiliation = None
        for c in creators:  # the PI's affiliation, when a dataset names them
            plain = mapping.person_object(name=c.name, orcid="", given="", family="")
            if plain["fullName"] == person["fullName"] or c.name == pi:
                affiliation = mapping.affiliation_object(name=c.affiliation, ror=c.affiliation_ror)
                person = mapping.person_object(
                    name=c.name, orcid=c.orcid, given=c.given_name, family=c.family_name
                )
                break
        add(PI_ROLE, person, affiliation)
    for c in creators:
        add(
            CREATOR_ROLE,
            mapping.person_object(
                name=c.name, orcid=c.orcid, given=c.given_name, family=c.family_name
            ),
            mapping.affiliation_object(name=c.affiliation, ror=c.affiliation_ror),
        )
    return members


def _fields_of(node) -> set[str]:
    if node is None:
        return set()
    if hasattr(node, "children"):
        return set().union(*(_fields_of(c) for c in node.children))
    return {node.field}


def _creators_may_match(scope: Filter) -> bool:
    """False when the scope tests only the role and "creator" fails it (say, role =
    principal investigator): then filtering needs no creators, only PIs."""
    if _fields_of(scope.where) != {"role"}:
        return True
    return matches(scope.where, {"role": CREATOR_ROLE}, "Member")


def _member_matches(member: dict, scope: Filter) -> bool:
    if not matches(scope.where, member, "Member"):
        return False
    for inc in scope.include:
        child = member.get(inc.relation)
        if inc.scope.restricts and (child is None or not matches(inc.scope.where, child, {
            "person": "Person", "affiliation": "Affiliation"}[inc.relation])):  # fmt: skip
            return False
    return True


def _render_member(member: dict, scope: Filter) -> dict:
    out = _project({k: v for k, v in member.items() if k not in ("person", "affiliation")}, scope)
    for inc in scope.include:
        if member.get(inc.relation) is not None:
            out[inc.relation] = _project(member[inc.relation], inc.scope)
    return out


def matching_dataset_ids(scope: Filter, *, where: str) -> set[int]:
    """Ids of the public datasets a Dataset scope admits (one search for the ids, at most
    10,000). A request asks this once per scope: documents are filtered and then rendered
    with the same scope, so the answer is kept on the scope."""
    cached = _MATCHED.get(id(scope))
    if cached is not None and cached[0] is scope:
        return cached[1]
    plan = dataset_plan(scope, where=where)
    query = _dataset_query(plan, text="", start=0, size=0)
    try:
        ids = search_dataset_ids(user=access.search_user(), query=query, limit=MAX_JOINED_DATASETS)
    except SearchInputError as exc:
        raise FilterError(exc.message) from exc
    if ids is None:
        raise FilterError(
            f"{where}: matches more than {MAX_JOINED_DATASETS:,} datasets; narrow it."
        )
    found = (
        set(access.public_datasets().filter(_in_ids("pk", ids)).values_list("pk", flat=True))
        if ids
        else set()
    )
    with _MATCHED_LOCK:
        _MATCHED[id(scope)] = (scope, found)
        while len(_MATCHED) > _MATCHED_KEPT:  # the scopes of the last few requests only
            del _MATCHED[next(iter(_MATCHED))]
    return found


DOCUMENT_FIELDS = ("proposal_pid", "supplement_to")


def document_pids_matching(scope: Filter, *, where: str) -> set[str]:
    """Pids of the documents holding a public dataset the scope admits: one aggregation over
    the datasets' proposal and publication pids in the index, however many datasets match
    (asked once per scope and request, as ``matching_dataset_ids``)."""
    cached = _MATCHED.get(("pids", id(scope)))
    if cached is not None and cached[0] is scope:
        return cached[1]
    plan = dataset_plan(scope, where=where)
    query = _dataset_query(plan, text="", start=0, size=0)
    try:
        values = search_values(
            user=access.search_user(), query=query, fields=DOCUMENT_FIELDS, limit=MAX_DOCUMENTS
        )
    except SearchInputError as exc:
        raise FilterError(exc.message) from exc
    if values is None:
        raise FilterError(f"{where}: matches datasets of more than {MAX_DOCUMENTS:,} documents.")
    found = set().union(*values.values())
    with _MATCHED_LOCK:
        _MATCHED[("pids", id(scope))] = (scope, found)
        while len(_MATCHED) > _MATCHED_KEPT:
            del _MATCHED[next(iter(_MATCHED))]
    return found


def _scope_ids_of(docs: list[Document], scope: Filter, *, where: str) -> set[int]:
    """Ids of the public datasets of these documents (a page) that the scope admits: one
    search for the scope and membership in one of the documents, not for the whole scope."""
    proposals = sorted(d.obj["pid"] for d in docs if d.key[0] == "proposal")
    papers = sorted(d.obj["pid"] for d in docs if d.key[0] == "publication")
    if not docs:
        return set()
    member = Or(
        tuple(
            FieldTest(field, "in", tuple(values))
            for field, values in (("proposal_pid", proposals), ("supplement_to", papers))
            if values
        )
    )
    plan = dataset_plan(scope, where=where)
    combined = And((plan.where, member)) if plan.where is not None else member
    query = _dataset_query(replace(plan, where=combined), text="", start=0, size=0)
    try:
        ids = search_dataset_ids(user=access.search_user(), query=query, limit=MAX_JOINED_DATASETS)
    except SearchInputError as exc:
        raise FilterError(exc.message) from exc
    if ids is None:
        raise FilterError(
            f"{where}: matches more than {MAX_JOINED_DATASETS:,} datasets; narrow it."
        )
    return set(ids)


# Scope object's id -> (the scope, its ids). The scope is kept beside its id, so the id is not
# reused while the entry lives; a new request parses new scope objects and never hits an
# older entry. Bounded, so it holds only recent requests' scopes.
_MATCHED: dict = {}
_MATCHED_KEPT = 32
_MATCHED_LOCK = threading.Lock()


def _document_score(doc: Document, text: str) -> float:
    words = [w.lower() for w in _WORD.findall(text)]
    title = set(_WORD.findall(doc.obj.get("title", "").lower()))
    rest = set(
        _WORD.findall(
            " ".join([doc.obj.get("summary", ""), *(doc.obj.get("keywords") or [])]).lower()
        )
    )
    if not words or not all(w in title or w in rest for w in words):
        return 0.0
    hits = sum(2 if w in title else 1 for w in words)
    return round(hits / (2 * len(words)), 6)


MAX_DOCUMENT_KEYWORDS = 30


def _fill_keywords(docs: list[Document]) -> None:
    """A document's keywords: its public datasets' keywords, most common first (read only when
    a filter, a query or an answer needs them: one pass over the datasets' keywords)."""
    wanted = [d for d in docs if d.obj.get("keywords") is None]
    if not wanted:
        return
    _load_ids(wanted)
    owner: dict[int, list[Document]] = defaultdict(list)
    for d in wanted:
        for pk in d.ids:
            owner[pk].append(d)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Dataset.objects.filter(pk__in=list(owner)).values_list("pk", "keywords")
    for pk, keywords in rows.iterator(chunk_size=5000):
        for d in owner[pk]:
            tally = counts[id(d)]
            for k in keywords or ():
                tally[k] = tally.get(k, 0) + 1
    for d in wanted:
        tally = counts.get(id(d), {})
        ranked = sorted(tally, key=lambda k: (-tally[k], k))
        d.obj["keywords"] = ranked[:MAX_DOCUMENT_KEYWORDS]


def _fill_parameters(docs: list[Document]) -> None:
    """The documents' own parameters (``panosc.models.DocumentParameter``)."""
    from catalogue.scimeta import ScientificEntry
    from panosc.models import DocumentParameter

    wanted = {d.obj["pid"]: d for d in docs if d.parameters is None}
    for d in wanted.values():
        d.parameters = []
    rows = DocumentParameter.objects.filter(document__in=list(wanted)).order_by("id")
    for row in rows:
        doc = wanted[row.document]
        entry = ScientificEntry(row.name, row.value, row.unit)
        obj = {"id": str(row.pk), "name": row.name, "value": row.value, "unit": row.unit,
               "documentId": row.document}  # fmt: skip
        doc.parameters.append((entry, obj))


def _parameters_pass(entry, alternatives) -> bool:
    return alternatives is None or any(
        all(condition_holds({entry.key: entry}, c) for c in group) for group in alternatives
    )


def _fill_released(docs: list[Document]) -> None:
    """releaseDate: when the document's first dataset was published (proposals; read only
    when a filter or an answer needs it)."""
    wanted = {d.key[1]: d for d in docs if d.key[0] == "proposal" and "releaseDate" in d.obj
              and d.obj["releaseDate"] is None}  # fmt: skip
    if not wanted:
        return
    first = (
        access.public_datasets()
        .filter(beamtime__proposal_id__in=list(wanted))
        .values("beamtime__proposal_id")
        .annotate(first=Min("published_at"))
        .values_list("beamtime__proposal_id", "first")
    )
    for proposal_id, when in first:
        wanted[proposal_id].obj["releaseDate"] = when
    for d in wanted.values():
        if d.obj["releaseDate"] is None:
            del d.obj["releaseDate"]


def _mentions(node, name: str) -> bool:
    if node is None:
        return False
    if hasattr(node, "children"):
        return any(_mentions(c, name) for c in node.children)
    return node.field == name


def _filter_documents(docs: list[Document], filt: Filter, *, where: str) -> list[Document]:
    if _mentions(filt.where, "keywords"):
        _fill_keywords(docs)
    if _mentions(filt.where, "releaseDate"):
        _fill_released(docs)
    docs = [d for d in docs if matches(filt.where, d.obj, "Document")]
    for inc in filt.include:
        at = f"{where}.include[{inc.relation}].scope"
        if inc.relation == "datasets":
            if inc.scope.restricts:
                wanted = document_pids_matching(inc.scope, where=at)
                docs = [d for d in docs if d.obj["pid"] in wanted]
        elif inc.relation == "members":
            _check_nested("Member", inc.scope, at)
            if inc.scope.restricts:
                _load_members(docs, creators=_creators_may_match(inc.scope))
                docs = [d for d in docs if any(_member_matches(m, inc.scope) for m in d.members)]
        elif inc.relation == "parameters" and inc.scope.restricts:
            alternatives = parameter_alternatives(inc.scope, f"{at}.where")
            _fill_parameters(docs)
            docs = [
                d for d in docs if any(_parameters_pass(e, alternatives) for e, _ in d.parameters)
            ]
    return docs


def dataset_ids_of_documents(scope: Filter, *, where: str) -> list[int]:
    """For a Dataset's documents scope: the datasets of the documents that pass it."""
    if _documents_indexed():
        from panosc import index

        try:
            found = index.dataset_ids_of(
                _index_filters(scope, where=where), limit=MAX_JOINED_DATASETS
            )
        except index.NoIndex:
            pass
        else:
            if found is None:
                raise FilterError(f"{where}: matches more than {MAX_JOINED_DATASETS:,} datasets.")
            return found
    docs = _filter_documents(all_documents(), scope, where=where)
    _load_ids(docs)
    ids = sorted({pk for d in docs for pk in d.ids})
    if len(ids) > MAX_JOINED_DATASETS:
        raise FilterError(f"{where}: matches more than {MAX_JOINED_DATASETS:,} datasets.")
    return ids


def _render_documents(docs: list[Document], filt: Filter, *, scored: bool) -> list[dict]:
    _load_ids(docs)
    _fill_keywords(docs)
    _fill_released(docs)
    if filt.included("parameters"):
        _fill_parameters(docs)
    if filt.included("members"):
        _load_members(docs)
    datasets_inc = filt.included("datasets")
    embedded: dict[int, dict] = {}
    keep: set[int] | None = None
    plan = None
    if datasets_inc is not None:
        plan = dataset_plan(datasets_inc.scope)
        if datasets_inc.scope.restricts:
            keep = _scope_ids_of(docs, datasets_inc.scope, where="filter.include[datasets]")
        wanted = []
        for d in docs:
            ids = [pk for pk in d.ids if keep is None or pk in keep]
            wanted += _window(ids, datasets_inc.scope)
        wanted = sorted(set(wanted))
        if all(d.pids is not None for d in docs):  # from the documents index
            pid_of = {pk: p for d in docs for pk, p in zip(d.ids, d.pids, strict=True)}
            by_pk = _indexed_records(wanted, pid_of, plan)
            keys = sorted(by_pk)
            records = [by_pk[pk] for pk in keys]
        else:
            rows = list(panosc_rows().filter(_in_ids("pk", wanted)))
            rows.sort(key=lambda r: r.pk)
            keys = [r.pk for r in rows]
            records = [record_from_row(r) for r in rows]
        for pk, obj in zip(keys, render_datasets(records, plan, scores=None), strict=True):
            embedded[pk] = obj
    out = []
    for d in docs:
        obj = dict(d.obj)
        if not scored:
            obj["score"] = 0.0
        obj = _project(obj, filt)
        for inc in filt.include:
            if inc.relation == "datasets":
                ids = [pk for pk in d.ids if keep is None or pk in keep]
                obj["datasets"] = [
                    _project(embedded[pk], inc.scope)
                    for pk in _window(ids, inc.scope)
                    if pk in embedded
                ]
            elif inc.relation == "members":
                members = [m for m in d.members if _member_matches(m, inc.scope)]
                obj["members"] = [_render_member(m, inc.scope) for m in _window(members, inc.scope)]
            elif inc.relation == "parameters":
                alternatives = (
                    parameter_alternatives(inc.scope, "filter.include[parameters].scope.where")
                    if inc.scope.where is not None
                    else None
                )
                chosen = [o for e, o in d.parameters if _parameters_pass(e, alternatives)]
                obj["parameters"] = [_project(o, inc.scope) for o in _window(chosen, inc.scope)]
        out.append(obj)
    return out


def _documents_for(records: list[Record], filt: Filter) -> dict[str, list[dict]]:
    """Each dataset's documents (by dataset pid): from the search documents' proposal and
    publication pids, or from the database for records loaded from it."""
    scope = filt.included("documents").scope
    if _documents_indexed():
        from panosc import index

        try:
            return _documents_for_indexed(records, scope)
        except index.NoIndex:
            pass
    every = all_documents()
    pids_of: dict[str, set[str]] = {}
    from_db = [r for r in records if r.documents is None]
    if from_db:
        by_key = {d.key: d.obj["pid"] for d in every}
        keys = _keys_by_dataset(r.pk for r in from_db)
        for r in from_db:
            pids_of[str(r.snapshot.pid)] = {by_key[k] for k in keys.get(r.pk, ()) if k in by_key}
    for r in records:
        if r.documents is not None:
            pids_of[str(r.snapshot.pid)] = set(r.documents)
    wanted = set().union(*pids_of.values()) if pids_of else set()
    docs = [d for d in every if d.obj["pid"] in wanted]
    docs = _filter_documents(docs, scope, where="filter.include[documents].scope")
    return _embedded_documents(docs, pids_of, scope)


def _embedded_documents(
    docs: list[Document], pids_of: dict[str, set[str]], scope: Filter
) -> dict[str, list[dict]]:
    """Each record's documents (``pids_of``: record pid -> document pids), rendered once and
    ordered: its proposal first, then its publications by pid; windowed by the scope."""
    kinds = {d.obj["pid"]: d.key[0] for d in docs}
    rendered = dict(
        zip([d.obj["pid"] for d in docs], _render_documents(docs, scope, scored=False), strict=True)
    )
    out: dict[str, list[dict]] = {}
    for pid, doc_pids in pids_of.items():
        ordered = sorted((p for p in doc_pids if p in rendered), key=lambda p: (kinds[p], p))
        out[pid] = _window([rendered[p] for p in ordered], scope)
    return out


def _documents_for_indexed(records: list[Record], scope: Filter) -> dict[str, list[dict]]:
    """``_documents_for`` from the documents index: one search for the page's documents."""
    from panosc import index

    wanted = sorted(set().union(*(r.documents for r in records if r.documents is not None)))
    from_db = [r for r in records if r.documents is None]
    which = []
    if wanted:
        which.append({"terms": {"pid": wanted}})
    if from_db:
        which.append({"terms": {"dataset_ids": [r.pk for r in from_db]}})
    docs: list[Document] = []
    if which:
        hits, _ = index.search(
            filters=[
                *_index_filters(scope, where="filter.include[documents].scope"),
                {"bool": {"should": which, "minimum_should_match": 1}},
            ],
            text="",
            start=0,
            size=min(MAX_RESULT_WINDOW, len(wanted) + 100 * len(from_db)),
        )
        docs = _docs_from_hits(hits)
    pids_of: dict[str, set[str]] = {}
    for r in records:
        if r.documents is not None:
            pids_of[str(r.snapshot.pid)] = set(r.documents)
        else:
            pids_of[str(r.snapshot.pid)] = {d.obj["pid"] for d in docs if r.pk in d.ids}
    return _embedded_documents(docs, pids_of, scope)


def _scored(items: list, text: str, score) -> list:
    if not text:
        return items
    _parse_text(text)  # the same syntax errors as the dataset search
    ranked = [(score(i, text), n, i) for n, i in enumerate(items)]
    ranked = [r for r in ranked if r[0] > 0]
    ranked.sort(key=lambda r: (-r[0], r[1]))
    for s, _, item in ranked:
        (item.obj if isinstance(item, Document) else item)["score"] = s
    return [i for _, _, i in ranked]


# ------------------------------------------------------- documents from the index --
def _documents_indexed() -> bool:
    """Documents come from their own Elasticsearch index (``panosc.index``) when search runs
    on Elasticsearch; the database backend computes them from the rows."""
    return settings.SEARCH_BACKEND == "elasticsearch"


def _documents_with_parameters(alternatives) -> set[str]:
    """Pids of the documents with a parameter passing one alternative (curated rows)."""
    from catalogue.scimeta import ScientificEntry
    from panosc.models import DocumentParameter

    rows = DocumentParameter.objects.values_list("document", "name", "value", "unit")
    return {
        pid
        for pid, name, value, unit in rows.iterator()
        if _parameters_pass(ScientificEntry(name, value, unit), alternatives)
    }


def _index_filters(filt: Filter, *, where: str) -> list[dict]:
    """A Document filter's where and inner joins as queries on the documents index (the
    same tests ``_filter_documents`` makes in Python)."""
    from panosc import index

    parts = [q] if (q := index.where_query(filt.where)) is not None else []
    for inc in filt.include:
        at = f"{where}.include[{inc.relation}].scope"
        if inc.relation == "datasets":
            if inc.scope.restricts:
                wanted = document_pids_matching(inc.scope, where=at)
                parts.append({"terms": {"pid": sorted(wanted)}} if wanted else {"match_none": {}})
        elif inc.relation == "members":
            _check_nested("Member", inc.scope, at)
            if inc.scope.restricts:
                parts.append(index.members_query(inc.scope))
        elif inc.relation == "parameters" and inc.scope.restricts:
            alternatives = parameter_alternatives(inc.scope, f"{at}.where")
            pids = _documents_with_parameters(alternatives)
            parts.append({"terms": {"pid": sorted(pids)}} if pids else {"match_none": {}})
    return parts


def _docs_from_hits(hits) -> list[Document]:
    from panosc import index

    docs = []
    for source, score in hits:
        obj = index.object_from_source(source)
        obj["score"] = score
        kind = source["type"]
        key = (kind, source["proposal_pk"] if kind == "proposal" else source["pid"])
        docs.append(
            Document(
                key,
                obj,
                ids=list(source.get("dataset_ids") or ()),
                pids=list(source.get("dataset_pids") or ()),
                members=list(source.get("members") or ()),
            )
        )
    return docs


def _indexed_records(ids: list[int], pid_of: dict[int, str], plan: DatasetPlan) -> dict:
    """Public datasets by id from the dataset index (the embedded datasets of a page of
    documents), with the scope's where (its parameters reported by the backend)."""
    out: dict[int, Record] = {}
    pk_of = {pid_of[pk]: pk for pk in ids}
    for start in range(0, len(ids), MAX_RESULT_WINDOW):
        chunk = ids[start : start + MAX_RESULT_WINDOW]
        member = FieldTest("id", "in", tuple(str(pk) for pk in chunk))
        where = And((plan.where, member)) if plan.where is not None else member
        result = _search(
            replace(plan, where=where),
            text="",
            start=0,
            size=len(chunk),
            source=RECORD_SOURCE,
            count=False,
            matched=True,
            # A document holds every public version (as the database path embeds them).
            all_versions=True,
        )
        for hit in result.hits:
            if (hit.source or {}).get("status", hit.status) == Status.PUBLISHED:
                out[pk_of[hit.pid]] = record_from_hit(hit)
    return out


def documents_search(*, filt: Filter, text: str = "") -> list[dict]:
    if _documents_indexed():
        from panosc import index

        if text:
            _parse_text(text)
        try:
            hits, _ = index.search(
                filters=_index_filters(filt, where="filter"),
                text=text,
                start=filt.skip,
                size=filt.limit or DEFAULT_LIMIT,
            )
        except index.NoIndex:
            pass  # not built yet (``manage.py reindex``): from the database meanwhile
        else:
            return _render_documents(_docs_from_hits(hits), filt, scored=bool(text))
    docs = _filter_documents(all_documents(), filt, where="filter")
    if text:
        _fill_keywords(docs)
    docs = _scored(docs, text, _document_score)
    return _render_documents(_window(docs, filt), filt, scored=bool(text))


def documents_count(*, where: WhereNode | None, text: str = "") -> int:
    if _documents_indexed():
        from panosc import index

        if text:
            _parse_text(text)
        filters = _index_filters(Filter("Document", where), where="where")
        try:
            return index.search(filters=filters, text=text, start=0, size=0)[1] or 0
        except index.NoIndex:
            pass
    docs = _filter_documents(all_documents(), Filter("Document", where), where="where")
    if text:
        _fill_keywords(docs)
    return len(_scored(docs, text, _document_score))


def document_get(*, pid: str, filt: Filter) -> dict | None:
    wanted = pid.strip()
    docs = None
    if _documents_indexed():
        from panosc import index

        try:
            hits, _ = index.search(
                filters=[{"terms": {"pid": sorted({wanted, wanted.lower()})}}],
                text="",
                start=0,
                size=1,
            )
            docs = _docs_from_hits(hits)
        except index.NoIndex:
            pass
    if docs is None:
        docs = [
            d for d in all_documents() if d.obj["pid"] == wanted or d.obj["pid"] == wanted.lower()
        ]
    if not docs:
        return None
    scope = Filter("Document", None, filt.include, fields=filt.fields)
    return _render_documents(docs[:1], scope, scored=False)[0]


# ---------------------------------------------------------------------- instruments --
def _instrument_score(item: dict, text: str) -> float:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words or not text_matches(text, [item["name"], item["facility"]]):
        return 0.0
    name = set(_WORD.findall(item["name"].lower()))
    return round(sum(2 if w in name else 1 for w in words) / (2 * len(words)), 6)


def _instruments(where: WhereNode | None) -> list[dict]:
    items = [dict(obj, score=0.0) for _, obj in instrument_objects()]
    items = [i for i in items if matches(where, i, "Instrument")]
    items.sort(key=lambda i: i["pid"])
    return items


def _instrument_datasets(items: list[dict], scope: Filter) -> None:
    by_pid = {i["pid"]: i for i in items}
    rows = panosc_rows().filter(
        Q(instrument__pid__in=list(by_pid)) | Q(instrument__code__in=list(by_pid))
    )
    plan = dataset_plan(scope)
    keep = (
        matching_dataset_ids(scope, where="filter.include[datasets]") if scope.restricts else None
    )
    rows = [r for r in rows.order_by("pk") if keep is None or r.pk in keep]
    grouped: dict[str, list] = defaultdict(list)
    for r in rows:
        grouped[r.instrument.pid or r.instrument.code].append(r)
    for pid, item in by_pid.items():
        chosen = [record_from_row(r) for r in _window(grouped.get(pid, []), scope)]
        item["datasets"] = [_project(o, scope) for o in render_datasets(chosen, plan, scores=None)]


def instruments_search(*, filt: Filter, text: str = "") -> list[dict]:
    items = _instruments(filt.where)
    inc = filt.included("datasets")
    if inc is not None and inc.scope.restricts:
        keep = matching_dataset_ids(inc.scope, where="filter.include[datasets].scope")
        with_data = set(
            access.public_datasets()
            .filter(pk__in=keep)
            .values_list("instrument__code", "instrument__pid")
        )
        codes = {c for pair in with_data for c in pair if c}
        items = [i for i in items if i["pid"] in codes]
    items = _scored(items, text, _instrument_score)
    items = _window(items, filt)
    if inc is not None:
        _instrument_datasets(items, inc.scope)
    return [_project(i, filt) for i in items]


def instruments_count(*, where: WhereNode | None, text: str = "") -> int:
    return len(_scored(_instruments(where), text, _instrument_score))


def instrument_get(*, pid: str, filt: Filter) -> dict | None:
    items = [i for i in _instruments(None) if i["pid"] == pid]
    if not items:
        return None
    inc = filt.included("datasets")
    if inc is not None:
        _instrument_datasets(items, inc.scope)
    return _project(items[0], filt)


def api_root_url() -> str:
    return settings.BASE_URL + reverse("panosc:datasets")
