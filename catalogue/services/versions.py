"""Versions of a published record, as Zenodo has them: one concept, numbered versions.

* :func:`dataset_new_version` (owners and curators: ``Action.NEW_VERSION``) makes a draft from
  a published version: its metadata and files (file rows copied, same storage; editable while
  the draft is unpublished), its own pid, no DOI yet. It goes through the same review (the one
  transition table) and gets its own DOI at publication. While a draft new version of the
  record exists, asking again answers that draft (``created=False``), as Zenodo does: a retry,
  a second click or a second owner never makes two drafts.
* :func:`concept_publish` (called by the lifecycle inside its transaction when a version is
  published) creates the concept at a record's first publication, reserves its concept DOI
  (``doi.services.doi_reserve_concept``), gives the version its number and marks the older
  versions superseded. :func:`concept_refresh` recomputes "superseded" after a withdrawal.

Locks: the concept row serializes everything that changes a concept's versions; nobody holds a
version's row while waiting for the concept except the lifecycle (which locks its own dataset,
then the concept), and :func:`dataset_new_version` locks the concept without holding a
version, so the two never wait on each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.access import DatasetAccess, DatasetForbidden
from catalogue.models import (
    Contributor,
    Creator,
    DataFile,
    Dataset,
    DatasetConcept,
    DatasetEvent,
    FundingReference,
    RelatedIdentifier,
    Status,
)
from catalogue.roles import Action, user_may
from catalogue.services.changes import datasets_changed

PUBLIC = (Status.PUBLISHED, Status.WITHDRAWN)
FILE_BATCH = 5000


class VersionError(Exception):
    """No new version can be made of this dataset now (answer 409); ``draft`` names the
    existing draft new version when that is the reason and the caller may not see it."""

    def __init__(self, message: str, *, draft: Dataset | None = None):
        super().__init__(message)
        self.draft = draft


@dataclass(frozen=True)
class NewVersion:
    draft: Dataset
    created: bool  # False: the record's existing draft new version was answered


def _actor_user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _open_draft(concept: DatasetConcept) -> Dataset | None:
    return Dataset.objects.filter(concept=concept).exclude(status__in=PUBLIC).order_by("pk").first()


def _ensure_concept(dataset: Dataset) -> DatasetConcept:
    """The concept of a published dataset (created for records published before versions
    existed, with its concept DOI reserved, as at a first publication)."""
    if dataset.concept_id is not None:
        return dataset.concept
    with transaction.atomic():
        locked = Dataset.objects.select_for_update(of=("self",)).get(pk=dataset.pk)
        if locked.concept_id is not None:
            return locked.concept
        concept = DatasetConcept.objects.create()
        _reserve_concept_doi(concept, locked)
        Dataset.objects.filter(pk=locked.pk).update(concept=concept, version_number=1)
        datasets_changed([locked.pk])
        return concept


def _reserve_concept_doi(concept: DatasetConcept, dataset: Dataset) -> None:
    from doi.services import doi_reserve_concept

    facility = dataset.facility.code if dataset.facility_id else None
    # Fails (DoiReservationError) only where the version's own DOI could not be reserved
    # either: the lifecycle then refuses the publication and nothing is written.
    doi_reserve_concept(concept=concept, facility_code=facility)


def dataset_new_version(*, dataset: Dataset, actor) -> NewVersion:
    """Start a new version of the published ``dataset`` (see the module docstring)."""
    if actor is not None and not user_may(actor, Action.NEW_VERSION, dataset):
        raise DatasetForbidden(dataset, DatasetAccess(metadata=True, files=False, tombstone=False))
    with transaction.atomic():
        source = Dataset.objects.select_related("concept", "facility").get(pk=dataset.pk)
        if source.status != Status.PUBLISHED:
            raise VersionError(
                _("Only a published dataset gets new versions; this one is %(status)s.")
                % {"status": Status(source.status).label.lower()}
            )
        concept = _ensure_concept(source)
        concept = DatasetConcept.objects.select_for_update().get(pk=concept.pk)
        existing = _open_draft(concept)
        if existing is not None:
            return NewVersion(draft=existing, created=False)
        source.refresh_from_db()
        if source.status != Status.PUBLISHED:  # withdrawn while we waited for the lock
            raise VersionError(_("This dataset was withdrawn meanwhile."))
        source_name = source.doi or str(source.pid)
        draft = _copy(source, concept=concept, actor=actor)  # ``source`` becomes the draft
        DatasetEvent.objects.create(
            dataset=draft,
            kind=DatasetEvent.Kind.TRANSITION,
            actor=_actor_user(actor),
            actor_name=actor.get_username() if _actor_user(actor) else "",
            from_status="",
            to_status=Status.DRAFT,
            comment=f"New version of {source_name}.",
        )
        datasets_changed([draft.pk])
    return NewVersion(draft=draft, created=True)


def _copy(source: Dataset, *, concept: DatasetConcept, actor) -> Dataset:
    """The draft: the source's metadata, nested rows and file rows under a new pid."""
    creators = list(source.creators.all())
    contributors = list(source.contributors.all())
    related = list(source.related_identifiers.all())
    funding = list(source.funding_references.all())
    techniques = list(source.techniques.all())
    access_groups = list(source.access_groups.all())
    source_pk = source.pk

    draft = source
    draft.pk = draft.id = None
    draft._state.adding = True
    draft.pid = Dataset._meta.get_field("pid").default()
    draft.doi = None
    draft.status = Status.DRAFT
    draft.concept = concept
    draft.version_number = None
    draft.based_on_id = source_pk
    draft.superseded = False
    # A new version is published anew: its own year, its own version text (else its number).
    draft.version = ""
    draft.publication_year = timezone.now().year
    draft.published_at = draft.withdrawn_at = None
    draft.withdrawal_reason = ""
    draft.embargo_released_on = None
    draft.assignee = None
    draft.created_by = _actor_user(actor)
    draft.save()
    # Alternate identifiers (a SciCat pid) name the source version only: not copied.
    for model, rows in (
        (Creator, creators),
        (Contributor, contributors),
        (RelatedIdentifier, related),
        (FundingReference, funding),
    ):
        for row in rows:
            row.pk = row.id = None
            row.dataset = draft
        model.objects.bulk_create(rows)
    draft.techniques.set(techniques)
    draft.access_groups.set(access_groups)
    batch = []
    for f in DataFile.objects.filter(dataset_id=source_pk).order_by("pk").iterator(FILE_BATCH):
        batch.append(
            DataFile(
                dataset=draft,
                path=f.path,
                size=f.size,
                checksum_algorithm=f.checksum_algorithm,
                checksum=f.checksum,
                media_type=f.media_type,
            )
        )
        if len(batch) >= FILE_BATCH:
            DataFile.objects.bulk_create(batch)
            batch = []
    DataFile.objects.bulk_create(batch)
    return draft


def concept_publish(*, dataset: Dataset) -> list[int]:
    """``dataset`` (locked, being published) joins its concept as its newest version.

    Creates the concept at the first publication and reserves its concept DOI; numbers the
    version; marks every older version superseded. Returns the ids of all the concept's
    versions (their relations changed: search, OAI-PMH and DataCite must hear of it).
    """
    if dataset.concept_id is None:
        concept = DatasetConcept.objects.create()
        dataset.concept = concept
    else:
        concept = DatasetConcept.objects.select_for_update().get(pk=dataset.concept_id)
    if not concept.doi:
        _reserve_concept_doi(concept, dataset)
    if dataset.version_number is None:
        top = concept.versions.exclude(pk=dataset.pk).aggregate(n=Max("version_number"))["n"]
        dataset.version_number = (top or 0) + 1
    dataset.superseded = False
    return concept_refresh(concept=concept, publishing=dataset)


def concepts_publish(*, datasets: list[Dataset]) -> list[int]:
    """:func:`concept_publish` for many datasets published together (the lifecycle's batch
    move; each locked, their concepts locked before them). A record's first publication (no
    concept yet: imports) is what :func:`concept_publish` does for it, in a fixed number of
    queries: a new concept with its concept DOI, version 1, not superseded. A new version of
    an existing concept goes through :func:`concept_publish` itself. The caller saves
    ``concept``, ``version_number`` and ``superseded``. Returns the ids of every version
    concerned."""
    from doi.services import doi_reserve_concepts_many

    first = [ds for ds in datasets if ds.concept_id is None]
    later = [ds for ds in datasets if ds.concept_id is not None]
    concept_ids = [ds.concept_id for ds in later]
    if len(set(concept_ids)) != len(concept_ids):
        # A concept has one unpublished version at a time (dataset_new_version): two in one
        # batch would both claim the next number.
        raise VersionError(_("Two versions of one record cannot be published together."))
    changed = [ds.pk for ds in first]
    concepts = doi_reserve_concepts_many(
        facility_codes=[ds.facility.code if ds.facility_id else None for ds in first]
    )
    for ds, concept in zip(first, concepts, strict=True):
        ds.concept = concept
        if ds.version_number is None:
            ds.version_number = 1
        ds.superseded = False
    for ds in later:
        changed += concept_publish(dataset=ds)
    return changed


def concept_refresh(*, concept: DatasetConcept, publishing: Dataset | None = None) -> list[int]:
    """Recompute which versions are superseded: all but the latest published one (search
    shows that one by default). ``publishing`` is the version being published (not yet
    saved). Returns the ids of the concept's versions."""
    rows = list(
        concept.versions.filter(version_number__isnull=False).values_list(
            "pk", "status", "version_number"
        )
    )
    numbers = {pk: (status, number) for pk, status, number in rows}
    if publishing is not None:
        numbers[publishing.pk] = (Status.PUBLISHED, publishing.version_number)
    published = [n for status, n in numbers.values() if status == Status.PUBLISHED]
    latest = max(published) if published else None
    older = [pk for pk, (_s, n) in numbers.items() if latest is not None and n < latest]
    now = timezone.now()
    others = Dataset.objects.filter(concept=concept, status__in=PUBLIC)
    if publishing is not None:
        others = others.exclude(pk=publishing.pk)
    # Every public version's record changes (its relations, perhaps "superseded"): its
    # datestamp moves, so OAI-PMH harvesters fetch it again.
    others.exclude(pk__in=older).update(superseded=False, updated_at=now)
    others.filter(pk__in=older).update(superseded=True, updated_at=now)
    if publishing is not None:
        publishing.superseded = publishing.pk in older
    return sorted(set(numbers) | set(concept.versions.values_list("pk", flat=True)))
