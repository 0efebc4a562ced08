"""Big datasets by folder: the folder view of the record page, the files API with
``prefix``/``folders``, manifests and ZIPs limited to a folder."""

import io
import zipfile

import pytest
from lxml import html as lxml_html

from catalogue import folders
from catalogue.models import Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.factories import make_dataset
from tests.landing.conftest import write_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    ds = make_dataset(status=Status.PUBLISHED)
    paths = (
        [f"raw/scan_01/frame_{i:03d}.h5" for i in range(30)]
        + [f"raw/scan_02/frame_{i:03d}.h5" for i in range(12)]
        + ["raw/scan_02/dark/dark_000.h5", "processed/profile.csv", "README.txt"]
    )
    dataset_files_register(dataset=ds, files=[FileRecord(path=p, size=10) for p in paths])
    ds.refresh_from_db()
    return ds


def test_folders_directly_under_a_prefix_with_recursive_counts(tree):
    top = folders.folders_under(dataset=tree, prefix="")
    assert [(f.path, f.files, f.size) for f in top] == [
        ("processed/", 1, 10),
        ("raw/", 43, 430),
    ]
    raw = folders.folders_under(dataset=tree, prefix="raw/")
    assert [(f.name, f.files) for f in raw] == [("scan_01", 30), ("scan_02", 13)]
    assert [f.path for f in folders.folders_under(dataset=tree, prefix="raw/scan_02/")] == [
        "raw/scan_02/dark/"
    ]


@pytest.mark.parametrize("bad", ["../etc/", "/abs/../x", "a/../../b"])
def test_prefixes_outside_the_dataset_are_refused(bad):
    with pytest.raises(folders.BadPrefix):
        folders.normalize_prefix(bad)


def test_record_page_folder_view(client, tree, settings):
    settings.LANDING_FILES_PAGE_SIZE = 10
    page = client.get(f"/doi/{tree.doi}?path=raw/scan_02/")
    doc = lxml_html.fromstring(page.content)
    crumbs = [a.text_content().strip() for a in doc.xpath("//nav[@class='folder-crumbs']//li")]
    assert crumbs == ["All files", "raw", "scan_02"]
    folder_rows = doc.xpath("//table[contains(@class,'folder-table')]/tbody/tr")
    assert "dark/" in folder_rows[1].text_content() and "1" in folder_rows[1].text_content()
    assert "13 files in raw/scan_02/" in page.content.decode()
    assert "Page 1 of 2" in page.content.decode()
    # paging keeps the folder; a jump-to-page form is there
    assert doc.xpath("//a[@rel='next']")[0].get("href").startswith("?path=raw%2Fscan_02%2F")
    assert (
        doc.xpath("//form[@class='page-jump']//input[@name='path']")[0].get("value")
        == "raw/scan_02/"
    )
    # the folder's own manifests
    assert f'/doi/{tree.doi}/manifest.meta4?path=raw/scan_02/"' in page.content.decode()


def test_name_filter_and_unknown_folder(client, tree):
    page = client.get(f"/doi/{tree.doi}?q=dark").content.decode()
    assert "1 file matching “dark”" in page and "dark_000.h5" in page
    missing = client.get(f"/doi/{tree.doi}?path=nope/").content.decode()
    assert "There is no folder “nope/”" in missing


def test_files_api_prefix_and_folders(client, tree):
    body = client.get(
        f"/api/v1/datasets/{tree.pid}/files?prefix=raw/scan_02&folders=1&page_size=5"
    ).json()
    assert body["count"] == 13 and body["prefix"] == "raw/scan_02/"
    assert body["folders"] == [{"path": "raw/scan_02/dark/", "files": 1, "size": 10}]
    paths = [f["path"] for f in body["results"]]
    assert paths[0] == "raw/scan_02/dark/dark_000.h5"
    while body["next"]:
        body = client.get(body["next"]).json()
        paths += [f["path"] for f in body["results"]]
    assert len(paths) == 13 and all(p.startswith("raw/scan_02/") for p in paths)
    top = client.get(f"/api/v1/datasets/{tree.pid}/files?folders=1").json()
    assert [f["path"] for f in top["folders"]] == ["processed/", "raw/"]
    assert client.get(f"/api/v1/datasets/{tree.pid}/files?prefix=../x").status_code == 400
    assert client.get(f"/api/v1/datasets/{tree.pid}/files?folders=maybe").status_code == 400


def test_manifest_limited_to_a_folder(client, tree):
    response = client.get(f"/doi/{tree.doi}/urls.txt?path=raw/scan_01/")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 30 and all("/raw/scan_01/" in line for line in lines)
    assert "_raw_scan_01.txt" in response["Content-Disposition"]
    assert client.get(f"/doi/{tree.doi}/urls.txt?path=../../").status_code == 400


# --------------------------------------------------------------- one record page
def test_dataset_url_redirects_to_the_canonical_doi_page(client, tree, settings):
    response = client.get(f"/datasets/{tree.pid}/?path=raw/&page=2")
    assert response.status_code == 301
    assert response["Location"] == f"/doi/{tree.doi}?path=raw%2F&page=2"
    assert response["Link"] == f'<{settings.BASE_URL}/doi/{tree.doi}>; rel="canonical"'


def test_record_without_doi_keeps_its_dataset_url(client, django_user_model):
    owner = django_user_model.objects.create_user("owner", password="x")
    draft = make_dataset(status=Status.DRAFT, created_by=owner, title="My draft")
    client.force_login(owner)
    page = client.get(f"/datasets/{draft.pid}/")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.content)
    assert doc.xpath("//link[@rel='canonical']")[0].get("href").endswith(f"/datasets/{draft.pid}/")
    assert doc.xpath("//meta[@name='robots']")[0].get("content") == "noindex"
    # the curation panel shows the status to the owner
    assert "Draft" in doc.xpath("//section[@id='curation']")[0].text_content()
    assert not doc.xpath("//*[@id='cite']")  # no citation before a DOI


def test_owner_panel_only_for_members(client, tree):
    page = client.get(f"/doi/{tree.doi}").content
    assert b'class="owner-panel"' not in page and b'id="curation"' not in page


# --------------------------------------------------------------- ZIP
def test_zip_of_10000_files_streams_without_temporary_files(client, settings, tmp_path):
    ds = make_dataset(status=Status.PUBLISHED)
    files = {f"run_{i // 1000:02d}/f{i:05d}.txt": f"{i}\n".encode() for i in range(10_000)}
    write_files(ds, files)
    ds.refresh_from_db()
    response = client.get(f"/datasets/{ds.pid}/zip")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert len(body) == int(response["Content-Length"])
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert len(names) == 10_000
    stem = ds.doi.replace("/", "_")
    assert archive.read(f"{stem}/run_09/f09999.txt") == b"9999\n"
    assert archive.testzip() is None
    # a folder only
    part = client.get(f"/datasets/{ds.pid}/zip?path=run_03/")
    part_archive = zipfile.ZipFile(io.BytesIO(b"".join(part.streaming_content)))
    assert len(part_archive.namelist()) == 1000


def test_zip_refused_above_the_limit_and_for_embargoed_files(client, settings, tree):
    settings.ZIP_MAX_BYTES = 100
    response = client.get(f"/datasets/{tree.pid}/zip")
    assert response.status_code == 413 and b"manifest" in response.content
    page = client.get(f"/doi/{tree.doi}").content.decode()
    assert "Download ZIP" not in page
    assert "manifest for a download manager" in page


def test_zip_lists_files_missing_from_storage(client, tree):
    response = client.get(f"/datasets/{tree.pid}/zip?path=processed/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    missing = [n for n in archive.namelist() if n.endswith("MISSING-FILES.txt")]
    assert missing and b"processed/profile.csv" in archive.read(missing[0])


@pytest.mark.parametrize(
    ("raw", "listed"), [("1", True), ("TRUE", True), ("0", False), ("", False)]
)
def test_the_folders_flag_takes_the_one_flag_parser(client, tree, raw, listed):
    body = client.get(f"/api/v1/datasets/{tree.pid}/files?folders={raw}").json()
    assert ("folders" in body) == listed


@pytest.mark.parametrize("name", ["folders", "verify"])
def test_a_bad_flag_is_the_same_400_on_every_endpoint(client, tree, name):
    """?folders= (files GET) and ?verify= (files POST/PUT) answer alike (api.base.flag_param)."""
    from tests.factories import UserFactory

    owner = UserFactory()
    tree.owner_group.user_set.add(owner)
    client.force_login(owner)
    url = f"/api/v1/datasets/{tree.pid}/files?{name}=maybe"
    if name == "folders":
        response = client.get(url)
    else:
        response = client.post(url, {"files": []}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {name: ["Must be 1 or 0, not 'maybe'."]}


def test_record_and_files_endpoint_page_alike_under_their_own_keys(client, tree):
    """One keyset page builder (api.files.files_keyset_page): the record's first page
    (files/files_next) continues on the files endpoint (results/next) without gap or repeat."""
    record = client.get(f"/api/v1/datasets/{tree.pid}?page_size=20").json()
    listing = client.get(f"/api/v1/datasets/{tree.pid}/files?page_size=20").json()
    assert record["files"] == listing["results"]
    assert record["files_next"] == listing["next"]
    assert "after=" in record["files_next"] and "page_size=20" in record["files_next"]
    seen = [f["path"] for f in record["files"]]
    url = record["files_next"]
    while url:
        page = client.get(url).json()
        assert set(page) == {"count", "prefix", "results", "next"}
        seen += [f["path"] for f in page["results"]]
        url = page["next"]
    assert seen == sorted(tree.files.values_list("path", flat=True)) and len(seen) == 45
