"""Whole harvests by a real harvester (Sickle, from PyPI) against a real server on loopback."""

import datetime

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from catalogue.models import Dataset, Status
from catalogue.services.lifecycle import dataset_withdraw
from tests.factories import (
    CuratorFactory,
    FacilityFactory,
    InstrumentFactory,
    make_dataset,
)
from tests.oaipmh.schemas import OAI, oai_schema

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]

T0 = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)


@pytest.fixture
def harvester(live_server, settings):
    settings.OAI_PAGE_SIZE = 3  # several resumption tokens for a dozen records
    return Sickle(live_server.url + "/oai", max_retries=0, timeout=30)


@pytest.fixture
def repository(settings):
    esrf = FacilityFactory(code="esrf")
    ill = FacilityFactory(code="ill")
    made = []
    for i in range(10):
        facility = esrf if i % 2 else ill
        ds = make_dataset(
            status=Status.PUBLISHED,
            facility=facility,
            instrument=InstrumentFactory(facility=facility),
            embargo_until=datetime.date(2999, 1, 1) if i == 3 else None,
        )
        Dataset.objects.filter(pk=ds.pk).update(updated_at=T0 + datetime.timedelta(days=i))
        made.append(ds)
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED):
        make_dataset(status=status)
    return made


def oai_id(settings, ds) -> str:
    return f"oai:{settings.OAI_REPOSITORY_ID}:{ds.pid}"


def public_identifiers(settings) -> set[str]:
    from catalogue.access import datasets_public

    return {oai_id(settings, ds) for ds in datasets_public()}


@pytest.mark.parametrize("http_method", ["GET", "POST"])
def test_full_harvest_equals_the_public_datasets(live_server, settings, repository, http_method):
    settings.OAI_PAGE_SIZE = 3
    harvester = Sickle(live_server.url + "/oai", http_method=http_method, max_retries=0)
    records = harvester.ListRecords(metadataPrefix="oai_datacite")
    got = []
    for record in records:
        assert not record.header.deleted
        payload = record.xml.find(f"{OAI}metadata")[0]
        assert oai_schema().validate(payload), oai_schema().error_log
        got.append(record.header.identifier)
    assert len(got) == len(set(got)) == 10
    assert set(got) == public_identifiers(settings)
    # Harvested across tokens: the last response had the empty token of a split list.
    assert records.resumption_token is not None and records.resumption_token.token is None
    assert records.resumption_token.complete_list_size == "10"


def test_every_format_and_list_identifiers(harvester, settings, repository):
    expected = public_identifiers(settings)
    for prefix in ("oai_dc", "oai_datacite", "datacite"):
        got = [r.header.identifier for r in harvester.ListRecords(metadataPrefix=prefix)]
        assert sorted(got) == sorted(expected)
    got = [h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc")]
    assert sorted(got) == sorted(expected)
    dc = next(iter(harvester.ListRecords(metadataPrefix="oai_dc"))).metadata
    assert dc["title"] and dc["creator"] == ["Okafor, Amara"]


def test_selective_harvests(harvester, settings, repository):
    def harvest(**params):
        try:
            return {
                h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **params)
            }
        except NoRecordsMatch:
            return set()

    esrf = {oai_id(settings, ds) for ds in repository if ds.facility.code == "esrf"}
    assert harvest(set="facility:esrf") == esrf
    assert harvest(set="facility") == public_identifiers(settings)
    assert harvest(**{"from": "2024-06-03", "until": "2024-06-05"}) == {
        oai_id(settings, ds) for ds in repository[2:5]
    }
    assert harvest(**{"from": "2024-06-03T00:00:00Z", "until": "2024-06-04T00:00:00Z"}) == {
        oai_id(settings, ds) for ds in repository[2:4]
    }
    assert harvest(set="facility:esrf", **{"until": "2024-06-04"}) == {
        oai_id(settings, ds) for ds in repository[:4] if ds.facility.code == "esrf"
    }
    assert harvest(**{"from": "2031-01-01"}) == set()
    sets = {s.setSpec for s in harvester.ListSets()}
    assert {"facility:esrf", "facility:ill", "resourcetype:Dataset"} <= sets
    assert harvester.Identify().repositoryIdentifier == settings.OAI_REPOSITORY_ID


def test_withdrawal_shows_up_as_a_deleted_record(harvester, settings, repository):
    curator = CuratorFactory()
    gone = repository[4]
    dataset_withdraw(dataset=gone, actor=curator, reason="Wrong sample.")
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_datacite"))
    deleted = [h.identifier for h in headers if h.deleted]
    assert deleted == [oai_id(settings, gone)]
    assert {h.identifier for h in headers if not h.deleted} == public_identifiers(settings)
    # An incremental harvest since the withdrawal brings just the deletion.
    since = before.strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": since}))
    assert [(r.header.identifier, r.header.deleted) for r in recent] == [
        (oai_id(settings, gone), True)
    ]
    record = harvester.GetRecord(identifier=oai_id(settings, gone), metadataPrefix="oai_dc")
    assert record.header.deleted


def test_records_added_or_changed_during_a_harvest_do_not_disturb_it(
    harvester, settings, repository
):
    records = harvester.ListIdentifiers(metadataPrefix="oai_dc")
    first = next(records)  # the first response (3 headers) is in; the harvest goes on
    started = records.oai_response.xml.findtext(f"{OAI}responseDate")
    added = make_dataset(status=Status.PUBLISHED)
    changed = Dataset.objects.get(pk=repository[0].pk)  # already harvested
    changed.title = "Corrected title"
    changed.save()
    got = [first.identifier] + [h.identifier for h in records]
    assert len(got) == len(set(got)) == 10
    assert set(got) == {oai_id(settings, ds) for ds in repository}
    nxt = {
        h.identifier
        for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": started})
    }
    assert nxt == {oai_id(settings, added), oai_id(settings, changed)}


def test_harvester_sees_protocol_errors(harvester, settings, repository):
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier="oai:nowhere.org:1", metadataPrefix="oai_dc")
    with pytest.raises(BadResumptionToken):
        list(harvester.ListRecords(resumptionToken="forged"))
