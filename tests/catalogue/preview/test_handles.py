"""Open HDF5 files kept between preview requests (catalogue/preview/handles.py).

A kept handle saves reopening a file H5Web asks about again; it must never answer for a file
that was replaced or rewritten since, and never stand in for the access gate.
"""

import os
import time

import h5py
import numpy as np
import pytest

from catalogue.models import Dataset, Status
from catalogue.preview.handles import MAX_OBJECTS_PER_FILE, OPEN_FILES, RACY_SECONDS
from catalogue.storage import dataset_folder
from tests.catalogue.preview.conftest import dataset_with_files, h5grove_url

pytestmark = pytest.mark.django_db

SHAPE = (64, 64)


@pytest.fixture(autouse=True)
def _no_kept_files():
    OPEN_FILES.clear()
    yield
    OPEN_FILES.clear()


def _write(path, value: float) -> None:
    # Contiguous, uncompressed: files written with another value have the very same size.
    with h5py.File(path, "w") as h5:
        h5.create_dataset("image", data=np.full(SHAPE, value, dtype="<f4"))


def _settled() -> None:
    """Wait until files written now are old enough to be kept (the racy-timestamp rule)."""
    time.sleep(RACY_SECONDS + 0.1)


def _data(client, dataset, path: str = "/image"):
    return client.get(
        h5grove_url(dataset, "data"),
        {"file": "scan.h5", "path": path, "format": "bin", "dtype": "safe"},
    )


def _value(client, dataset) -> float:
    response = _data(client, dataset)
    assert response.status_code == 200, response.content
    values = np.frombuffer(response.content, dtype="<f4")
    assert values.size == SHAPE[0] * SHAPE[1]
    assert np.all(values == values[0])
    return float(values[0])


def _real(dataset):
    return (dataset_folder(dataset.storage_folder) / "scan.h5").resolve()


def test_a_settled_file_stays_open_between_requests(client):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    kept = OPEN_FILES.kept()
    assert list(kept) == [_real(dataset)]
    assert _value(client, dataset) == 1.0
    assert OPEN_FILES.kept() == kept


def test_a_file_being_written_is_never_kept(client):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    assert _value(client, dataset) == 1.0
    assert OPEN_FILES.kept() == {}


def test_a_file_replaced_by_rename_is_read_anew(client):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    old_key = OPEN_FILES.kept()[_real(dataset)]
    # What rsync and most writers do: a new file next to it, renamed over the old one.
    folder = dataset_folder(dataset.storage_folder)
    _write(folder / ".scan.h5.tmp", 2.0)
    os.replace(folder / ".scan.h5.tmp", folder / "scan.h5")
    assert _value(client, dataset) == 2.0
    assert old_key not in OPEN_FILES.kept().values()
    _settled()
    assert _value(client, dataset) == 2.0
    assert _value(client, dataset) == 2.0


def test_a_file_rewritten_in_place_is_read_anew_even_with_its_old_mtime(client, tmp_path):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    path = dataset_folder(dataset.storage_folder) / "scan.h5"
    before = os.stat(path)
    _settled()
    assert _value(client, dataset) == 1.0
    assert _real(dataset) in OPEN_FILES.kept()
    # Same inode, same size; the mtime is put back, as `rsync --inplace --times` would.
    _write(tmp_path / "other.h5", 3.0)
    assert os.path.getsize(tmp_path / "other.h5") == before.st_size
    with open(path, "r+b") as handle:
        handle.write((tmp_path / "other.h5").read_bytes())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert _value(client, dataset) == 3.0
    assert _real(dataset) not in OPEN_FILES.kept()


def test_a_kept_file_is_still_behind_the_access_gate(client):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    assert _real(dataset) in OPEN_FILES.kept()
    Dataset.objects.filter(pk=dataset.pk).update(status=Status.DRAFT)
    response = client.get(
        h5grove_url(dataset, "data"), {"file": "scan.h5", "path": "/image", "format": "bin"}
    )
    assert response.status_code == 404
    assert response.json() == {"message": "File not found!"}


def test_a_deleted_file_is_not_served_from_its_kept_handle(client):
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    os.unlink(dataset_folder(dataset.storage_folder) / "scan.h5")
    response = client.get(
        h5grove_url(dataset, "data"), {"file": "scan.h5", "path": "/image", "format": "bin"}
    )
    assert response.status_code == 404


def test_no_file_is_kept_when_switched_off(client, settings):
    settings.PREVIEW_OPEN_FILES = 0
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    assert OPEN_FILES.kept() == {}


def test_at_most_the_configured_number_of_files_stay_open(client, settings):
    settings.PREVIEW_OPEN_FILES = 2
    datasets = [
        dataset_with_files(writers={"scan.h5": lambda p, v=v: _write(p, v)}) for v in range(3)
    ]
    _settled()
    for value, dataset in enumerate(datasets):
        assert _value(client, dataset) == value
    # The least recently used one was closed.
    assert list(OPEN_FILES.kept()) == [_real(datasets[1]), _real(datasets[2])]
    assert _value(client, datasets[0]) == 0


def _linked(path) -> None:
    """scan.h5: /image (value 1), /entry/image (hard link to it), a soft link and an external
    link to other.h5 (value 5), a file of the same dataset."""
    with h5py.File(path, "w") as h5:
        h5.create_dataset("image", data=np.full(SHAPE, 1.0, dtype="<f4"))
        h5.create_group("entry")["image"] = h5["image"]
        h5["alias"] = h5py.SoftLink("/image")
        h5["outside"] = h5py.ExternalLink("other.h5", "/image")


def _values(client, dataset, path: str):
    response = _data(client, dataset, path)
    if response.status_code != 200:
        return response.status_code
    return float(np.frombuffer(response.content, dtype="<f4")[0])


def test_a_kept_file_remembers_what_its_hard_links_name_and_nothing_else(client):
    dataset = dataset_with_files(writers={"scan.h5": _linked, "other.h5": lambda p: _write(p, 5.0)})
    _settled()
    for _ in range(2):
        assert [_values(client, dataset, p) for p in ("/image", "entry/image/", "/alias")] == [
            1.0,
            1.0,
            1.0,
        ]
        assert _values(client, dataset, "/outside") == 5.0
    handle = OPEN_FILES._kept[_real(dataset)]
    remembered = {parts: isinstance(obj, h5py.HLObject) for parts, obj in handle.objects.items()}
    # The root, the dataset and the path through a group are objects; the soft and the
    # external link are remembered only as "resolve these by the policy".
    assert remembered == {
        (): True,
        ("image",): True,
        ("entry", "image"): True,
        ("alias",): False,
        ("outside",): False,
    }


def test_an_external_link_of_a_kept_file_is_checked_on_every_request(client):
    dataset = dataset_with_files(writers={"scan.h5": _linked, "other.h5": lambda p: _write(p, 5.0)})
    _settled()
    assert _values(client, dataset, "/outside") == 5.0
    assert _values(client, dataset, "/outside") == 5.0
    assert _real(dataset) in OPEN_FILES.kept()
    # The link's target stops being a registered file of the dataset: the link is no
    # longer followed, though scan.h5 itself is the same kept file.
    dataset.files.filter(path="other.h5").delete()
    assert _values(client, dataset, "/outside") == 404
    assert _values(client, dataset, "/image") == 1.0


def test_what_a_replaced_file_names_is_looked_up_anew(client, tmp_path):
    dataset = dataset_with_files(writers={"scan.h5": _linked})
    _settled()
    assert _values(client, dataset, "/image") == 1.0
    # The new file's /image is an external link out of the dataset's folder: never followed,
    # whatever the old file's /image was.
    _write(tmp_path / "elsewhere.h5", 9.0)
    folder = dataset_folder(dataset.storage_folder)
    with h5py.File(folder / ".scan.h5.tmp", "w") as h5:
        h5["image"] = h5py.ExternalLink(str(tmp_path / "elsewhere.h5"), "/image")
    os.replace(folder / ".scan.h5.tmp", folder / "scan.h5")
    assert _values(client, dataset, "/image") == 404


def test_files_open_without_locking_and_with_the_configured_sieve_buffer(client, settings):
    settings.PREVIEW_SIEVE_BYTES = 8192
    dataset = dataset_with_files(writers={"scan.h5": lambda p: _write(p, 1.0)})
    _settled()
    assert _value(client, dataset) == 1.0
    access = OPEN_FILES._kept[_real(dataset)].h5.id.get_access_plist()
    assert access.get_sieve_buf_size() == 8192
    assert access.get_file_locking() == (False, False)


def test_a_kept_file_remembers_a_bounded_number_of_objects(client):
    count = MAX_OBJECTS_PER_FILE + 4

    def many(path):
        with h5py.File(path, "w") as h5:
            for i in range(count):
                h5.create_dataset(f"d{i}", data=np.full(SHAPE, float(i), dtype="<f4"))

    dataset = dataset_with_files(writers={"scan.h5": many})
    _settled()
    for i in range(count):
        assert _values(client, dataset, f"/d{i}") == float(i)
    objects = OPEN_FILES._kept[_real(dataset)].objects
    # The least recently used go first; the root group, used by every request, stays.
    assert len(objects) == MAX_OBJECTS_PER_FILE
    assert () in objects
    names = [parts for parts in objects if parts]
    assert names == [(f"d{i}",) for i in range(count - MAX_OBJECTS_PER_FILE + 1, count)]
    assert _values(client, dataset, "/d0") == 0.0  # opened again
    assert list(objects)[-1] == ("d0",)
    assert (f"d{count - MAX_OBJECTS_PER_FILE + 1}",) not in objects
