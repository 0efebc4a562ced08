"""DOI registration: reserve a name, then bring DataCite in step with the dataset.

* :func:`doi_reserve` (called by the lifecycle, inside its transaction, at approval and at
  publication) gives the dataset its DOI: a random suffix free in our unique index, held as a
  ``reserved`` :class:`~doi.models.DoiRegistration`. Existing DOIs never change.
* :func:`doi_sync` is the one idempotent step: it compares what DataCite last confirmed
  (state, checksum of metadata and URL) with what the dataset needs now (approved → draft,
  published → findable with current metadata and URL, withdrawn → registered, i.e. hidden)
  and sends only the missing request. Before the first PUT it asks DataCite whether the name
  is free (``GET /dois/{doi}`` → 404). The local state is set from the ``state`` DataCite
  answers, never from what was asked: DataCite silently ignores events that do not fit.
  A PUT repeated after a lost answer updates the same DOI (PUT is create-or-update).
* Failures are recorded on the registration (attempts, DataCite's message, when to try
  again); the Celery task (``doi.tasks``) re-queues transient ones with back-off.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import logging
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree

from catalogue.models import Dataset, DatasetConcept, Status
from catalogue.services.bulk import insert_new
from catalogue.snapshot import concept_snapshot, dataset_snapshot
from doi.client import (
    DataCiteClient,
    DataCiteConfigurationError,
    DataCiteError,
    DataCitePermanentError,
    DataCiteTransientError,
)
from doi.datacite import datacite_xml
from doi.identifiers import landing_url, new_doi
from doi.models import DoiRegistration, DoiState, ErrorKind

logger = logging.getLogger(__name__)

XSD = Path(__file__).resolve().parent / "schemas" / "datacite-4.6" / "metadata.xsd"
MAX_NAME_TRIES = 8
MAX_STEPS = 4  # reserved → (check) → draft/findable → hide: never more per sync


class DoiReservationError(Exception):
    """No DOI can be reserved (production without DataCite, or no prefix configured)."""


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


# --------------------------------------------------------------------------- reservation
def _name_taken(doi: str) -> bool:
    return (
        Dataset.objects.filter(doi=doi).exists()
        or DatasetConcept.objects.filter(doi=doi).exists()
        or DoiRegistration.objects.filter(doi=doi).exists()
    )


def _free_doi(*, facility_code: str | None, hold) -> str:
    """Draw random names until one is free locally and ``hold(doi)`` keeps it."""
    if not settings.DATACITE_PREFIX:
        raise DoiReservationError("No DOI prefix is configured (PORTAL_DATACITE_PREFIX).")
    for _ in range(MAX_NAME_TRIES):
        doi = new_doi(
            prefix=settings.DATACITE_PREFIX,
            template=settings.DOI_SUFFIX_TEMPLATE,
            facility_code=facility_code,
        )
        if _name_taken(doi):
            continue
        try:
            with transaction.atomic():
                hold(doi)
        except IntegrityError:  # taken by a concurrent reservation since the check
            continue
        return doi
    raise DoiReservationError("No free DOI name was found; try again.")


def _check_may_reserve() -> None:
    if (
        settings.PRODUCTION
        and not settings.DATACITE_ENABLED
        and not settings.DATACITE_EXPLICITLY_DISABLED
    ):
        raise DoiReservationError(
            "DataCite is not configured (PORTAL_DATACITE_REPOSITORY_ID, "
            "PORTAL_DATACITE_PASSWORD, PORTAL_DATACITE_PREFIX): this portal does not "
            "publish DOIs that would not resolve. Set PORTAL_DATACITE_ENABLED=false to "
            "publish with locally reserved DOIs."
        )


def doi_reserve_concept(*, concept: DatasetConcept, facility_code: str | None) -> str:
    """Give a concept (all versions of a record, locked by the caller) its concept DOI, held
    as a registration; called inside the lifecycle's transaction at the first publication.
    The concept DOI resolves to the latest published version (:func:`target_for`)."""
    _check_may_reserve()
    if concept.doi:
        DoiRegistration.objects.get_or_create(doi=concept.doi, defaults={"concept": concept})
        return concept.doi

    def hold(doi: str) -> None:
        DoiRegistration.objects.create(concept=concept, doi=doi)

    concept.doi = _free_doi(facility_code=facility_code, hold=hold)
    DatasetConcept.objects.filter(pk=concept.pk).update(doi=concept.doi)
    return concept.doi


def doi_reserve(*, dataset: Dataset) -> str:
    """Give ``dataset`` (locked by the caller) its DOI, and hold it as a registration.

    Called inside the lifecycle's transaction; the caller saves the dataset. A dataset that
    already has a DOI keeps it (it may be printed in papers): only its registration row is
    created if missing.
    """
    _check_may_reserve()
    if dataset.doi:
        DoiRegistration.objects.get_or_create(
            doi=dataset.doi.lower(), defaults={"dataset": dataset}
        )
        return dataset.doi
    facility = dataset.facility.code if dataset.facility_id else None

    def hold(doi: str) -> None:
        DoiRegistration.objects.create(dataset=dataset, doi=doi)

    dataset.doi = _free_doi(facility_code=facility, hold=hold)
    return dataset.doi


def _free_names(facility_codes: list[str | None]) -> list[str]:
    """One fresh DOI name per entry (its facility's code), none taken locally by a dataset, a
    concept or a registration, with a fixed number of queries. The caller holds them by
    inserting their registrations (a concurrent reservation then fails the insert)."""
    if not facility_codes:
        return []
    if not settings.DATACITE_PREFIX:
        raise DoiReservationError("No DOI prefix is configured (PORTAL_DATACITE_PREFIX).")
    for _ in range(MAX_NAME_TRIES):
        names = [
            new_doi(
                prefix=settings.DATACITE_PREFIX,
                template=settings.DOI_SUFFIX_TEMPLATE,
                facility_code=code,
            )
            for code in facility_codes
        ]
        if len(set(names)) != len(names):
            continue
        taken = Dataset.objects.filter(doi__in=names).exists()
        taken = taken or DatasetConcept.objects.filter(doi__in=names).exists()
        taken = taken or DoiRegistration.objects.filter(doi__in=names).exists()
        if not taken:
            return names
    raise DoiReservationError("No free DOI names were found; try again.")


def doi_reserve_many(*, datasets: list[Dataset]) -> None:
    """:func:`doi_reserve` for many datasets (locked by the caller, who saves them): a kept
    DOI gets its registration row, the others a fresh name, with a fixed number of queries
    (imports publish thousands). Raises DoiReservationError as doi_reserve does."""
    if not datasets:
        return
    _check_may_reserve()
    kept = {ds.doi.lower(): ds for ds in datasets if ds.doi}
    fresh = [ds for ds in datasets if not ds.doi]
    names = _free_names([ds.facility.code if ds.facility_id else None for ds in fresh])
    registered = set(
        DoiRegistration.objects.filter(doi__in=list(kept)).values_list("doi", flat=True)
    )
    rows = [DoiRegistration(dataset=ds, doi=doi) for doi, ds in kept.items()
            if doi not in registered]  # fmt: skip
    rows += [DoiRegistration(dataset=ds, doi=doi) for doi, ds in zip(names, fresh, strict=True)]
    with transaction.atomic():  # a concurrent reservation of a name: IntegrityError, retry
        DoiRegistration.objects.bulk_create(rows)
    for doi, ds in zip(names, fresh, strict=True):
        ds.doi = doi


def doi_reserve_concepts_many(*, facility_codes: list[str | None]) -> list[DatasetConcept]:
    """:func:`doi_reserve_concept` for the new concepts of many records published together
    for the first time (imports): creates one concept per entry with its concept DOI (a fresh
    name for the first version's facility) held as a registration, in a fixed number of
    queries. Raises DoiReservationError as doi_reserve_concept does."""
    if not facility_codes:
        return []
    _check_may_reserve()
    names = _free_names(facility_codes)
    with transaction.atomic():  # a concurrent reservation of a name: IntegrityError, retry
        concepts = DatasetConcept.objects.bulk_create(
            [DatasetConcept(doi=name.strip().lower()) for name in names]
        )
        DoiRegistration.objects.bulk_create(
            [DoiRegistration(concept=c, doi=c.doi) for c in concepts]
        )
    return concepts


def doi_reserve_new_published(*, datasets: list[Dataset]) -> None:
    """For new records published as they are created (imports; not yet inserted): each gets a
    fresh DOI name unless it keeps one (``ds.doi``) and a new concept with its concept DOI,
    as :func:`doi_reserve_many` and :func:`doi_reserve_concepts_many` give, with the names of
    both drawn and checked together (one look-up for the chunk). The concepts and their
    registrations are inserted here; the caller inserts the datasets and then calls
    :func:`doi_hold_new_published` for theirs. Raises DoiReservationError as they do."""
    if not datasets:
        return
    _check_may_reserve()
    codes = [ds.facility.code if ds.facility_id else None for ds in datasets]
    fresh = [ds for ds in datasets if not ds.doi]
    fresh_codes = [ds.facility.code if ds.facility_id else None for ds in fresh]
    names = _free_names(codes + fresh_codes)
    concept_names, dataset_names = names[: len(codes)], names[len(codes) :]
    concepts = [DatasetConcept(doi=name.strip().lower()) for name in concept_names]
    with transaction.atomic():  # a concurrent reservation of a name: IntegrityError, retry
        insert_new(DatasetConcept, concepts)
        insert_new(DoiRegistration, [DoiRegistration(concept=c, doi=c.doi) for c in concepts])
    for ds, concept in zip(datasets, concepts, strict=True):
        ds.concept = concept
    for ds, name in zip(fresh, dataset_names, strict=True):
        ds.doi = name
    for ds in datasets:
        ds.doi = ds.doi.strip().lower()  # the stored form (Dataset.save)


def doi_hold_new_published(*, datasets: list[Dataset]) -> None:
    """The registration rows of the DOIs :func:`doi_reserve_new_published` gave (or kept) for
    these datasets, now inserted (a kept DOI already registered keeps its row)."""
    if not datasets:
        return
    registered = set(
        DoiRegistration.objects.filter(doi__in=[ds.doi for ds in datasets]).values_list(
            "doi", flat=True
        )
    )
    insert_new(
        DoiRegistration,
        [DoiRegistration(dataset=ds, doi=ds.doi) for ds in datasets if ds.doi not in registered],
    )


# --------------------------------------------------------------------------- desired state
@dataclass(frozen=True)
class Target:
    state: str
    xml: bytes
    url: str

    @property
    def checksum(self) -> str:
        digest = hashlib.sha256()
        for part in (self.state.encode(), self.url.encode(), self.xml):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()


def desired_state(dataset: Dataset | None) -> str | None:
    """Where the DOI must be at DataCite for the dataset as it is now (None: nowhere)."""
    if dataset is None:
        return None
    if dataset.status == Status.PUBLISHED:
        return DoiState.FINDABLE
    if dataset.status == Status.WITHDRAWN:
        # The tombstone keeps resolving, but the DOI leaves DataCite's search (hide).
        return DoiState.REGISTERED
    return DoiState.DRAFT


def concept_latest(concept: DatasetConcept) -> Dataset | None:
    """The version a concept DOI resolves to: the latest published one, else (every version
    withdrawn) the latest withdrawn one's tombstone, else none (nothing public yet)."""
    versions = concept.versions.filter(version_number__isnull=False).order_by("-version_number")
    return (
        versions.filter(status=Status.PUBLISHED).first()
        or versions.filter(status=Status.WITHDRAWN).first()
    )


def target_for(registration: DoiRegistration) -> Target | None:
    if registration.concept_id is not None:
        latest = concept_latest(registration.concept)
        # A concept DOI goes to DataCite with its first public version, findable while one
        # version is published, hidden when all are withdrawn; its URL and metadata are the
        # latest version's (DataCite 4.6 HasVersion lists every published version).
        if latest is None or latest.status not in (Status.PUBLISHED, Status.WITHDRAWN):
            return None
        state = desired_state(latest)
        snapshot = concept_snapshot(dataset_snapshot(latest), concept=registration.concept)
        url = landing_url(latest.doi)
    else:
        dataset = registration.dataset
        state = desired_state(dataset)
        if state is None:
            return None
        snapshot = dataset_snapshot(dataset)
        url = landing_url(registration.doi)
    xml = datacite_xml(snapshot)
    # DataCite validates only registered and findable DOIs; we never send what it would refuse.
    schema = _schema()
    if not schema.validate(etree.fromstring(xml)):
        problems = "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise DataCitePermanentError(f"The DataCite XML does not validate (4.6 XSD): {problems}")
    return Target(state=state, xml=xml, url=url)


def _event(current: str, target: str) -> str | None:
    """The DataCite event that moves ``current`` towards ``target`` (lupo's aasm events)."""
    if target == DoiState.FINDABLE:
        return None if current == DoiState.FINDABLE else "publish"
    if target == DoiState.REGISTERED:
        if current == DoiState.FINDABLE:
            return "hide"
        return None if current == DoiState.REGISTERED else "register"
    return None  # a draft is created or updated without an event


# --------------------------------------------------------------------------- back-off
def backoff_delay(
    *,
    attempts: int,
    retry_after: float | None = None,
    base: float | None = None,
    cap: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Exponential back-off with full jitter, never shorter than DataCite's Retry-After."""
    base = settings.DATACITE_BACKOFF_BASE if base is None else base
    cap = settings.DATACITE_BACKOFF_MAX if cap is None else cap
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


@dataclass(frozen=True)
class SyncResult:
    outcome: str  # in_step | retry | failed | disabled | gone
    retry_in: float | None = None
    requests: int = 0


# --------------------------------------------------------------------------- sync
def _confirmed(registration: DoiRegistration, state: str) -> None:
    if state not in DoiState.values or state == DoiState.RESERVED:
        raise DataCiteTransientError(f"DataCite answered an unknown state {state!r}")
    registration.state = state


def _in_step(registration: DoiRegistration, target: Target | None, now) -> None:
    if target is not None:
        registration.metadata_checksum = target.checksum
    registration.pending = False
    registration.failed = False
    registration.attempts = 0
    registration.error_kind = ErrorKind.NONE
    registration.last_error = ""
    registration.next_attempt_at = None
    registration.last_synced = now


def _rename(registration: DoiRegistration) -> None:
    """DataCite holds this name already and we never sent it: draw another (not yet public)."""
    dataset, old = registration.dataset, registration.doi
    registration.delete()
    Dataset.objects.filter(pk=dataset.pk).update(doi=None)
    dataset.doi = None
    new = doi_reserve(dataset=dataset)
    Dataset.objects.filter(pk=dataset.pk).update(doi=new)
    logger.warning("DOI %s already existed at DataCite; %s reserved instead", old, new)


def doi_sync(
    *, registration: DoiRegistration, client: DataCiteClient | None, force: bool = False
) -> SyncResult:
    """Bring DataCite in step with the registration's dataset: do only the missing step(s).

    ``force`` sends the metadata even if the checksum says DataCite has it (repair after
    drift found by ``doi_sync --check``).
    """
    if client is None:
        return SyncResult("disabled")
    requests = 0
    with transaction.atomic():
        try:
            registration = (
                DoiRegistration.objects.select_for_update(of=("self",))
                .select_related("dataset", "concept")
                .get(pk=registration.pk)
            )
        except DoiRegistration.DoesNotExist:
            return SyncResult("gone")
        now = timezone.now()
        try:
            target = target_for(registration)
            if target is None:
                _in_step(registration, None, now)
                registration.save()
                return SyncResult("gone")
            for _ in range(MAX_STEPS):
                if (
                    registration.state == target.state
                    and registration.metadata_checksum == target.checksum
                    and not force
                ):
                    _in_step(registration, target, now)
                    registration.save()
                    return SyncResult("in_step", requests=requests)
                if not registration.availability_checked:
                    requests += 1
                    if client.get_doi(registration.doi) is not None:
                        if registration.concept_id is not None or (
                            registration.dataset.status in (Status.PUBLISHED, Status.WITHDRAWN)
                        ):
                            raise DataCitePermanentError(
                                f"DataCite already holds {registration.doi}, which this portal "
                                "never sent: check it in Fabrica, then run doi_sync --check."
                            )
                        _rename(registration)
                        return SyncResult("retry", retry_in=0.0, requests=requests)
                    registration.availability_checked = True
                    registration.save(update_fields=["availability_checked"])
                attributes = {
                    "url": target.url,
                    "xml": base64.b64encode(target.xml).decode("ascii"),
                }
                event = _event(registration.state, target.state)
                if registration.state in (DoiState.FINDABLE, DoiState.REGISTERED) and (
                    target.state == DoiState.DRAFT
                ):
                    # A registered DOI never goes back to draft (DataCite: one-way).
                    raise DataCitePermanentError(
                        f"{registration.doi} is {registration.state} at DataCite, but the "
                        "dataset is not public: publish or withdraw it."
                    )
                if event:
                    attributes["event"] = event
                requests += 1
                record = client.put_doi(registration.doi, attributes)
                _confirmed(registration, record.state)
                if record.state == target.state:
                    _in_step(registration, target, now)
                    registration.save()
                    return SyncResult("in_step", requests=requests)
                # The event did not fit DataCite's state (it ignored it): go on from there.
                registration.metadata_checksum = ""
                force = False
            raise DataCitePermanentError(
                f"DataCite keeps {registration.doi} {registration.state}, expected {target.state}."
            )
        except DataCiteTransientError as exc:
            registration.attempts += 1
            registration.error_kind = ErrorKind.TRANSIENT
            registration.last_error = str(exc)[:2000]
            if registration.attempts >= settings.DATACITE_MAX_ATTEMPTS:
                registration.failed = True
                registration.next_attempt_at = None
                registration.save()
                return SyncResult("failed", requests=requests)
            delay = backoff_delay(attempts=registration.attempts, retry_after=exc.retry_after)
            registration.next_attempt_at = now + datetime.timedelta(seconds=delay)
            registration.save()
            return SyncResult("retry", retry_in=delay, requests=requests)
        except (DataCitePermanentError, DataCiteConfigurationError) as exc:
            registration.attempts += 1
            registration.failed = True
            registration.error_kind = (
                ErrorKind.CONFIGURATION
                if isinstance(exc, DataCiteConfigurationError)
                else ErrorKind.PERMANENT
            )
            registration.last_error = str(exc)[:2000]
            registration.next_attempt_at = None
            registration.save()
            if isinstance(exc, DataCiteConfigurationError):
                logger.error("DataCite configuration error: %s", exc)
            return SyncResult("failed", requests=requests)


def doi_mark_changed(*, dataset_ids: list[int]) -> list[int]:
    """The datasets changed: their registrations need a sync (a change is a fresh chance
    after a failure). Returns the registrations' ids."""
    from django.db.models import Q

    concepts = Dataset.objects.filter(pk__in=dataset_ids, concept__isnull=False).values(
        "concept_id"
    )
    # A version's change may change its concept DOI's metadata and URL (the latest version).
    registrations = DoiRegistration.objects.filter(
        Q(dataset_id__in=dataset_ids) | Q(concept_id__in=concepts)
    )
    ids = list(registrations.values_list("pk", flat=True))
    if ids:
        DoiRegistration.objects.filter(pk__in=ids).update(
            pending=True, failed=False, attempts=0, next_attempt_at=None
        )
    return ids


def doi_retry(*, registrations) -> list[int]:
    """A curator asks for another try (admin action "retry")."""
    ids = list(registrations.values_list("pk", flat=True))
    DoiRegistration.objects.filter(pk__in=ids).update(
        pending=True, failed=False, attempts=0, next_attempt_at=None
    )
    return ids


DUE_GRACE_SECONDS = 60


def stale_registrations(*, now=None):
    """Registrations whose task must have been lost, and failures worth another try."""
    from django.db.models import Q

    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.DATACITE_STALE_AFTER)
    # A back-off longer than a worker may hold a task is not queued (doi.tasks): it is due
    # here once its time has come (with a minute's grace for the short ones still queued).
    due = now - datetime.timedelta(seconds=DUE_GRACE_SECONDS)
    waiting = Q(pending=True, failed=False) & (
        Q(next_attempt_at__lte=due) | Q(next_attempt_at__isnull=True, updated_at__lte=stale)
    )
    # Transient exhaustion and configuration errors heal on DataCite's or an admin's side;
    # a refusal (422) waits for a change of the dataset or a curator's "retry".
    retry_failed = Q(failed=True, updated_at__lte=now - datetime.timedelta(hours=1)) & ~Q(
        error_kind=ErrorKind.PERMANENT
    )
    return DoiRegistration.objects.filter(waiting | retry_failed).filter(
        Q(dataset__isnull=False) | Q(concept__isnull=False)
    )


__all__ = [
    "DataCiteError",
    "DoiReservationError",
    "SyncResult",
    "backoff_delay",
    "desired_state",
    "doi_mark_changed",
    "doi_reserve",
    "doi_reserve_concept",
    "doi_retry",
    "doi_sync",
    "stale_registrations",
]
