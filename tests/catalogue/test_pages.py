"""Server-rendered pages: home, dataset page, file list paging, downloads, error pages."""

import hashlib

import pytest

from catalogue.models import Status
from catalogue.services.files import FileRecord, dataset_files_register, scan_folder
from catalogue.storage import dataset_folder
from tests.factories import DataFileFactory, make_dataset, technique

pytestmark = pytest.mark.django_db


def test_home_shows_counts_and_latest_published_only(client):
    public = make_dataset(status=Status.PUBLISHED, title="Lysozyme at 100 K")
    public.techniques.add(technique(), technique("x-ray diffraction"))
    dataset_files_register(dataset=public, files=[FileRecord(path="a", size=10)])
    make_dataset(status=Status.DRAFT, title="Secret draft")
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lysozyme at 100 K" in html and f"/datasets/{public.pid}/" in html
    assert "Secret draft" not in html
    counts = page.context["counts"]
    assert (counts.datasets, counts.files, counts.bytes, counts.techniques) == (1, 1, 10, 2)
    assert '<label for="hero-q"' in html  # the search box is labelled


def test_dataset_page_shows_metadata_context_scimeta_and_doi(client):
    ds = make_dataset(
        status=Status.PUBLISHED,
        scientific_metadata={"sample": {"temperature": {"value": 26.85, "unit": "degC"}},
                             "energy": {"v": 9, "u": "keV"}},
    )  # fmt: skip
    # One record page: the dataset URL of a record with a DOI leads to /doi/<doi>.
    html = client.get(f"/datasets/{ds.pid}/", follow=True).content.decode()
    assert ds.title in html
    assert "sample.temperature" in html and "degC" in html and "26.85" in html
    assert "energy" in html and "keV" in html
    assert f"https://doi.org/{ds.doi}" in html
    assert ds.facility.name in html and ds.instrument.name in html
    assert "<h1>" in html and 'aria-label="Breadcrumb"' in html


def test_file_list_is_paged_and_bad_page_numbers_are_clamped(client, settings):
    settings.LANDING_FILES_PAGE_SIZE = 10  # files per page of the one record page
    ds = make_dataset(status=Status.PUBLISHED)
    dataset_files_register(
        dataset=ds, files=(FileRecord(path=f"f{i:03d}.dat", size=i) for i in range(25))
    )

    def file_table(response) -> str:
        # The file list only (the page head's JSON-LD names every file of a small dataset).
        html = response.content.decode()
        return html[html.index('class="data-table file-table"') :]

    first = file_table(client.get(f"/datasets/{ds.pid}/", follow=True))
    assert "f000.dat" in first and "f010.dat" not in first and "Page 1 of 3" in first
    last = file_table(client.get(f"/datasets/{ds.pid}/?page=3", follow=True))
    assert "f024.dat" in last and "f000.dat" not in last
    for bad in ("0", "-1", "abc", "999999", "1e9"):
        assert client.get(f"/datasets/{ds.pid}/?page={bad}", follow=True).status_code == 200


def test_malformed_pid_is_404_not_500(client):
    assert client.get("/datasets/not-a-uuid/").status_code == 404
    assert client.get("/api/v1/datasets/not-a-uuid").status_code == 404


def test_download_serves_bytes_with_range_support(client):
    ds = make_dataset(status=Status.PUBLISHED)
    folder = dataset_folder(ds.storage_folder)
    (folder / "raw").mkdir(parents=True)
    payload = bytes(range(256)) * 40
    (folder / "raw" / "scan.dat").write_bytes(payload)
    dataset_files_register(dataset=ds, files=scan_folder(ds.storage_folder))
    whole = client.get(f"/datasets/{ds.pid}/files/raw/scan.dat")
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == payload
    assert whole["Accept-Ranges"] == "bytes"
    part = client.get(f"/datasets/{ds.pid}/files/raw/scan.dat", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == payload[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(payload)}"
    tail = client.get(f"/datasets/{ds.pid}/files/raw/scan.dat", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == payload[-10:]
    beyond = client.get(f"/datasets/{ds.pid}/files/raw/scan.dat", HTTP_RANGE="bytes=99999-")
    assert beyond.status_code == 416
    assert ds.files.get().checksum == hashlib.sha256(payload).hexdigest()


def test_download_refuses_unregistered_and_escaping_paths(client, tmp_path):
    ds = make_dataset(status=Status.PUBLISHED)
    folder = dataset_folder(ds.storage_folder)
    folder.mkdir(parents=True)
    (folder / "ok.dat").write_bytes(b"ok")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (folder / "link.dat").symlink_to(secret)
    DataFileFactory(dataset=ds, path="link.dat")
    for path in ("ok.dat", "link.dat", "../secret.txt", "%2e%2e/secret.txt"):
        response = client.get(f"/datasets/{ds.pid}/files/{path}")
        assert response.status_code == 404, path


def test_error_pages_are_friendly(client):
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "could not find" in html and 'role="search"' in html
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}


def test_server_error_page_is_standalone(rf):
    from portal.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_home_summary_is_cached_and_recounted_when_datasets_change(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from catalogue.services.changes import datasets_changed

    first = make_dataset(status=Status.PUBLISHED, title="First public record")
    assert client.get("/").context["counts"].datasets == 1
    # Written behind the writers' back (no datasets_changed): the cached summary still holds,
    # and a cached home page asks the database nothing for it.
    second = make_dataset(status=Status.PUBLISHED, title="Second public record")
    with django_assert_max_num_queries(2):
        page = client.get("/")
    assert page.context["counts"].datasets == 1
    assert "Second public record" not in page.content.decode()
    # A draft's change keeps the summary (drafts never reach it) ...
    draft = make_dataset(status=Status.DRAFT, title="A draft being written")
    with django_capture_on_commit_callbacks(execute=True):
        datasets_changed([draft.pk])
    assert client.get("/").context["counts"].datasets == 1
    # ... a public record's change drops it: the next home page recounts.
    with django_capture_on_commit_callbacks(execute=True):
        datasets_changed([second.pk])
    page = client.get("/")
    assert page.context["counts"].datasets == 2
    assert "Second public record" in page.content.decode()
    assert first.title in page.content.decode()


def test_a_due_home_summary_is_recounted_by_one_process_while_the_others_show_the_last(
    client, django_assert_max_num_queries
):
    """When the summary is due and another process is already recounting it, a home page
    shows the previous summary instead of recounting too; the next one after that recount
    gets the new counts."""
    from django.core.cache import cache

    from catalogue import selectors

    make_dataset(status=Status.PUBLISHED, title="First public record")
    assert client.get("/").context["counts"].datasets == 1
    make_dataset(status=Status.PUBLISHED, title="Second public record")
    summary, _fresh_until = cache.get(selectors.HOME_SUMMARY_KEY)
    cache.set(selectors.HOME_SUMMARY_KEY, (summary, 0.0), 600)  # due
    assert cache.add(selectors.HOME_SUMMARY_RECOUNT_KEY, 1, 30)  # "another process" recounts
    with django_assert_max_num_queries(2):
        page = client.get("/")
    assert page.context["counts"].datasets == 1
    cache.delete(selectors.HOME_SUMMARY_RECOUNT_KEY)  # that recount is over (or died)
    assert client.get("/").context["counts"].datasets == 2
    assert cache.get(selectors.HOME_SUMMARY_RECOUNT_KEY) is None
    with django_assert_max_num_queries(2):
        assert client.get("/").context["counts"].datasets == 2  # fresh again


def test_home_summary_is_the_public_one_for_every_visitor(client, settings):
    """A signed-in owner fills the cache first: visitors still get the public counts only."""
    from tests.factories import UserFactory

    owner = UserFactory()
    make_dataset(status=Status.PUBLISHED, title="Public record")
    draft = make_dataset(status=Status.DRAFT, title="Owner's own draft")
    owner.groups.add(draft.owner_group)
    client.force_login(owner)
    assert client.get("/").context["counts"].datasets == 1
    client.logout()
    page = client.get("/")
    assert page.context["counts"].datasets == 1
    assert "Owner's own draft" not in page.content.decode()


def test_home_summary_cache_can_be_switched_off(client, settings):
    settings.HOME_CACHE_SECONDS = 0
    make_dataset(status=Status.PUBLISHED)
    assert client.get("/").context["counts"].datasets == 1
    make_dataset(status=Status.PUBLISHED)
    assert client.get("/").context["counts"].datasets == 2


def test_dataset_page_of_a_record_with_a_doi_redirects_from_the_row_alone(
    client, django_assert_max_num_queries
):
    """Most visits to /datasets/<pid>/ of a published record are only redirected to its DOI
    landing page: that takes the dataset row, not the record with its creators and files."""
    public = make_dataset(status=Status.PUBLISHED)
    with django_assert_max_num_queries(1):
        response = client.get(f"/datasets/{public.pid}/")
    assert response.status_code == 301
    assert response["Location"] == f"/doi/{public.doi}"
