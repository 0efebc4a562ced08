"""The provider's reads agree with the catalogue's."""

import pytest

from catalogue.models import Contributor, Dataset, FundingReference, RelatedIdentifier, Status
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from oaipmh.selectors import snapshots_by_id
from tests.factories import BeamtimeFactory, make_dataset, technique

pytestmark = pytest.mark.django_db


def test_bulk_snapshots_equal_the_catalogue_snapshots():
    """snapshots_by_id fills the prefetch caches itself; it must build the same snapshots."""
    rich = make_dataset(status=Status.PUBLISHED, creators=["Okafor, Amara", "Lindqvist, Erik"])
    rich.techniques.add(technique(), technique("x-ray diffraction"))
    Dataset.objects.filter(pk=rich.pk).update(beamtime=BeamtimeFactory())
    Contributor.objects.create(
        dataset=rich, name="Staff", contributor_type="DataCollector", position=1
    )
    Contributor.objects.create(dataset=rich, name="Another", position=0)
    RelatedIdentifier.objects.create(dataset=rich, identifier="10.1000/b")
    RelatedIdentifier.objects.create(dataset=rich, identifier="10.1000/a")
    FundingReference.objects.create(dataset=rich, funder_name="ERC", award_number="1")
    bare = make_dataset(status=Status.PUBLISHED, creators=[])
    ids = [rich.pk, bare.pk]
    expected = {ds.pk: dataset_snapshot(ds) for ds in snapshot_queryset().filter(pk__in=ids)}
    got = snapshots_by_id(ids)
    assert got == expected
    assert [c.name for c in got[rich.pk].contributors] == ["Another", "Staff"]
    assert len(got[rich.pk].techniques) == 2 and got[rich.pk].proposal is not None
