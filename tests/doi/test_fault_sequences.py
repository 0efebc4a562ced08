"""Random fault sequences over publish / update / withdraw / new version against the DataCite
stand-in.

Each example takes one record through a random sequence of lifecycle moves, public edits and
new versions (the moves apply to the newest version),
while DataCite answers with a random sequence of faults (timeouts, 500, 503, 429 with
Retry-After, 422, connections dropped before or after the DOI was stored). The worker
(``doi_sync``, as the Celery task calls it, retrying while it says "retry") runs after every
step. Throughout, the local state never claims more than DataCite confirmed in an answer it
delivered; once the faults stop and the stale/failed registrations are picked up again, every
public version has exactly one DOI at DataCite in the right state with the current metadata
and URL, the record has one concept DOI resolving to its latest published version (hidden
once every version is withdrawn), and no version that was never published has a registered or
findable DOI.
"""

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from catalogue.models import Dataset, Status
from catalogue.services import lifecycle
from catalogue.services.versions import dataset_new_version
from catalogue.snapshot import concept_snapshot, dataset_snapshot
from doi.datacite import datacite_xml
from doi.identifiers import landing_url
from doi.models import DoiRegistration, DoiState
from doi.services import concept_latest, doi_retry, doi_sync
from tests.doi.standin import FAULTS
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db

MOVES = ("approve", "publish", "update", "withdraw", "back_to_review", "new_version")
# Timeouts cost a second of wall clock each: rarer than the other faults.
WEIGHTED_FAULT = st.sampled_from(
    [None] * 6 + [f for f in FAULTS if f != "timeout"] * 2 + ["timeout"]
)


def _move(ds: Dataset, move: str, n: int) -> Dataset:
    ds.refresh_from_db()
    if move == "approve" and ds.status == Status.IN_REVIEW:
        return lifecycle.dataset_approve(dataset=ds, actor=None)
    if move == "back_to_review" and ds.status == Status.APPROVED:
        return lifecycle.dataset_start_review(dataset=ds, actor=None)
    if move == "publish" and ds.status == Status.APPROVED:
        return lifecycle.dataset_publish(dataset=ds, actor=None)
    if move == "withdraw" and ds.status == Status.PUBLISHED:
        return lifecycle.dataset_withdraw(dataset=ds, actor=None, reason="Wrong calibration.")
    if move == "new_version" and ds.status == Status.PUBLISHED:
        draft = dataset_new_version(dataset=ds, actor=None).draft
        draft = lifecycle.dataset_submit(dataset=draft, actor=None)
        return lifecycle.dataset_start_review(dataset=draft, actor=None)
    if move == "update":
        ds.title = f"Revised title {n}"
        ds.save()
    return ds


def _registrations(ds: Dataset):
    """The registrations of every version of ``ds``'s record and of its concept DOI."""
    from django.db.models import Q

    if ds.concept_id is None:
        return DoiRegistration.objects.filter(dataset=ds)
    return DoiRegistration.objects.filter(
        Q(dataset__concept_id=ds.concept_id) | Q(concept_id=ds.concept_id)
    ).order_by("pk")


def _claims_nothing_unconfirmed(standin, ds: Dataset) -> None:
    for reg in _registrations(ds):
        _claims_nothing_unconfirmed_one(standin, reg)


def _claims_nothing_unconfirmed_one(standin, reg) -> None:
    if reg.state != DoiState.RESERVED:
        # The local state is one DataCite delivered in an answer, and the DOI exists there.
        assert reg.state in standin.answered[reg.doi], (reg.state, standin.answered[reg.doi])
        assert reg.doi in standin.dois


def _work(standin, ds: Dataset, client, calls: int = 12) -> None:
    ds.refresh_from_db()
    for reg in list(_registrations(ds)):
        for _ in range(calls):
            result = doi_sync(registration=reg, client=client)
            _claims_nothing_unconfirmed_one(standin, DoiRegistration.objects.get(pk=reg.pk))
            if result.outcome != "retry":
                break


@pytest.fixture
def run(datacite, client):
    def run_example(moves, faults):
        datacite.reset()
        datacite.faults.extend(faults)
        ds = make_dataset(Status.IN_REVIEW)
        ever_published: set[int] = set()
        for n, move in enumerate(moves):
            ds = _move(ds, move, n)
            if ds.status == Status.PUBLISHED:
                ever_published.add(ds.pk)
            _work(datacite, ds, client)
        # The faults stop; the beat task (or a curator's "retry") picks up what failed.
        datacite.faults.clear()
        ds.refresh_from_db()
        doi_retry(registrations=_registrations(ds))
        _work(datacite, ds, client)
        assert datacite.problems == []
        versions = list(Dataset.objects.filter(concept_id=ds.concept_id)) if ds.concept_id else [ds]
        expected = set()
        for version in versions:
            version.refresh_from_db()
            reg = DoiRegistration.objects.filter(dataset=version).first()
            if version.status in (Status.PUBLISHED, Status.WITHDRAWN):
                expected.add(version.doi)
                stored = datacite.dois[version.doi]
                assert stored.xml == datacite_xml(dataset_snapshot(version))
                assert stored.url == landing_url(version.doi)
                if version.status == Status.PUBLISHED:
                    assert stored.state == "findable"
                    assert reg.state == DoiState.FINDABLE and not reg.pending and not reg.failed
                else:
                    assert stored.state == "registered"
                    assert reg.state == DoiState.REGISTERED
            else:
                assert version.pk not in ever_published
                # Never published: at most a draft record, never a DOI that resolves.
                if version.doi in datacite.dois:
                    expected.add(version.doi)
                    assert datacite.dois[version.doi].state == "draft"
                if reg is not None:
                    assert reg.state in (DoiState.RESERVED, DoiState.DRAFT)
        if ever_published:
            # One concept DOI, resolving to the latest published version (its tombstone once
            # every version is withdrawn), with that version's metadata and HasVersion.
            concept = versions[0].concept
            latest = concept_latest(concept)
            stored = datacite.dois[concept.doi]
            expected.add(concept.doi)
            assert stored.url == landing_url(latest.doi)
            public = [v for v in versions if v.status == Status.PUBLISHED]
            assert stored.state == ("findable" if public else "registered")
            assert stored.xml == datacite_xml(
                concept_snapshot(dataset_snapshot(latest), concept=concept)
            )
            assert concept.doi_registration.state == stored.state
        assert set(datacite.dois) == expected
        return ds

    return run_example


@seed(20261201)
@settings(
    max_examples=200,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(
    moves=st.lists(st.sampled_from(MOVES), min_size=1, max_size=8),
    faults=st.lists(WEIGHTED_FAULT, max_size=10),
)
def test_random_fault_sequences_end_in_step_with_datacite(run, moves, faults):
    run(["approve", "publish", *moves] if len(moves) % 2 else ["approve", *moves], faults)
