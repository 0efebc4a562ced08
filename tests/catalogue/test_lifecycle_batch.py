"""The lifecycle's batch move for the system (imports): the rules of the one table, per record,
for many records at once; all or nothing."""

import pytest

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.services.lifecycle import TransitionError, datasets_move_as_system
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


def test_a_record_that_may_not_move_stops_all(settings):
    records = drafts(2)
    lacking = make_dataset(creators=[])  # no creators: DataCite's mandatory properties are missing
    with pytest.raises(TransitionError, match=f"{lacking.pid}.*creators"):
        datasets_move_as_system(datasets=[*records, lacking], to=Status.SUBMITTED)
    assert set(Dataset.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert not DatasetEvent.objects.exists()
    with pytest.raises(TransitionError, match="cannot go from draft to published"):
        datasets_move_as_system(datasets=records, to=Status.PUBLISHED)
