"""A dataset as plain, immutable data: the input of every standards serializer.

DataCite XML/JSON, schema.org, citations, OAI-PMH formats, the search document and the JSON
API all read a :class:`DatasetSnapshot` built by :func:`dataset_snapshot` (a fixed number of
queries, whatever the dataset holds), so they are pure functions testable without a database.
Files are not part of the snapshot (a dataset may hold 100,000): page them with
``catalogue.selectors.dataset_files``.
"""

import dataclasses
import datetime
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from catalogue.models import Dataset, Status, Technique
from catalogue.scimeta import ScientificEntry, scientific_entries
from catalogue.vocabularies import LICENCES


@dataclass(frozen=True)
class AgentSnapshot:
    name: str
    name_type: str = "Personal"
    given_name: str = ""
    family_name: str = ""
    orcid: str = ""  # bare form 0000-0000-0000-0000
    affiliation: str = ""
    affiliation_ror: str = ""  # https://ror.org/...
    contributor_type: str = ""  # contributors only

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


@dataclass(frozen=True)
class RelatedIdentifierSnapshot:
    identifier: str
    identifier_type: str
    relation_type: str
    resource_type_general: str = ""
    citation: str = ""

    @property
    def url(self) -> str:
        if self.identifier_type == "DOI":
            return f"https://doi.org/{self.identifier}"
        if self.identifier_type == "arXiv":
            return f"https://arxiv.org/abs/{self.identifier.removeprefix('arXiv:')}"
        if self.identifier_type in ("URL", "PURL", "w3id") or self.identifier.startswith("http"):
            return self.identifier
        return ""


@dataclass(frozen=True)
class AlternateIdentifierSnapshot:
    identifier: str
    type: str


@dataclass(frozen=True)
class FundingSnapshot:
    funder_name: str
    funder_identifier: str = ""
    funder_identifier_type: str = ""
    award_number: str = ""
    award_uri: str = ""
    award_title: str = ""


@dataclass(frozen=True)
class FacilitySnapshot:
    code: str
    name: str
    short_name: str = ""
    ror: str = ""
    url: str = ""


@dataclass(frozen=True)
class InstrumentSnapshot:
    code: str
    name: str
    pid: str = ""
    url: str = ""


@dataclass(frozen=True)
class TechniqueSnapshot:
    iri: str
    label: str

    @property
    def panet_id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ProposalSnapshot:
    proposal_id: str
    title: str
    abstract: str = ""
    principal_investigator: str = ""
    proposal_type: str = ""
    facility_code: str = ""  # the proposal's facility (proposal ids are per facility)


@dataclass(frozen=True)
class BeamtimeSnapshot:
    beamtime_id: str
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None


@dataclass(frozen=True)
class LicenceSnapshot:
    spdx: str
    name: str
    url: str


@dataclass(frozen=True)
class VersionRef:
    """One published version of a record, as the Versions box and the relations name it."""

    pid: uuid.UUID
    doi: str | None
    number: int
    label: str  # the version text the owners gave, else the number
    published_at: datetime.datetime | None
    url: str  # its landing page (or dataset page without a DOI)


@dataclass(frozen=True)
class VersionsSnapshot:
    """Where a dataset stands among the versions of its record (catalogue.DatasetConcept)."""

    concept_pid: uuid.UUID
    concept_doi: str | None = None
    concept_doi_resolves: bool = False
    number: int | None = None  # this version's number; None for an unpublished draft
    published: tuple[VersionRef, ...] = ()  # every published version, oldest first
    based_on_doi: str | None = None  # the version this one was made from
    is_concept: bool = False  # the snapshot describes the concept DOI itself

    @property
    def latest(self) -> VersionRef | None:
        return self.published[-1] if self.published else None

    @property
    def previous(self) -> VersionRef | None:
        """The published version just before this one (for a draft: the latest)."""
        earlier = [v for v in self.published if self.number is None or v.number < self.number]
        return earlier[-1] if earlier else None

    @property
    def next(self) -> VersionRef | None:
        if self.number is None:
            return None
        later = [v for v in self.published if v.number > self.number]
        return later[0] if later else None

    @property
    def is_latest(self) -> bool:
        return self.latest is not None and self.latest.number == self.number


@dataclass(frozen=True)
class DatasetSnapshot:
    pid: uuid.UUID
    doi: str | None
    status: str
    title: str
    url: str  # absolute URL of the dataset page
    additional_titles: tuple[dict, ...] = ()
    description: str = ""
    additional_descriptions: tuple[dict, ...] = ()
    creators: tuple[AgentSnapshot, ...] = ()
    contributors: tuple[AgentSnapshot, ...] = ()
    publisher: str = ""
    publisher_identifier: str = ""
    publication_year: int | None = None
    resource_type_general: str = "Dataset"
    resource_type: str = ""
    keywords: tuple[str, ...] = ()
    subjects: tuple[dict, ...] = ()
    licence: LicenceSnapshot | None = None
    language: str = ""
    version: str = ""
    collection_start: datetime.datetime | None = None
    collection_end: datetime.datetime | None = None
    dates: tuple[dict, ...] = ()
    related_identifiers: tuple[RelatedIdentifierSnapshot, ...] = ()
    alternate_identifiers: tuple[AlternateIdentifierSnapshot, ...] = ()
    funding_references: tuple[FundingSnapshot, ...] = ()
    facility: FacilitySnapshot | None = None
    instrument: InstrumentSnapshot | None = None
    techniques: tuple[TechniqueSnapshot, ...] = ()
    proposal: ProposalSnapshot | None = None
    beamtime: BeamtimeSnapshot | None = None
    sample_name: str = ""
    sample_description: str = ""
    scientific_metadata: dict[str, Any] = field(default_factory=dict)
    file_count: int = 0
    total_size: int = 0
    media_types: tuple[str, ...] = ()
    download_base_url: str = ""
    embargo_until: datetime.date | None = None
    # Whether the files are still closed today (catalogue.access.files_embargoed), a derived
    # fact read by the mappings' access right; None when built without a date (pure tests).
    embargo_active: bool | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    published_at: datetime.datetime | None = None
    withdrawn_at: datetime.datetime | None = None
    withdrawal_reason: str = ""
    # False while the DOI is only reserved (doi.models.DoiRegistration): doi.org does not
    # resolve it, so no resolver link is offered (the embedded demo never registers).
    doi_resolves: bool = True
    versions: VersionsSnapshot | None = None

    @property
    def version_label(self) -> str:
        """DataCite 4.6 §15 ``version``: the owners' text, else the version's number."""
        if self.version:
            return self.version
        if self.versions is not None and self.versions.number is not None:
            return str(self.versions.number)
        return ""

    @property
    def superseded(self) -> bool:
        """A later version of this record is published (search shows the latest only, unless
        asked for all versions); the same rule as ``Dataset.superseded``."""
        v = self.versions
        return (
            v is not None
            and v.number is not None
            and v.latest is not None
            and v.latest.number > v.number
        )

    @property
    def version_relations(self) -> tuple[RelatedIdentifierSnapshot, ...]:
        """The relations between the versions of a record (DataCite 4.6 §12.b), derived here
        once for every standard: a version ``IsVersionOf`` its concept DOI and
        ``IsNewVersionOf``/``IsPreviousVersionOf`` its published neighbours; the concept
        ``HasVersion`` each published version."""
        v = self.versions
        if v is None:
            return ()

        def rel(doi: str, relation: str) -> RelatedIdentifierSnapshot:
            return RelatedIdentifierSnapshot(doi, "DOI", relation, self.resource_type_general)

        if v.is_concept:
            return tuple(rel(p.doi, "HasVersion") for p in v.published if p.doi)
        relations = []
        if v.concept_doi:
            relations.append(rel(v.concept_doi, "IsVersionOf"))
        previous, following = v.previous, v.next
        if previous is not None and previous.doi and previous.doi != self.doi:
            relations.append(rel(previous.doi, "IsNewVersionOf"))
        if following is not None and following.doi:
            relations.append(rel(following.doi, "IsPreviousVersionOf"))
        return tuple(relations)

    @property
    def doi_url(self) -> str:
        """The resolver link, only for a DOI DataCite registered (not a locally reserved one)."""
        return f"https://doi.org/{self.doi}" if self.doi and self.doi_resolves else ""

    @property
    def scientific_entries(self) -> list[ScientificEntry]:
        return scientific_entries(self.scientific_metadata)


def _agent(a, contributor: bool = False) -> AgentSnapshot:
    return AgentSnapshot(
        name=a.name,
        name_type=a.name_type,
        given_name=a.given_name,
        family_name=a.family_name,
        orcid=a.orcid,
        affiliation=a.affiliation,
        affiliation_ror=a.affiliation_ror,
        contributor_type=a.contributor_type if contributor else "",
    )


def snapshot_queryset(queryset=None):
    """Datasets with everything a snapshot reads, loaded in a fixed number of queries."""
    qs = Dataset.objects.all() if queryset is None else queryset
    return qs.select_related(
        "facility",
        "instrument",
        "beamtime",
        "beamtime__proposal__facility",
        "doi_registration",
        "concept__doi_registration",
    ).prefetch_related(
        "creators",
        "contributors",
        "related_identifiers",
        "alternate_identifiers",
        "funding_references",
        Prefetch("techniques", queryset=Technique.objects.only("iri", "label").order_by("label")),
    )


def _files_embargoed(dataset: Dataset) -> bool:
    from catalogue.access import files_embargoed  # access builds on snapshot_queryset

    return files_embargoed(dataset)


def _registration_resolves(owner) -> bool:
    try:
        registration = owner.doi_registration
    except ObjectDoesNotExist:
        return False
    return registration is not None and registration.resolves


def versions_snapshot(dataset: Dataset) -> VersionsSnapshot | None:
    """The dataset's place among its record's versions (one query for the published ones)."""
    if dataset.concept_id is None:
        return None
    from doi.identifiers import landing_url

    concept = dataset.concept
    rows = (
        Dataset.objects.filter(
            concept_id=dataset.concept_id, status="published", version_number__isnull=False
        )
        .order_by("version_number")
        .values_list("pid", "doi", "version_number", "version", "published_at")
    )
    published = tuple(
        VersionRef(
            pid=pid,
            doi=doi,
            number=number,
            label=label or str(number),
            published_at=published_at,
            url=landing_url(doi)
            if doi
            else settings.BASE_URL + Dataset(pid=pid).get_absolute_url(),
        )
        for pid, doi, number, label, published_at in rows
    )
    based_on_doi = None
    if dataset.based_on_id is not None:
        based_on_doi = (
            Dataset.objects.filter(pk=dataset.based_on_id).values_list("doi", flat=True).first()
        )
    return VersionsSnapshot(
        concept_pid=concept.pid,
        concept_doi=concept.doi,
        concept_doi_resolves=_registration_resolves(concept),
        number=dataset.version_number,
        published=published,
        based_on_doi=based_on_doi,
    )


def concept_snapshot(latest: DatasetSnapshot, *, concept) -> DatasetSnapshot:
    """The concept DOI's record: the latest version's metadata under the concept's identity
    (Zenodo's concept DOI), with ``HasVersion`` for every published version and no version
    number of its own."""
    versions = latest.versions or VersionsSnapshot(concept_pid=concept.pid)
    return dataclasses.replace(
        latest,
        pid=concept.pid,
        doi=concept.doi,
        doi_resolves=_registration_resolves(concept),
        version="",
        alternate_identifiers=(),  # a SciCat pid names one version, not the concept
        versions=dataclasses.replace(versions, is_concept=True, number=None),
    )


@dataclass(frozen=True)
class SnapshotParts:
    """What a snapshot reads from rows other than the dataset's own and its DOI registrations:
    agents, related and alternate identifiers, funding, techniques and the named context. Every
    change of one of these moves the dataset's ``updated_at`` (the writer replaces them and saves
    the record; a renamed facility, instrument, technique, proposal or beamtime is a change of
    every record naming it: ``catalogue.services.context``) and announces ``datasets_changed``."""

    updated_at: datetime.datetime | None
    creators: tuple[AgentSnapshot, ...]
    contributors: tuple[AgentSnapshot, ...]
    related_identifiers: tuple[RelatedIdentifierSnapshot, ...]
    alternate_identifiers: tuple[AlternateIdentifierSnapshot, ...]
    funding_references: tuple[FundingSnapshot, ...]
    facility: FacilitySnapshot | None
    instrument: InstrumentSnapshot | None
    techniques: tuple[TechniqueSnapshot, ...]
    proposal: ProposalSnapshot | None
    beamtime: BeamtimeSnapshot | None


def snapshot_parts(dataset: Dataset) -> SnapshotParts:
    """The parts, from a dataset of :func:`snapshot_queryset` (else each costs queries)."""
    facility = dataset.facility
    instrument = dataset.instrument
    beamtime = dataset.beamtime
    proposal = beamtime.proposal if beamtime else None
    return SnapshotParts(
        updated_at=dataset.updated_at,
        creators=tuple(_agent(a) for a in dataset.creators.all()),
        contributors=tuple(_agent(a, contributor=True) for a in dataset.contributors.all()),
        related_identifiers=tuple(
            RelatedIdentifierSnapshot(
                identifier=r.identifier,
                identifier_type=r.identifier_type,
                relation_type=r.relation_type,
                resource_type_general=r.resource_type_general,
                citation=r.citation,
            )
            for r in dataset.related_identifiers.all()
        ),
        alternate_identifiers=tuple(
            AlternateIdentifierSnapshot(identifier=a.identifier, type=a.identifier_type)
            for a in dataset.alternate_identifiers.all()
        ),
        funding_references=tuple(
            FundingSnapshot(
                funder_name=f.funder_name,
                funder_identifier=f.funder_identifier,
                funder_identifier_type=f.funder_identifier_type,
                award_number=f.award_number,
                award_uri=f.award_uri,
                award_title=f.award_title,
            )
            for f in dataset.funding_references.all()
        ),
        facility=FacilitySnapshot(
            code=facility.code,
            name=facility.name,
            short_name=facility.short_name,
            ror=facility.ror,
            url=facility.url,
        )
        if facility
        else None,
        instrument=InstrumentSnapshot(
            code=instrument.code, name=instrument.name, pid=instrument.pid, url=instrument.url
        )
        if instrument
        else None,
        techniques=tuple(
            TechniqueSnapshot(iri=t.iri, label=t.label) for t in dataset.techniques.all()
        ),
        proposal=ProposalSnapshot(
            proposal_id=proposal.proposal_id,
            title=proposal.title,
            abstract=proposal.abstract,
            principal_investigator=proposal.principal_investigator,
            proposal_type=proposal.get_proposal_type_display(),
            facility_code=proposal.facility.code if proposal.facility_id else "",
        )
        if proposal
        else None,
        beamtime=BeamtimeSnapshot(
            beamtime_id=beamtime.beamtime_id, start=beamtime.start, end=beamtime.end
        )
        if beamtime
        else None,
    )


def record_queryset(queryset=None):
    """Datasets with what :func:`record_snapshot` reads besides the parts: the row and its
    DOI registrations (whose state changes without moving ``updated_at``), in one query."""
    if settings.RECORD_PARTS_CACHE_SECONDS <= 0:
        return snapshot_queryset(queryset)  # no cache: everything, as before
    qs = Dataset.objects.all() if queryset is None else queryset
    return qs.select_related("doi_registration", "concept__doi_registration")


# The shared cache's copy of a public record's parts. The key names the parts' fields, so a
# release that changes them never reads another release's entries.
_PARTS_FIELDS = repr(
    [(c.__name__, [f.name for f in dataclasses.fields(c)]) for c in (SnapshotParts, AgentSnapshot,
     RelatedIdentifierSnapshot, AlternateIdentifierSnapshot, FundingSnapshot, FacilitySnapshot,
     InstrumentSnapshot, TechniqueSnapshot, ProposalSnapshot, BeamtimeSnapshot)]
)  # fmt: skip
PARTS_KEY = "catalogue:snapshot-parts:" + hashlib.sha256(_PARTS_FIELDS.encode()).hexdigest()[:12]


def _parts_key(dataset_id: int) -> str:
    return f"{PARTS_KEY}:{dataset_id}"


def record_snapshot(dataset: Dataset) -> DatasetSnapshot:
    """:func:`dataset_snapshot` for one record loaded by :func:`record_queryset`.

    The parts of a published or withdrawn record (public metadata, the same for everyone who
    may read it; what a user may see is still decided per request by ``catalogue.access``)
    come from the shared cache (``RECORD_PARTS_CACHE_SECONDS``; 0: never) while the row's
    ``updated_at`` is the one they were read at,
    and ``datasets_changed`` drops them (:func:`snapshot_parts_forget`). Drafts change with
    every ingestor's write: their parts are always read. The dataset's own fields, its DOI
    registrations, the versions and today's embargo state are always read fresh.
    """
    ttl = settings.RECORD_PARTS_CACHE_SECONDS
    if ttl <= 0 or dataset.status not in (Status.PUBLISHED, Status.WITHDRAWN):
        return dataset_snapshot(_with_parts(dataset))
    key = _parts_key(dataset.pk)
    parts = cache.get(key)
    if not isinstance(parts, SnapshotParts) or parts.updated_at != dataset.updated_at:
        parts = snapshot_parts(_with_parts(dataset))
        cache.set(key, parts, ttl)
    return dataset_snapshot(dataset, parts=parts)


def _with_parts(dataset: Dataset) -> Dataset:
    """The dataset as :func:`snapshot_queryset` loads it (its fixed number of queries)."""
    if "creators" in getattr(dataset, "_prefetched_objects_cache", {}):
        return dataset  # loaded so already
    return snapshot_queryset().get(pk=dataset.pk)


def snapshot_parts_forget(*, dataset_ids: list[int], ever_public_ids=None, **kwargs) -> None:
    """``datasets_changed`` receiver: the changed records' cached parts go. Only published or
    withdrawn records are ever cached, so a batch of drafts that were never public costs no
    cache round trip."""
    ids = dataset_ids if ever_public_ids is None else ever_public_ids
    if ids:
        cache.delete_many([_parts_key(pk) for pk in ids])


def dataset_snapshot(dataset: Dataset, *, parts: SnapshotParts | None = None) -> DatasetSnapshot:
    """Build the snapshot. Pass a dataset from :func:`snapshot_queryset` to avoid extra queries
    (or its ``parts``, read before: then the dataset's own row and registrations suffice)."""
    if parts is None:
        parts = snapshot_parts(dataset)
    licence = LICENCES.get(dataset.license)
    try:
        registration = dataset.doi_registration
    except ObjectDoesNotExist:  # a DOI from outside the lifecycle (imports, fixtures)
        registration = None
    return DatasetSnapshot(
        pid=dataset.pid,
        doi=dataset.doi,
        doi_resolves=registration is None or registration.resolves,
        status=dataset.status,
        title=dataset.title,
        url=settings.BASE_URL + dataset.get_absolute_url(),
        additional_titles=tuple(dataset.additional_titles or ()),
        description=dataset.description,
        additional_descriptions=tuple(dataset.additional_descriptions or ()),
        creators=parts.creators,
        contributors=parts.contributors,
        publisher=dataset.publisher,
        publisher_identifier=dataset.publisher_identifier,
        publication_year=dataset.publication_year,
        resource_type_general=dataset.resource_type_general,
        resource_type=dataset.resource_type,
        keywords=tuple(dataset.keywords or ()),
        subjects=tuple(dataset.subjects or ()),
        licence=LicenceSnapshot(licence.spdx, licence.name, licence.url) if licence else None,
        language=dataset.language,
        version=dataset.version,
        collection_start=dataset.collection_start,
        collection_end=dataset.collection_end,
        dates=tuple(dataset.dates or ()),
        related_identifiers=parts.related_identifiers,
        alternate_identifiers=parts.alternate_identifiers,
        funding_references=parts.funding_references,
        facility=parts.facility,
        instrument=parts.instrument,
        techniques=parts.techniques,
        proposal=parts.proposal,
        beamtime=parts.beamtime,
        sample_name=dataset.sample_name,
        sample_description=dataset.sample_description,
        scientific_metadata=dict(dataset.scientific_metadata or {}),
        file_count=dataset.file_count,
        total_size=dataset.total_size,
        media_types=tuple(dataset.file_formats or ()),
        download_base_url=dataset.download_base_url,
        embargo_until=dataset.embargo_until,
        embargo_active=_files_embargoed(dataset),
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
        published_at=dataset.published_at,
        withdrawn_at=dataset.withdrawn_at,
        withdrawal_reason=dataset.withdrawal_reason,
        versions=versions_snapshot(dataset),
    )
