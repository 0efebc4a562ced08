"""Download manifests: Metalink 4 structure, and real downloads with aria2c, wget and
sha256sum/md5sum against a live server; a 100,000-file dataset streams in flat memory."""

import hashlib
import os
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from catalogue import selectors as catalogue_selectors
from catalogue.models import DataFile, Status
from catalogue.services.files import FileRecord, dataset_files_register
from landing.manifests import ManifestFile, aria2_input, checksum_file, metalink, url_list
from landing.selectors import STREAM_CHUNK, DownloadUrls
from tests.factories import make_dataset
from tests.landing.conftest import FILES, write_files

ML = {"m": "urn:ietf:params:xml:ns:metalink"}
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is missing (apt-get install {'aria2' if tool == 'aria2c' else tool})"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# ----------------------------------------------------------------- pure generators

SAMPLE = [
    ManifestFile("a & b/<x>.h5", "https://h/a%20%26%20b/%3Cx%3E.h5", 10, "sha256", "AB" * 32),
    ManifestFile("plain.txt", "https://h/plain.txt", 3, "md5", "0" * 32),
    ManifestFile("blake.bin", "https://h/blake.bin", 5, "blake2b", "f" * 128),
]


def test_metalink_is_well_formed_rfc5854():
    text = "".join(metalink(SAMPLE, origin="https://h/m.meta4", published="2024-05-01T00:00:00Z"))
    root = etree.fromstring(text.encode())
    assert root.tag == "{urn:ietf:params:xml:ns:metalink}metalink"
    assert root.findtext("m:origin", namespaces=ML) == "https://h/m.meta4"
    assert root.find("m:origin", ML).get("dynamic") == "false"
    assert root.findtext("m:published", namespaces=ML) == "2024-05-01T00:00:00Z"
    files = root.findall("m:file", ML)
    assert [f.get("name") for f in files] == ["a & b/<x>.h5", "plain.txt", "blake.bin"]
    first = files[0]
    assert first.findtext("m:size", namespaces=ML) == "10"
    assert first.find("m:hash", ML).get("type") == "sha-256"
    assert first.findtext("m:hash", namespaces=ML) == "ab" * 32  # lower-case hex
    assert first.findtext("m:url", namespaces=ML) == "https://h/a%20%26%20b/%3Cx%3E.h5"
    assert files[1].find("m:hash", ML).get("type") == "md5"
    assert files[2].find("m:hash", ML) is None  # BLAKE2b has no registered hash name


def test_aria2_url_list_and_checksum_files():
    aria = "".join(aria2_input(SAMPLE))
    assert aria.splitlines()[:3] == [
        "https://h/a%20%26%20b/%3Cx%3E.h5",
        "  out=a & b/<x>.h5",
        "  checksum=sha-256=" + "ab" * 32,
    ]
    assert "".join(url_list(SAMPLE)).splitlines() == [f.url for f in SAMPLE]
    assert "".join(checksum_file(SAMPLE, algorithm="sha256")) == "ab" * 32 + "  a & b/<x>.h5\n"
    assert "".join(checksum_file(SAMPLE, algorithm="md5")) == "0" * 32 + "  plain.txt\n"
    assert "".join(checksum_file(SAMPLE, algorithm="blake2b")) == "f" * 128 + "  blake.bin\n"
    odd = [ManifestFile("back\\slash", "u", 1, "sha256", "00")]
    assert "".join(checksum_file(odd, algorithm="sha256")) == "\\00  back\\\\slash\n"


@pytest.mark.django_db
def test_fast_download_urls_equal_the_catalogue_ones(published):
    urls = DownloadUrls(dataset=published, base_url="http://testserver")
    for path in ["a b/c#d?.h5", "ü/ñ%.txt", "x;y=z&w+v,(1)!'*~@:.h5"]:
        f = DataFile(dataset=published, path=path, size=1)
        expected = catalogue_selectors.file_download_url(dataset=published, file=f)
        assert urls.url(path) == "http://testserver" + expected
    published.download_base_url = "https://webdav.example.org/ds1/"
    urls = DownloadUrls(dataset=published, base_url="http://testserver")
    f = DataFile(dataset=published, path="a b/c.h5", size=1)
    assert urls.url("a b/c.h5") == catalogue_selectors.file_download_url(dataset=published, file=f)


# ----------------------------------------------------------------- through the views


@pytest.mark.django_db
def test_metalink_of_a_dataset_lists_every_file_and_each_url_serves_it(client, published):
    response = client.get(f"/doi/{published.doi}/manifest.meta4")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/metalink4+xml"
    name = published.doi.replace("/", "_")
    assert response["Content-Disposition"] == f'attachment; filename="{name}.meta4"'
    root = etree.fromstring(body(response))
    files = {f.get("name"): f for f in root.findall("m:file", ML)}
    assert set(files) == set(FILES)
    for name, element in files.items():
        url = element.findtext("m:url", namespaces=ML)
        data = b"".join(client.get(url.removeprefix("http://testserver")).streaming_content)
        assert data == FILES[name]
        assert element.findtext("m:hash", namespaces=ML) == hashlib.sha256(data).hexdigest()
        assert int(element.findtext("m:size", namespaces=ML)) == len(data)


@pytest.mark.django_db
def test_head_of_a_manifest_sends_no_body(client, published):
    response = client.head(f"/doi/{published.doi}/SHA256SUMS")
    assert response.status_code == 200
    assert body(response) == b""


# ----------------------------------------------------------------- real clients

live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fetch(url: str) -> bytes:
    return subprocess.run(["curl", "-sfL", url], check=True, capture_output=True).stdout


def check_tree(folder: Path) -> None:
    for path, data in FILES.items():
        assert (folder / path).read_bytes() == data, path


@live
def test_aria2c_downloads_from_the_metalink(live_server, published, tmp_path):
    aria2c = need("aria2c")
    meta4 = tmp_path / "manifest.meta4"
    meta4.write_bytes(fetch(f"{live_server.url}/doi/{published.doi}/manifest.meta4"))
    out = tmp_path / "download"
    subprocess.run(
        [aria2c, "--quiet", "--no-conf", "--dir", str(out), "--metalink-file", str(meta4),
         "--check-integrity=true", "--max-connection-per-server=1"],
        check=True, timeout=120,
    )  # fmt: skip
    check_tree(out)


@live
def test_aria2c_input_file_keeps_paths_and_verifies(live_server, published, tmp_path):
    aria2c = need("aria2c")
    listing = tmp_path / "files.aria2"
    listing.write_bytes(fetch(f"{live_server.url}/doi/{published.doi}/manifest.aria2"))
    out = tmp_path / "download"
    subprocess.run(
        [aria2c, "--quiet", "--no-conf", "--dir", str(out), "--input-file", str(listing),
         "--check-integrity=true"],
        check=True, timeout=120,
    )  # fmt: skip
    check_tree(out)


@live
def test_wget_url_list_then_sha256sum_check(live_server, published, tmp_path):
    wget = need("wget")
    urls = tmp_path / "urls.txt"
    urls.write_bytes(fetch(f"{live_server.url}/doi/{published.doi}/urls.txt"))
    out = tmp_path / "download"
    out.mkdir()
    # The command the landing page shows: --cut-dirs=3 drops /datasets/<pid>/files/.
    subprocess.run(
        [wget, "--quiet", "--input-file", str(urls), "--force-directories",
         "--no-host-directories", "--cut-dirs=3"],
        check=True, cwd=out, timeout=120,
    )  # fmt: skip
    check_tree(out)
    sums = fetch(f"{live_server.url}/doi/{published.doi}/SHA256SUMS")
    result = subprocess.run(
        ["sha256sum", "--check", "--strict"], input=sums, cwd=out, capture_output=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.decode().count(": OK") == len(FILES)
    # And the check bites: a damaged file fails it.
    (out / "README.txt").write_bytes(b"tampered")
    failed = subprocess.run(["sha256sum", "--check"], input=sums, cwd=out, capture_output=True)
    assert failed.returncode != 0


@live
def test_md5sum_accepts_md5_checksum_files(live_server, tmp_path):
    dataset = make_dataset(status=Status.PUBLISHED)
    write_files(dataset, FILES, algorithm="md5")
    for path, data in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    sums = fetch(f"{live_server.url}/doi/{dataset.doi}/MD5SUMS")
    assert sums.count(b"\n") == len(FILES)
    result = subprocess.run(["md5sum", "--check", "--strict"], input=sums, cwd=tmp_path)
    assert result.returncode == 0
    assert fetch(f"{live_server.url}/doi/{dataset.doi}/SHA256SUMS") == b""


# ----------------------------------------------------------------- 100,000 files

N = 100_000


@pytest.fixture
def huge(db):
    dataset = make_dataset(status=Status.PUBLISHED, title="Tomography with 100,000 frames")
    dataset_files_register(
        dataset=dataset,
        files=(
            FileRecord(
                path=f"frames/{i // 1000:03d}/frame_{i:06d}.tif",
                size=4096 + i,
                checksum=hashlib.sha256(str(i).encode()).hexdigest(),
                media_type="image/tiff",
            )
            for i in range(N)
        ),
        batch_size=10_000,
    )
    dataset.refresh_from_db()
    assert dataset.file_count == N
    return dataset


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_100000_file_dataset_pages_and_streams_in_flat_memory(client, huge, settings):
    settings.LANDING_FILES_PAGE_SIZE = 100
    page = client.get(f"/doi/{huge.doi}")
    assert page.status_code == 200
    assert b"100,000 files" in page.content
    assert b"Page 1 of 1,000" in page.content
    assert page["Link"].count('rel="item"') == 5
    assert b"frame_099999.tif" in client.get(f"/doi/{huge.doi}?page=1000").content
    for tail, marker in (("manifest.meta4", b"<file "), ("SHA256SUMS", b"\n"),
                         ("urls.txt", b"\n"), ("manifest.aria2", b"  out=")):  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/doi/{huge.doi}/{tail}")
            assert response.streaming
            tracemalloc.start()
            count = size = 0
            last = b""
            for chunk in response.streaming_content:
                count += chunk.count(marker)
                size += len(chunk)
                last = chunk
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert count == N, tail
        # The whole manifest is many megabytes; generating it never held more than a few
        # keyset pages (STREAM_CHUNK rows, about 3 MB of Python objects) at a time.
        assert size > 8_000_000
        assert peak < 6_000_000, (tail, peak, size)
        assert len(queries) <= N // STREAM_CHUNK + 10, (tail, len(queries))
        if tail == "SHA256SUMS":
            assert last.endswith(b"  frames/099/frame_099999.tif\n")
