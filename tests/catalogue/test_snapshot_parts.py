"""catalogue.snapshot.record_snapshot: a public record's parts from the shared cache, exactly
what loading them gives, and never older than the record's last change."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import Creator, Dataset, Status
from catalogue.services.changes import datasets_changed
from catalogue.services.context import context_record_changed
from catalogue.snapshot import (
    dataset_snapshot,
    record_queryset,
    record_snapshot,
    snapshot_queryset,
)
from tests.factories import FacilityFactory, make_dataset, technique

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _parts_cached(settings):
    settings.RECORD_PARTS_CACHE_SECONDS = 3600  # as make prod (the default 0 never caches)


def _row(ds: Dataset) -> Dataset:
    return record_queryset().get(pk=ds.pk)


def _published(**fields) -> Dataset:
    ds = make_dataset(status=Status.PUBLISHED, **fields)
    ds.techniques.add(technique())
    Creator.objects.create(dataset=ds, position=1, name="Berg, Ilse", orcid="0000-0002-1825-0097")
    return ds


def test_the_cached_snapshot_is_the_loaded_one_and_the_second_read_costs_no_query(
    django_assert_num_queries,
):
    ds = _published()
    loaded = dataset_snapshot(snapshot_queryset().get(pk=ds.pk))
    assert record_snapshot(_row(ds)) == loaded  # a miss: read and kept
    row = _row(ds)
    with django_assert_num_queries(0):
        assert record_snapshot(row) == loaded
    assert [a.name for a in loaded.creators] == ["Okafor, Amara", "Berg, Ilse"]
    assert loaded.techniques and loaded.facility is not None


def test_a_change_that_moves_updated_at_is_seen_without_any_announcement():
    ds = _published()
    record_snapshot(_row(ds))
    Creator.objects.filter(dataset=ds, position=0).update(name="Renamed, Ada")
    Dataset.objects.filter(pk=ds.pk).update(updated_at=timezone.now() + datetime.timedelta(1))
    assert record_snapshot(_row(ds)).creators[0].name == "Renamed, Ada"


def test_datasets_changed_drops_the_parts(django_capture_on_commit_callbacks):
    ds = _published()
    record_snapshot(_row(ds))
    Creator.objects.filter(dataset=ds, position=0).update(name="Renamed, Ada")  # same updated_at
    assert record_snapshot(_row(ds)).creators[0].name == "Okafor, Amara"
    with django_capture_on_commit_callbacks(execute=True):
        datasets_changed([ds.pk])
    assert record_snapshot(_row(ds)).creators[0].name == "Renamed, Ada"


def test_a_renamed_facility_shows_on_the_landing_page(client, django_capture_on_commit_callbacks):
    facility = FacilityFactory(code="xfel", name="Old Light Source")
    ds = _published(facility=facility)
    assert "Old Light Source" in client.get(f"/doi/{ds.doi}").content.decode()
    facility.name = "New Light Source"
    facility.save()
    with django_capture_on_commit_callbacks(execute=True):
        context_record_changed(obj=facility)
    page = client.get(f"/doi/{ds.doi}").content.decode()
    assert "New Light Source" in page
    assert "Old Light Source" not in page


def test_with_the_default_nothing_is_cached(settings):
    settings.RECORD_PARTS_CACHE_SECONDS = 0
    ds = _published()
    record_snapshot(_row(ds))
    Creator.objects.filter(dataset=ds, position=0).update(name="Renamed, Ada")  # same updated_at
    assert record_snapshot(_row(ds)).creators[0].name == "Renamed, Ada"


def test_drafts_are_always_read():
    ds = make_dataset(status=Status.DRAFT)
    record_snapshot(_row(ds))
    Creator.objects.filter(dataset=ds, position=0).update(name="Renamed, Ada")  # same updated_at
    assert record_snapshot(_row(ds)).creators[0].name == "Renamed, Ada"


def test_todays_embargo_state_is_never_from_the_cache():
    today = timezone.localdate()
    ds = _published(embargo_until=today + datetime.timedelta(days=1))
    assert record_snapshot(_row(ds)).embargo_active
    # The date passes (no write, no announcement): the files open.
    Dataset.objects.filter(pk=ds.pk).update(embargo_until=today)
    assert not record_snapshot(_row(ds)).embargo_active
