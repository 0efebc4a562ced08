"""The deposit form: create and edit a draft through the one writer, errors beside fields,
files from the storage folder and small uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.curation.deposit import scimeta_from_rows, scimeta_rows
from catalogue.models import Dataset, Status
from tests.factories import GroupFactory, UserFactory, make_dataset, technique

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = UserFactory(username="alice")
    user.groups.add(GroupFactory(name="p-1"))
    client.force_login(user)
    return user


def _form(**extra) -> dict:
    data = {
        "title": "Lysozyme SAXS", "description": "Buffer series.", "keywords": "saxs, protein",
        "license": "CC-BY-4.0", "publisher": "ESRF", "publication_year": "2025",
        "resource_type_general": "Dataset", "resource_type": "raw",
        "creators-0-name": "Okafor, Amara", "creators-0-orcid": "0000-0002-1825-0097",
        "creators-0-affiliation": "ESRF", "creators-0-affiliation_ror": "",
        "creators-1-name": "", "creators-1-orcid": "",
        "scimeta-0-key": "sample.temperature", "scimeta-0-value": "293.5", "scimeta-0-unit": "K",
        "owner_group": "p-1",
    }  # fmt: skip
    data.update(extra)
    return data


def test_deposit_creates_a_draft_and_edits_it(client, alice):
    r = client.post("/my/datasets/new/", _form(techniques=[technique().iri]))
    assert r.status_code == 302
    ds = Dataset.objects.get(title="Lysozyme SAXS")
    assert ds.status == Status.DRAFT and ds.created_by == alice
    assert ds.owner_group.name == "p-1" and ds.keywords == ["saxs", "protein"]
    assert ds.creators.get().orcid == "0000-0002-1825-0097"
    assert ds.scientific_metadata == {"sample": {"temperature": {"value": 293.5, "unit": "K"}}}
    assert ds.techniques.count() == 1 and ds.storage_folder == f"deposits/{ds.pid}"
    page = client.get(f"/datasets/{ds.pid}/edit").content.decode()
    assert 'value="Lysozyme SAXS"' in page and 'value="sample.temperature"' in page
    r = client.post(f"/datasets/{ds.pid}/edit", _form(title="Lysozyme SAXS, corrected"))
    ds.refresh_from_db()
    assert ds.title == "Lysozyme SAXS, corrected"


def test_errors_are_shown_beside_the_field_and_nothing_is_written(client, alice):
    r = client.post("/my/datasets/new/", _form(**{"creators-0-orcid": "0000-0002-1825-0098"}))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'class="field-error"' in html and "ORCID" in html
    assert 'value="0000-0002-1825-0098"' in html  # what was typed stays
    assert not Dataset.objects.filter(title="Lysozyme SAXS").exists()
    r = client.post("/my/datasets/new/", _form(scimeta_json="{not json"))
    assert r.status_code == 400 and "Not JSON" in r.content.decode()


def test_files_from_the_listing_and_uploads(client, alice, settings, tmp_path):
    client.post("/my/datasets/new/", _form())
    ds = Dataset.objects.get(title="Lysozyme SAXS")
    folder = tmp_path / "storage" / "deposits" / str(ds.pid)
    settings.STORAGE_ROOT = tmp_path / "storage"
    folder.mkdir(parents=True)
    (folder / "scan_001.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"0" * 100)
    page = client.get(f"/datasets/{ds.pid}/edit").content.decode()
    assert 'value="scan_001.h5"' in page
    upload = SimpleUploadedFile("notes.txt", b"hello")
    r = client.post(f"/datasets/{ds.pid}/edit", {**_form(), "register": ["scan_001.h5"],
                                                  "upload": upload})  # fmt: skip
    assert r.status_code == 302
    assert sorted(ds.files.values_list("path", flat=True)) == ["notes.txt", "scan_001.h5"]
    assert all(ds.files.values_list("checksum", flat=True))
    settings.UPLOAD_MAX_BYTES = 3
    big = SimpleUploadedFile("big.bin", b"12345")
    r = client.post(f"/datasets/{ds.pid}/edit", {**_form(), "upload": big})
    assert r.status_code == 400 and "larger than 3 bytes" in r.content.decode()
    assert not (folder / "big.bin").exists()


def test_readers_and_strangers_cannot_edit(client, alice):
    ds = make_dataset(owner_group=GroupFactory(name="other"))
    assert client.get(f"/datasets/{ds.pid}/edit").status_code == 404
    reader_group = alice.groups.get()
    ds.access_groups.add(reader_group)
    assert client.get(f"/datasets/{ds.pid}/edit").status_code == 302  # 403 message, back


def test_scimeta_rows_round_trip():
    tree = {"temperature": {"value": 300, "unit": "K"}, "beam": {"energy": {"value": 12.4,
            "unit": "keV"}, "mode": "uniform"}}  # fmt: skip
    assert (
        scimeta_from_rows([{k: str(v) for k, v in row.items()} for row in scimeta_rows(tree)])
        == tree
    )
