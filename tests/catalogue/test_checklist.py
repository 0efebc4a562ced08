"""The one checklist: blocking items stop a submission, advice does not."""

import datetime

import pytest
from django.utils import timezone

from catalogue.checklist import checklist_blocking, dataset_checklist
from catalogue.models import Creator, Status
from catalogue.services import lifecycle
from tests.factories import DataFileFactory, DatasetFactory, UserFactory, technique

pytestmark = pytest.mark.django_db


def _items(ds) -> dict:
    return {i.id: i for i in dataset_checklist(ds)}


def _owned():
    ds = DatasetFactory()
    owner = UserFactory()
    owner.groups.add(ds.owner_group)
    return ds, owner


def test_a_complete_record_has_no_blocking_item():
    ds, _ = _owned()
    DataFileFactory(dataset=ds)
    ds.techniques.add(technique())
    items = dataset_checklist(ds)
    assert {i.level for i in items} == {"blocking", "advice"}
    assert all(set(i.as_dict()) == {"id", "level", "passed", "message"} for i in items)
    assert checklist_blocking(items) == []
    assert _items(ds)["techniques.panet"].passed


def test_missing_files_checksums_and_bad_identifiers_block():
    ds, owner = _owned()
    items = _items(ds)
    assert not items["files.present"].passed and items["files.present"].level == "blocking"
    DataFileFactory(dataset=ds, checksum="")
    Creator.objects.create(dataset=ds, position=1, name="Bad, Id", orcid="0000-0002-1825-0098")
    items = _items(ds)
    assert items["files.present"].passed
    assert not items["files.checksums"].passed
    assert not items["identifiers.valid"].passed and "Bad, Id" in items["identifiers.valid"].message
    with pytest.raises(lifecycle.ChecklistBlocked) as exc:
        lifecycle.dataset_submit(dataset=ds, actor=owner)
    assert {i.id for i in exc.value.items} == {"files.checksums", "identifiers.valid"}
    ds.refresh_from_db()
    assert ds.status == Status.DRAFT and not ds.events.exists()


def test_valid_orcid_check_digit_passes():
    ds, _ = _owned()
    Creator.objects.create(dataset=ds, position=1, name="Carberry, J", orcid="0000-0002-1825-0097")
    assert _items(ds)["identifiers.valid"].passed


def test_embargo_longer_than_the_limit_blocks(settings):
    settings.EMBARGO_MAX_YEARS = 3
    ds, _ = _owned()
    today = timezone.localdate()
    ds.embargo_until = today + datetime.timedelta(days=365 * 2)
    assert _items(ds)["embargo.max"].passed
    ds.embargo_until = today + datetime.timedelta(days=365 * 3 + 5)
    item = _items(ds)["embargo.max"]
    assert not item.passed and "3 years" in item.message


def test_advice_does_not_block():
    ds, owner = _owned()
    DataFileFactory(dataset=ds)
    ds.description = ""
    ds.keywords = []
    ds.save()
    items = _items(ds)
    assert not items["datacite.descriptions"].passed and items["datacite.descriptions"].level == (
        "advice"
    )
    assert lifecycle.dataset_submit(dataset=ds, actor=owner).status == Status.SUBMITTED
