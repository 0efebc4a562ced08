"""New versions of a published record: the writer, the concept, the API, the mappings."""

import json
from pathlib import Path

import pytest
from django.test import Client
from lxml import etree

from catalogue.access import DatasetForbidden
from catalogue.models import DataFile, Dataset, DatasetEvent, Status
from catalogue.services import lifecycle
from catalogue.services.versions import VersionError, dataset_new_version
from catalogue.snapshot import concept_snapshot, dataset_snapshot
from doi.datacite import datacite_xml
from doi.models import DoiRegistration
from doi.services import concept_latest
from portal.tokens import api_token_create
from tests.factories import DataFileFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parents[2] / "doi" / "schemas" / "datacite-4.6" / "metadata.xsd"
NS = {"d": "http://datacite.org/schema/kernel-4"}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(schema, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    return doc


def _relations(doc) -> set[tuple[str, str]]:
    return {
        (r.get("relationType"), r.text)
        for r in doc.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)
    }


def _publish(ds: Dataset) -> Dataset:
    """Through the one transition table, as the system actor."""
    ds.refresh_from_db()
    if ds.status == Status.DRAFT:
        ds = lifecycle.dataset_submit(dataset=ds, actor=None)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=None)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    return lifecycle.dataset_publish(dataset=ds, actor=None)


@pytest.fixture
def group():
    return GroupFactory(name="p-2001")


@pytest.fixture
def owner(group):
    user = UserFactory(username="owner")
    user.groups.add(group)
    return user


@pytest.fixture
def v1(group):
    ds = make_dataset(Status.SUBMITTED, owner_group=group, version="")
    for n in range(3):
        DataFileFactory(dataset=ds, path=f"raw/scan_{n}.h5", size=10 + n)
    Dataset.objects.filter(pk=ds.pk).update(file_count=3, total_size=33)
    ds.techniques.clear()
    return _publish(ds)


def test_first_publication_makes_the_concept_and_reserves_its_doi(v1):
    v1.refresh_from_db()
    assert v1.concept is not None and v1.version_number == 1 and not v1.superseded
    concept = v1.concept
    assert concept.doi and concept.doi != v1.doi
    assert DoiRegistration.objects.get(concept=concept).doi == concept.doi
    assert concept_latest(concept) == v1


def test_new_version_carries_metadata_and_files_over(v1, owner):
    result = dataset_new_version(dataset=v1, actor=owner)
    draft = result.draft
    assert result.created
    assert draft.pk != v1.pk and draft.pid != v1.pid
    assert draft.status == Status.DRAFT and draft.doi is None and draft.version_number is None
    assert draft.concept_id == v1.concept_id and draft.based_on_id == v1.pk
    assert draft.title == v1.title and draft.owner_group_id == v1.owner_group_id
    assert [c.name for c in draft.creators.all()] == [c.name for c in v1.creators.all()]
    assert sorted(DataFile.objects.filter(dataset=draft).values_list("path", "size")) == sorted(
        DataFile.objects.filter(dataset=v1).values_list("path", "size")
    )
    assert draft.storage_folder == v1.storage_folder  # same storage
    assert draft.created_by == owner
    event = DatasetEvent.objects.get(dataset=draft)
    assert v1.doi in event.comment
    # Asking again (a retry, a second owner) answers the same draft.
    again = dataset_new_version(dataset=v1, actor=owner)
    assert not again.created and again.draft.pk == draft.pk
    assert Dataset.objects.filter(concept=v1.concept).count() == 2


def test_only_owners_and_curators_make_versions_of_published_records(v1, group):
    with pytest.raises(DatasetForbidden):
        dataset_new_version(dataset=v1, actor=UserFactory())
    draft = make_dataset(Status.DRAFT, owner_group=group)
    with pytest.raises(VersionError):
        dataset_new_version(dataset=draft, actor=None)


def test_publishing_version_two_links_every_standard(v1, owner, schema):
    draft = dataset_new_version(dataset=v1, actor=owner).draft
    v2 = _publish(draft)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v2.version_number == 2 and v2.doi and v2.doi != v1.doi
    assert v1.superseded and not v2.superseded
    concept = v2.concept
    assert concept_latest(concept) == v2

    doc1 = _valid(schema, datacite_xml(dataset_snapshot(v1)))
    doc2 = _valid(schema, datacite_xml(dataset_snapshot(v2)))
    assert {("IsVersionOf", concept.doi), ("IsPreviousVersionOf", v2.doi)} <= _relations(doc1)
    assert {("IsVersionOf", concept.doi), ("IsNewVersionOf", v1.doi)} <= _relations(doc2)
    assert doc1.findtext("d:version", namespaces=NS) == "1"
    assert doc2.findtext("d:version", namespaces=NS) == "2"
    concept_doc = _valid(
        schema, datacite_xml(concept_snapshot(dataset_snapshot(v2), concept=concept))
    )
    assert concept_doc.findtext("d:identifier", namespaces=NS) == concept.doi
    assert _relations(concept_doc) >= {("HasVersion", v1.doi), ("HasVersion", v2.doi)}
    assert concept_doc.find("d:version", NS) is None

    # Withdrawing version 2 makes version 1 the latest again.
    lifecycle.dataset_withdraw(dataset=v2, actor=None, reason="Wrong calibration.")
    v1.refresh_from_db()
    assert not v1.superseded and concept_latest(concept) == v1


def _api(user) -> Client:
    _, secret = api_token_create(owner=user, name="test", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_new_version_is_201_then_answers_the_draft(v1, owner):
    api = _api(owner)
    url = f"/api/v1/datasets/{v1.pid}/versions"
    first = api.post(url, content_type="application/json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert first["Location"].endswith(f"/api/v1/datasets/{body['pid']}")
    assert body["status"] == "draft" and body["pid"] != str(v1.pid)
    assert body["versions"]["concept_doi"] == v1.concept.doi
    assert body["versions"]["number"] is None
    assert [p["doi"] for p in body["versions"]["published"]] == [v1.doi]
    assert len(body["files"]) == 3
    # The same JSON as GET answers.
    got = api.get(first["Location"]).json()
    assert got == body
    second = api.post(url, content_type="application/json")
    assert second.status_code == 200 and second.json()["pid"] == body["pid"]
    assert second["Location"] == first["Location"]
    # The draft's files are editable (it is not published).
    edit = api.delete(f"/api/v1/datasets/{body['pid']}/files?path=raw/scan_0.h5")
    assert edit.status_code in (200, 204), edit.content
    assert DataFile.objects.filter(dataset=v1).count() == 3


def test_api_idempotency_key_replays(v1, owner):
    api = _api(owner)
    url = f"/api/v1/datasets/{v1.pid}/versions"
    a = api.post(url, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    b = api.post(url, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert a.status_code == b.status_code == 201
    assert a.json()["pid"] == b.json()["pid"]
    assert Dataset.objects.filter(concept=v1.concept).count() == 2


def test_api_refusals(v1, group):
    url = f"/api/v1/datasets/{v1.pid}/versions"
    assert Client().post(url).status_code == 401
    assert _api(UserFactory()).post(url).status_code == 403
    owner = UserFactory()
    owner.groups.add(group)
    draft = make_dataset(Status.DRAFT, owner_group=group)
    answer = _api(owner).post(f"/api/v1/datasets/{draft.pid}/versions")
    assert answer.status_code == 409
    assert "published" in json.dumps(answer.json())


def test_record_page_button_starts_the_new_version(v1, owner, client):
    client.force_login(owner)
    page = client.get(f"/doi/{v1.doi}").content.decode()
    action = f"/datasets/{v1.pid}/new-version"
    assert f'action="{action}"' in page
    response = client.post(action)
    draft = Dataset.objects.get(based_on=v1)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url() + "#curation"
    # Again: the same draft, not a second one.
    assert client.post(action)["Location"] == draft.get_absolute_url() + "#curation"
    assert Dataset.objects.filter(based_on=v1).count() == 1
    # Readers of the record see no button.
    reader = UserFactory()
    client.force_login(reader)
    assert f'action="{action}"' not in client.get(f"/doi/{v1.doi}").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_new_versions_at_once_make_one_draft():
    """Two owners (or a retried request) at the same moment, on a record published before
    versions existed (its concept is made on the way): one draft, both get it."""
    import threading

    from django.db import connection

    ds = make_dataset(Status.PUBLISHED)  # no concept yet
    DataFileFactory(dataset=ds)
    barrier = threading.Barrier(2)
    drafts, errors = [], []

    def act():
        try:
            barrier.wait()
            drafts.append(dataset_new_version(dataset=ds, actor=None).draft.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(drafts) == 2 and drafts[0] == drafts[1]
    ds.refresh_from_db()
    assert Dataset.objects.filter(concept=ds.concept).count() == 2
    assert DoiRegistration.objects.filter(concept=ds.concept).count() == 1
