"""The lifecycle's batch move for the system (imports): the rules of the one table, per record,
for many records at once; all or nothing."""

import pytest

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.services import lifecycle
from catalogue.services.lifecycle import TransitionError, datasets_move_as_system
from catalogue.services.versions import dataset_new_version
from doi.models import DoiRegistration
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db


def drafts(n):
    return [make_dataset() for _ in range(n)]


def test_moves_each_record_with_one_event_and_reserves_dois_at_approval(settings):
    settings.DATACITE_PREFIX = "10.80000"
    records = drafts(3)
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED):
        records = datasets_move_as_system(datasets=records, to=status)
    for ds in Dataset.objects.filter(pk__in=[d.pk for d in records]):
        assert ds.status == Status.PUBLISHED and ds.published_at is not None
        assert ds.doi.startswith("10.80000/")
        assert DoiRegistration.objects.filter(dataset=ds, doi=ds.doi).count() == 1
        assert DatasetEvent.objects.filter(dataset=ds, kind="transition").count() == 4
    assert len({d.doi for d in records}) == 3


def _publish_singly(ds):
    for move in (lifecycle.dataset_submit, lifecycle.dataset_start_review,
                 lifecycle.dataset_approve, lifecycle.dataset_publish):  # fmt: skip
        ds = move(dataset=ds, actor=None)
    return Dataset.objects.get(pk=ds.pk)


def _versions(ds):
    """What the record's concept says about it, in comparable form."""
    ds = Dataset.objects.select_related("concept").get(pk=ds.pk)
    concept = ds.concept
    return {
        "status": ds.status,
        "version_number": ds.version_number,
        "superseded": ds.superseded,
        "concept_doi_registered": bool(
            concept and concept.doi
            and DoiRegistration.objects.filter(concept=concept, doi=concept.doi).exists()
        ),
        "concept_doi_is_not_the_version_doi": bool(concept and concept.doi != ds.doi),
        "versions": sorted(concept.versions.values_list("version_number", flat=True))
        if concept else None,
    }  # fmt: skip


@pytest.mark.parametrize("path", ["four moves", "system move"])
def test_a_batch_published_record_has_its_concept_and_version_like_a_single_one(settings, path):
    settings.DATACITE_PREFIX = "10.80000"
    single = _publish_singly(make_dataset())
    records = drafts(2)
    if path == "four moves":
        for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED):
            records = datasets_move_as_system(datasets=records, to=status)
    else:
        records = datasets_move_as_system(datasets=records, to=Status.PUBLISHED)
    expected = _versions(single)
    assert expected["version_number"] == 1 and expected["concept_doi_registered"]
    for ds in records:
        assert _versions(ds) == expected
    assert len({Dataset.objects.get(pk=d.pk).concept_id for d in [single, *records]}) == 3

    # A new version published by the batch move joins the concept as the single path does:
    # number 2, the first version superseded, the concept DOI unchanged.
    first = records[0]
    concept_doi = Dataset.objects.get(pk=first.pk).concept.doi
    draft = dataset_new_version(dataset=Dataset.objects.get(pk=first.pk), actor=None).draft
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED):
        (draft,) = datasets_move_as_system(datasets=[draft], to=status)
    draft = Dataset.objects.select_related("concept").get(pk=draft.pk)
    assert (draft.version_number, draft.superseded) == (2, False)
    assert draft.concept.doi == concept_doi and draft.doi and draft.doi != concept_doi
    assert Dataset.objects.get(pk=first.pk).superseded is True

    # Withdrawn by the batch move: the first version is the latest published one again.
    datasets_move_as_system(datasets=[draft], to=Status.WITHDRAWN, comment="Wrong data.")
    assert Dataset.objects.get(pk=first.pk).superseded is False


def test_the_system_move_is_offered_to_nobody_and_refused_to_people():
    from tests.factories import UserFactory

    entry = lifecycle.SYSTEM_TRANSITION_TABLE[(Status.DRAFT, Status.PUBLISHED)]
    assert entry.system and entry in lifecycle.TRANSITIONS
    assert (Status.DRAFT, Status.PUBLISHED) not in lifecycle.TRANSITION_TABLE
    ds = make_dataset()
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert all(not t.system for t in lifecycle.transitions_for(dataset=ds, user=admin))
    with pytest.raises(TransitionError):
        lifecycle.dataset_transition(dataset=ds, to=Status.PUBLISHED, actor=admin)
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.dataset_import_published(dataset=ds, actor=admin)
    assert Dataset.objects.get(pk=ds.pk).status == Status.DRAFT
    moved = lifecycle.dataset_import_published(dataset=ds, comment="From the source.")
    assert moved.status == Status.PUBLISHED and _versions(moved)["version_number"] == 1


def test_a_record_that_may_not_move_stops_all(settings):
    records = drafts(2)
    lacking = make_dataset(creators=[])  # no creators: DataCite's mandatory properties are missing
    with pytest.raises(TransitionError, match=f"{lacking.pid}.*creators"):
        datasets_move_as_system(datasets=[*records, lacking], to=Status.SUBMITTED)
    assert set(Dataset.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert not DatasetEvent.objects.exists()
    with pytest.raises(TransitionError, match="cannot go from draft to approved"):
        datasets_move_as_system(datasets=records, to=Status.APPROVED)
