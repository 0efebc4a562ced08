"""Reading ahead (catalogue/preview/ahead.py): a worker that served a dataset reads the next
answer from its folder while the query and the gate run, and sends it only when the gate
allows, the file is registered and the folder is still the dataset's."""

import datetime

import h5py
import numpy as np
import pytest

from catalogue.models import DataFile, Dataset, Status
from catalogue.preview import ahead
from catalogue.storage import dataset_folder
from tests.catalogue.preview.conftest import dataset_with_files, h5grove_url

pytestmark = pytest.mark.django_db


def _writer(values):
    def write(path):
        with h5py.File(path, "w") as h5:
            h5["d"] = values

    return write


@pytest.fixture
def reads(monkeypatch):
    """The folders read ahead from, in order."""
    seen: list[str] = []
    real = ahead._run

    def spy(folder, file, operation, params):
        seen.append(folder)
        return real(folder, file, operation, params)

    monkeypatch.setattr(ahead, "_run", spy)
    return seen


def _data(client, ds, file="d.h5"):
    return client.get(h5grove_url(ds, "data"), {"file": file, "path": "/d"})


def test_a_warm_dataset_is_read_ahead_and_answers_the_same(client, reads):
    ds = dataset_with_files(writers={"d.h5": _writer(np.arange(6))})
    first = _data(client, ds)
    assert reads == []  # this worker had not served the dataset
    second = _data(client, ds)
    assert reads == [ds.storage_folder]
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and second.json() == list(range(6))
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
    missing = client.get(h5grove_url(ds, "data"), {"file": "d.h5", "path": "/nothing"})
    assert missing.status_code == 404 and len(reads) == 2  # errors come ahead, too


@pytest.mark.parametrize(
    "change",
    [
        {"status": Status.WITHDRAWN},
        {"embargo_until": datetime.date.today() + datetime.timedelta(days=30)},
        {"status": Status.DRAFT},
    ],
    ids=["withdrawn", "embargoed", "back-to-draft"],
)
def test_what_was_read_ahead_is_dropped_when_the_gate_now_refuses(client, reads, change):
    ds = dataset_with_files(writers={"d.h5": _writer(np.arange(3))})
    assert _data(client, ds).status_code == 200
    Dataset.objects.filter(pk=ds.pk).update(**change)
    got = _data(client, ds)
    assert reads == [ds.storage_folder]  # it was read ahead, and not sent
    assert (got.status_code, got.json()) == (404, {"message": "File not found!"})


def test_a_file_no_longer_registered_is_404_though_read_ahead(client, reads):
    ds = dataset_with_files(writers={"d.h5": _writer(np.arange(3))})
    assert _data(client, ds).status_code == 200
    DataFile.objects.filter(dataset=ds, path="d.h5").delete()
    got = _data(client, ds)
    assert reads == [ds.storage_folder]
    assert (got.status_code, got.json()) == (404, {"message": "File not found!"})


def test_a_moved_folder_is_read_again_from_where_the_dataset_is_now(client, reads):
    ds = dataset_with_files(writers={"d.h5": _writer(np.arange(3))})
    assert _data(client, ds).json() == [0, 1, 2]
    moved = f"{ds.storage_folder}-moved"
    folder = dataset_folder(moved)
    folder.mkdir(parents=True)
    _writer(np.arange(10, 14))(folder / "d.h5")
    Dataset.objects.filter(pk=ds.pk).update(storage_folder=moved)
    assert _data(client, ds).json() == [10, 11, 12, 13]  # not the old folder's answer
    assert reads == [ds.storage_folder]
    assert _data(client, ds).json() == [10, 11, 12, 13]
    assert reads == [ds.storage_folder, moved]


def test_switched_off_nothing_is_read_ahead(client, reads, settings):
    settings.PREVIEW_READ_AHEAD = False
    ds = dataset_with_files(writers={"d.h5": _writer(np.arange(3))})
    for _ in range(3):
        assert _data(client, ds).json() == [0, 1, 2]
    assert reads == []
