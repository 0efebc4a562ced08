"""A renamed facility, instrument or technique changes the records that name it: their
datestamps move (incremental harvesters fetch them again) and search shows the new name."""

import datetime

import pytest
from django.contrib.auth.models import Group
from lxml import etree

from catalogue.access import CURATORS_GROUP
from catalogue.models import Dataset, Status
from catalogue.services.context import context_record_changed, datasets_naming
from tests.factories import FacilityFactory, UserFactory, make_dataset, technique
from tests.oaipmh.schemas import NS, oai_get

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def _published(**fields) -> Dataset:
    ds = make_dataset(status=Status.PUBLISHED, **fields)
    Dataset.objects.filter(pk=ds.pk).update(updated_at=LONG_AGO)
    ds.refresh_from_db()
    return ds


@pytest.fixture
def curator_client(client):
    user = UserFactory(username="curator", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    client.force_login(user)
    return client


def test_renaming_a_facility_in_the_admin_changes_its_records(curator_client):
    facility = FacilityFactory(code="esrf", name="ESRF old name")
    named = _published(facility=facility)
    other = _published()
    response = curator_client.post(
        f"/admin/catalogue/facility/{facility.pk}/change/",
        {"code": "esrf", "name": "European Synchrotron Radiation Facility", "short_name": "",
         "ror": facility.ror, "url": "", "description": ""},
    )  # fmt: skip
    assert response.status_code == 302
    named.refresh_from_db()
    other.refresh_from_db()
    assert named.updated_at > LONG_AGO
    assert other.updated_at == LONG_AGO
    # An incremental harvest from before the rename fetches the record, with the new name.
    root = oai_get(
        curator_client, verb="ListRecords", metadataPrefix="oai_datacite",
        from_=(LONG_AGO + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )  # fmt: skip
    records = root.findall(".//oai:record", NS)
    assert len(records) == 1
    assert b"European Synchrotron Radiation Facility" in etree.tostring(records[0])


def test_records_naming_a_technique_or_proposal(settings):
    saxs = technique()
    a = _published()
    a.techniques.add(saxs)
    _published()
    assert list(datasets_naming(obj=saxs)) == [a]
    assert context_record_changed(obj=saxs) == 1
    a.refresh_from_db()
    assert a.updated_at > LONG_AGO
