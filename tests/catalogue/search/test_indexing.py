"""Indexing: the pure document mapping, the hooks after commit, versions, and `reindex`."""

import datetime
import io
import time
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from catalogue.models import Dataset, Status
from catalogue.search.connection import get_client
from catalogue.search.documents import DatasetDocument, alias_name
from catalogue.search.indexing import (
    dataset_to_document,
    index_datasets,
    rebuild_index,
)
from catalogue.search.queries import parse_search_params
from catalogue.search.selectors import search_datasets
from catalogue.search.signals import reindex_changed_datasets
from catalogue.services.files import FileRecord, dataset_files_register
from catalogue.services.lifecycle import dataset_publish, dataset_withdraw
from catalogue.snapshot import (
    AgentSnapshot,
    DatasetSnapshot,
    FacilitySnapshot,
    InstrumentSnapshot,
    LicenceSnapshot,
    TechniqueSnapshot,
)
from tests.factories import CuratorFactory, make_dataset
from tests.workers import broker_tasks, worker

SNAPSHOT = DatasetSnapshot(
    pid=uuid.UUID("0c3f6a2e-2b8e-4b43-9e61-3d8f3f1b8a55"),
    doi=f"{settings.DATACITE_PREFIX}/esrf.abcd-1234",
    status="published",
    title="SAXS of lysozyme",
    url="http://127.0.0.1:8000/datasets/0c3f6a2e-2b8e-4b43-9e61-3d8f3f1b8a55/",
    description="Small-angle scattering. " * 40,
    creators=(
        AgentSnapshot(name="García, Mateo", orcid="0000-0000-0000-0001"),
        AgentSnapshot(name="Okafor, Amara"),
    ),
    publication_year=2024,
    keywords=("SAXS", "protein"),
    licence=LicenceSnapshot("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://x"),
    facility=FacilitySnapshot(
        code="esrf", name="European Synchrotron Radiation Facility", short_name="ESRF"
    ),
    instrument=InstrumentSnapshot(code="esrf-id02", name="ID02"),
    techniques=(
        TechniqueSnapshot(
            "http://purl.org/pan-science/PaNET/PaNET01188", "small angle x-ray scattering"
        ),
    ),
    scientific_metadata={
        "sample": {
            "temperature": {"value": 26.85, "unit": "degC"},
            "holder": "capillary",
            "flowing": True,
        },
        "energy": {"v": 9, "u": "keV"},
        "angles": [0.3, 0.8],
        "odd": {"value": 3, "unit": "furlongs per fortnight squared"},
    },
    published_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    created_at=datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC),
    updated_at=datetime.datetime(2024, 5, 2, tzinfo=datetime.UTC),
    file_count=3,
    total_size=1024,
)


def test_dataset_to_document_is_pure_and_complete():
    doc = dataset_to_document(SNAPSHOT, ["public", "group:3", "public"])
    assert doc["principals"] == ["group:3", "public"]
    assert doc["facility"] == "European Synchrotron Radiation Facility"
    assert doc["facility_short_name"] == "ESRF"
    assert doc["instrument"] == "ID02"
    assert doc["techniques"] == ["small angle x-ray scattering"]
    assert doc["technique_iris"] == ["http://purl.org/pan-science/PaNET/PaNET01188"]
    assert doc["license"] == "CC-BY-4.0"
    assert doc["has_doi"] is True and doc["resource_type"] == "Dataset"
    # Names as written, for display and search (the analyser folds "García" to "garcia").
    assert doc["creator_names"] == ["García, Mateo", "Okafor, Amara"]
    assert doc["creators"] == ["García, Mateo", "Okafor, Amara"]
    assert doc["sort_date"] == "2024-05-01T00:00:00+00:00"
    assert len(doc["summary"]) <= 321 and doc["summary"].endswith("…")
    entries = {e["key"]: e for e in doc["scientific"]}
    assert entries["sample.temperature"] == {
        "key": "sample.temperature", "number": 26.85, "unit": "degC",
        "si_value": pytest.approx(300.0), "si_unit": "K",
    }  # fmt: skip
    assert entries["energy"]["si_unit"] == "kg * m ** 2 / s ** 2"
    assert entries["sample.holder"] == {"key": "sample.holder", "text": "capillary"}
    assert entries["sample.flowing"] == {"key": "sample.flowing", "text": "true"}
    assert entries["angles"]["number"] == [0.3, 0.8]
    # An unknown unit keeps the number and the unit as given, without SI fields.
    assert entries["odd"] == {
        "key": "odd", "number": 3.0, "unit": "furlongs per fortnight squared"
    }  # fmt: skip
    assert doc["scientific_keys"] == sorted(entries)
    assert dataset_to_document(SNAPSHOT, ["public"]) == dataset_to_document(SNAPSHOT, ["public"])


def test_every_document_field_is_in_the_mapping():
    """The mapping is strict: a field the mapping lacks would be refused at indexing."""
    mapped = set(DatasetDocument._doc_type.mapping.properties.to_dict()["properties"])
    assert set(dataset_to_document(SNAPSHOT, ["public"])) == mapped


@pytest.mark.django_db
def test_queueing_is_a_no_op_with_the_database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    assert reindex_changed_datasets(sender=None, dataset_ids=[1]) == 0


def _found(**params) -> set[str]:
    query = parse_search_params(_Params(params))
    return {h.title for h in search_datasets(user=AnonymousUser(), query=query).hits}


class _Params(dict):
    def getlist(self, key):
        value = self.get(key)
        return [] if value is None else value if isinstance(value, list) else [value]


@pytest.mark.search
@pytest.mark.django_db
def test_publish_and_withdraw_update_the_index_after_commit(
    es_index, django_capture_on_commit_callbacks
):
    curator = CuratorFactory(username="cur")
    ds = make_dataset(status=Status.APPROVED, title="Approved SAXS record")
    index_datasets(dataset_ids=[ds.pk])
    assert _found(q="approved") == set()  # not public yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ds = dataset_publish(dataset=ds, actor=curator)
    # One announcement (datasets_changed, to which search subscribes); the e-mail to the owners
    # is the other after-commit step.
    announcing = [c for c in callbacks if "datasets_changed" in c.__qualname__]
    assert len(announcing) == 1 and len(callbacks) == 2
    assert _found(q="approved") == {"Approved SAXS record"}
    with django_capture_on_commit_callbacks(execute=True):
        dataset_withdraw(dataset=ds, actor=curator, reason="Wrong sample.")
    assert _found(q="approved") == set()
    # Withdrawn records leave the index altogether (curators find them in the admin).
    assert not get_client().exists(index=alias_name(), id=str(ds.pk))


@pytest.mark.search
@pytest.mark.django_db
def test_registering_files_updates_the_document(es_index, django_capture_on_commit_callbacks):
    ds = make_dataset(status=Status.PUBLISHED)
    index_datasets(dataset_ids=[ds.pk])
    with django_capture_on_commit_callbacks(execute=True):
        dataset_files_register(
            dataset=ds, files=[FileRecord(path=f"scan_{i}.h5", size=100) for i in range(3)]
        )
    source = get_client().get(index=alias_name(), id=str(ds.pk))["_source"]
    assert (source["file_count"], source["total_size"]) == (3, 300)


@pytest.mark.search
@pytest.mark.django_db
def test_indexing_is_idempotent_and_an_older_version_never_wins(es_index):
    ds = make_dataset(status=Status.PUBLISHED, title="Version one")
    assert index_datasets(dataset_ids=[ds.pk]).indexed == 1
    assert index_datasets(dataset_ids=[ds.pk]).indexed == 1  # same version: rewritten, same
    Dataset.objects.filter(pk=ds.pk).update(title="Version two")
    assert index_datasets(dataset_ids=[ds.pk]).indexed == 1
    # A late task carrying the state from before the update is refused by version.
    old = Dataset.objects.get(pk=ds.pk)
    old.title = "Stale"
    old.updated_at = old.updated_at - datetime.timedelta(minutes=5)
    from catalogue.search.indexing import _index_action, _run_bulk

    stale = _index_action(
        Dataset.objects.select_related("facility", "instrument").get(pk=ds.pk), alias_name()
    )
    stale["_source"]["title"] = "Stale"
    stale["version"] -= 300_000
    assert _run_bulk([stale], refresh=True).skipped == 1
    assert get_client().get(index=alias_name(), id=str(ds.pk))["_source"]["title"] == (
        "Version two"
    )
    # A dataset that no longer exists is removed (and removing twice is fine).
    pk = ds.pk
    Dataset.objects.filter(pk=pk).delete()
    assert index_datasets(dataset_ids=[pk]).removed == 1
    assert index_datasets(dataset_ids=[pk]).removed == 1


@pytest.mark.search
@pytest.mark.django_db
def test_reindex_builds_a_new_index_and_swaps_the_alias(es_index):
    client = get_client()
    keep = make_dataset(status=Status.PUBLISHED, title="Kept record")
    draft = make_dataset(status=Status.DRAFT, title="Draft record")
    gone = make_dataset(status=Status.WITHDRAWN, title="Withdrawn record")
    before = set(client.indices.get_alias(name=alias_name()).body)
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex", stdout=out, stderr=err)
    after = set(client.indices.get_alias(name=alias_name()).body)
    assert len(after) == 1 and not after & before
    assert not client.indices.exists(index=",".join(before), allow_no_indices=False)
    assert "Indexed 2 datasets" in out.getvalue()
    assert "Indexing" in err.getvalue()  # tqdm's progress bar
    ids = {h["_id"] for h in client.search(index=alias_name(), size=10)["hits"]["hits"]}
    assert ids == {str(keep.pk), str(draft.pk)}
    assert str(gone.pk) not in ids
    # Again: a newer index, same content.
    report = rebuild_index()
    assert set(client.indices.get_alias(name=alias_name()).body) == {report.index}
    assert report.indexed == 2


@pytest.mark.django_db
def test_reindex_without_elasticsearch_says_so(settings):
    settings.SEARCH_BACKEND = "database"
    out = io.StringIO()
    call_command("reindex", stdout=out)
    assert "Search uses the database" in out.getvalue()


@pytest.mark.search
@pytest.mark.django_db
def test_reindex_fails_cleanly_when_elasticsearch_is_down(settings):
    from django.core.management.base import CommandError

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    make_dataset(status=Status.PUBLISHED)
    with pytest.raises(CommandError, match="Elasticsearch is unavailable"):
        call_command("reindex", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.search
@pytest.mark.broker
# Serialized rollback: the flush at the end must give back the migrated PaNET techniques.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_indexes_a_published_dataset(es_index, settings):
    """Through the real Redis broker and a worker: publish, and the index follows (and the
    OAI-PMH provider's renderings, sent on the same commit)."""
    from oaipmh.formats import FORMATS
    from oaipmh.models import RenderedMetadata

    def rendered() -> set[str]:
        return set(RenderedMetadata.objects.filter(dataset=ds).values_list("prefix", flat=True))

    curator = CuratorFactory(username="curator-broker")
    ds = make_dataset(status=Status.APPROVED, title="Published through the broker")
    # Tasks are routed to their queues (indexing, oai): this worker consumes them all.
    with broker_tasks(settings), worker(settings):
        dataset_publish(dataset=ds, actor=curator)  # commits: on_commit sends the task
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            _found(q="broker") and rendered() == set(FORMATS)
        ):
            time.sleep(0.2)
    assert _found(q="broker") == {"Published through the broker"}
    assert rendered() == set(FORMATS)


def test_title_order_sorts_like_the_title():
    from catalogue.search.indexing import title_order

    titles = ["Zeolite", "alpha", "Alpha beta", "alpha", "", "SAXS of x", "saxs", "Ørsted",
              "éclair", "10 K data", "A", "SAXS of lysozyme at 100 K",
              "SAXS of lysozyme at 90 K"]  # fmt: skip
    by_title = sorted(titles, key=str.lower)
    by_order = sorted(titles, key=lambda t: (title_order(t), t.lower()))
    assert by_order == by_title
    assert all(0 <= title_order(t) < 2**63 for t in titles)
