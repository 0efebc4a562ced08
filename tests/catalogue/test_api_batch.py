"""POST /api/v1/datasets/batch: many drafts with their files in one all-or-nothing request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import AlternateIdentifier, DataFile, Dataset, Status
from tests.catalogue.test_api_write import SHA, Api, files, new_body
from tests.factories import FacilityFactory, GroupFactory, InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/datasets/batch"


@pytest.fixture
def group():
    return GroupFactory(name="p-1001")


@pytest.fixture
def instrument():
    return InstrumentFactory(code="p03", facility=FacilityFactory(code="petra3"))


@pytest.fixture
def owner(group):
    user = UserFactory(username="batch-owner")
    user.groups.add(group)
    return Api(user)


def batch(n, n_files=3, **extra):
    return [
        {**new_body(title=f"Scan {i}", storage_folder=f"p03/2024/scan_{i}", **extra),
         "files": files(n_files, prefix=f"raw/s{i}")}
        for i in range(n)
    ]  # fmt: skip


def test_batch_creates_drafts_with_files_in_order(owner, instrument):
    response = owner.post(URL, batch(5))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 5
    pids = [d["pid"] for d in body["datasets"]]
    titles = dict(Dataset.objects.filter(pid__in=pids).values_list("pid", "title"))
    assert [titles[__import__("uuid").UUID(p)] for p in pids] == [f"Scan {i}" for i in range(5)]
    first = body["datasets"][0]
    assert first["status"] == "draft" and first["file_count"] == 3
    assert first["total_size"] == 10 + 11 + 12
    assert first["api_url"].endswith(f"/api/v1/datasets/{first['pid']}")
    # What the single GET shows: the same record, creators, technique, files and totals.
    record = owner.get(f"/api/v1/datasets/{first['pid']}").json()
    assert record["title"] == "Scan 0" and record["creators"][0]["orcid"].endswith("1825-0097")
    assert [t["iri"].rsplit("/", 1)[1] for t in record["techniques"]] == ["PaNET01188"]
    assert record["instrument"]["code"] == "p03" and record["owner_group"] == "p-1001"
    assert record["file_count"] == 3 and record["formats"] == ["application/x-hdf5"]
    assert [f["path"] for f in record["files"]] == [f"raw/s0_{i:05d}.h5" for i in range(3)]
    assert record["files"][0]["checksum"] == "sha256:" + SHA
    ds = Dataset.objects.get(pid=first["pid"])
    assert ds.created_by == owner.user and ds.status == Status.DRAFT


def test_batch_is_all_or_nothing_with_errors_by_index_and_path(owner, instrument):
    items = batch(4)
    items[1]["creators"][0]["orcid"] = "0000-0002-1825-0098"  # bad check digit
    items[3]["files"][2]["path"] = "../etc/passwd"
    items[2]["colour"] = "blue"
    response = owner.post(URL, items)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"[1].creators[0].orcid", "[3].files[2].path", "[2].colour"}
    assert Dataset.objects.count() == 0 and DataFile.objects.count() == 0


def test_batch_checks_identifiers_across_records(owner, instrument):
    items = batch(2, alternate_identifiers=[{"identifier": "scicat/1", "type": "SciCat PID"}])
    response = owner.post(URL, items)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["[1].alternate_identifiers[0]"]
    assert owner.post(URL, items[:1]).status_code == 201
    again = owner.post(URL, items[1:])
    assert again.status_code == 400
    assert "another dataset" in again.json()["errors"]["[0].alternate_identifiers[0]"][0]
    assert AlternateIdentifier.objects.count() == 1


def test_batch_bad_shapes_and_limits(owner, instrument, settings):
    assert owner.post(URL, {"title": "not a list"}).status_code == 400
    assert owner.post(URL, []).status_code == 400
    response = owner.post(URL, [new_body(), "nope"])
    assert response.status_code == 400 and list(response.json()["errors"]) == ["[1]"]
    response = owner.post(URL, [{**new_body(), "files": {"path": "a"}}])
    assert list(response.json()["errors"]) == ["[0].files"]
    response = owner.post(URL, [{**new_body(), "files": files(6000)}] * 2)
    assert response.status_code == 400 and "10,000 files" in response.json()["errors"]["__all__"][0]
    response = owner.post(URL, [{**new_body(), "files": files(2) + files(1)}])
    assert list(response.json()["errors"]) == ["[0].files[2].path"]
    assert Dataset.objects.count() == 0


def test_batch_needs_a_write_token_and_own_group(group, instrument):
    reader = Api(UserFactory(username="reader"), scope="read")
    reader.user.groups.add(group)
    assert reader.post(URL, batch(1)).status_code == 403
    anonymous = Api(UserFactory(username="x"))
    anonymous.client.defaults.pop("HTTP_AUTHORIZATION")
    assert anonymous.post(URL, batch(1)).status_code == 401
    stranger = Api(UserFactory(username="stranger"))
    response = stranger.post(URL, batch(2))
    assert response.status_code == 400
    assert "[0].owner_group" in response.json()["errors"]
    assert Dataset.objects.count() == 0


def test_batch_idempotency_key_replays(owner, instrument):
    first = owner.post(URL, batch(2), HTTP_IDEMPOTENCY_KEY="batch-1")
    again = owner.post(URL, batch(2), HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Dataset.objects.count() == 2
    assert owner.post(URL, batch(3), HTTP_IDEMPOTENCY_KEY="batch-1").status_code == 422


def test_batch_costs_a_fixed_number_of_queries(owner, instrument):
    """References are looked up once per request and each table gets one INSERT: 50 records
    cost what 2 do (the point of the batch path)."""
    owner.post(URL, batch(1))  # warm: the token's last use, content types
    with CaptureQueriesContext(connection) as few:
        assert owner.post(URL, batch(2)).status_code == 201
    with CaptureQueriesContext(connection) as many:
        assert owner.post(URL, batch(50)).status_code == 201
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


def test_batch_announces_one_change_for_all(owner, instrument, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert owner.post(URL, batch(3)).status_code == 201
    assert len(callbacks) == 1


def test_a_large_batch_reads_back_as_records_created_one_by_one(owner, instrument):
    """A batch of many records goes in by COPY (ids drawn from the sequence): each record
    reads back as one created alone does, and later records get later ids."""
    single = owner.post("/api/v1/datasets", new_body(title="Scan 0")).json()
    response = owner.post(URL, batch(12, n_files=1))
    assert response.status_code == 201, response.content
    pids = [r["pid"] for r in response.json()["datasets"]]
    rows = {str(ds.pid): ds for ds in Dataset.objects.filter(pid__in=pids)}
    assert len(rows) == 12 and all(rows[p].pk > Dataset.objects.get(pid=single["pid"]).pk
                                   for p in pids)  # fmt: skip
    first = owner.get(f"/api/v1/datasets/{pids[0]}").json()
    volatile = {"pid", "dates", "files", "storage_folder", "file_count", "total_size",
                "file_formats", "formats", "links", "url", "etag"}  # fmt: skip
    assert {k: v for k, v in first.items() if k not in volatile} == {
        k: v for k, v in single.items() if k not in volatile
    }
    assert first["storage_folder"] == "p03/2024/scan_0"
    assert rows[pids[0]].created_at is not None and rows[pids[0]].updated_at is not None
