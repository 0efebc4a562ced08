"""GET /api/v1/datasets/<pid> and its files endpoint."""

import pytest

from catalogue.models import RelatedIdentifier, Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.factories import make_dataset, technique

pytestmark = pytest.mark.django_db


def test_record_has_core_metadata_context_scimeta_and_first_files(client):
    ds = make_dataset(status=Status.PUBLISHED)
    ds.techniques.add(technique())
    RelatedIdentifier.objects.create(dataset=ds, identifier="10.1000/paper", citation="A paper")
    dataset_files_register(
        dataset=ds,
        files=[
            FileRecord(path="b.h5", size=5, checksum="AB" * 32),
            FileRecord(path="a.h5", size=3),
        ],
    )
    body = client.get(f"/api/v1/datasets/{ds.pid}").json()
    assert body["pid"] == str(ds.pid) and body["doi"] == ds.doi
    assert body["title"] == ds.title and body["creators"][0]["name"] == "Okafor, Amara"
    assert body["publisher"]["name"] and body["publication_year"] == 2024
    assert body["resource_type"] == {"general": "Dataset", "type": "raw"}
    assert body["license"]["spdx"] == "CC-BY-4.0"
    assert body["facility"]["code"] == ds.facility.code
    assert body["instrument"]["code"] == ds.instrument.code
    assert body["techniques"][0]["iri"].endswith("PaNET01188")
    assert body["scientific_metadata"] == {"temperature": {"value": 300, "unit": "K"}}
    assert body["related_identifiers"][0]["identifier"] == "10.1000/paper"
    assert [f["path"] for f in body["files"]] == ["a.h5", "b.h5"]
    assert body["files"][1]["checksum"] == "sha256:" + "ab" * 32
    assert body["files"][1]["size"] == 5
    assert body["files_next"] is None
    assert body["file_count"] == 2 and body["total_size"] == 8


def test_files_next_walks_every_file_exactly_once(client):
    ds = make_dataset(status=Status.PUBLISHED)
    paths = [f"d{i // 100}/f{i:04d}.dat" for i in range(250)]
    dataset_files_register(dataset=ds, files=(FileRecord(path=p, size=1) for p in paths))
    body = client.get(f"/api/v1/datasets/{ds.pid}?page_size=100").json()
    seen = [f["path"] for f in body["files"]]
    url = body["files_next"]
    while url:
        page = client.get(url).json()
        assert page["count"] == 250
        seen += [f["path"] for f in page["results"]]
        url = page["next"]
    assert seen == sorted(paths)


@pytest.mark.parametrize("size", ["0", "-3", "abc", "100000"])
def test_bad_page_size_is_a_400_naming_the_parameter(client, size):
    ds = make_dataset(status=Status.PUBLISHED)
    response = client.get(f"/api/v1/datasets/{ds.pid}?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


@pytest.mark.parametrize(
    ("status", "code"),
    [(s, 404) for s in ("draft", "submitted", "in_review", "changes_requested", "approved")]
    + [("published", 200), ("withdrawn", 410)],
)
def test_status_codes_for_anonymous_clients(client, status, code):
    ds = make_dataset(status=Status(status))
    response = client.get(f"/api/v1/datasets/{ds.pid}")
    assert response.status_code == code
    if code == 410:
        assert response.json()["withdrawal_reason"] == "Wrong calibration."


@pytest.mark.parametrize(
    ("since", "listed"),
    [("7919-04-19T19:00:06.19-18:57", False), ("9999-12-31T23:00-05:00", False),
     ("2000-01-01T00:00+14:00", True)],
)  # fmt: skip
def test_modified_since_takes_any_iso_offset(client, since, listed):
    """Offsets PostgreSQL refuses in a literal (found by schemathesis) are compared in UTC."""
    ds = make_dataset(status=Status.PUBLISHED)
    response = client.get("/api/v1/datasets", {"modified_since": since})
    assert response.status_code == 200, response.content
    assert (str(ds.pid) in {r["pid"] for r in response.json()["results"]}) == listed
