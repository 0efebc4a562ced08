"""Datasets with real HDF5 files in their storage folder, for the preview tests."""

import shutil
from pathlib import Path

import pytest

from catalogue.models import Status
from catalogue.services.files import dataset_files_register, scan_folder
from catalogue.storage import dataset_folder
from tests.factories import make_dataset

DEMO_FILES = Path(__file__).resolve().parents[3] / "catalogue" / "demo" / "files"
# The real HDF5/NeXus files of the demo (copies of ../shared/refdata/, see SOURCES.md there).
DEMO_HDF5 = sorted(
    p
    for p in DEMO_FILES.rglob("*")
    if p.suffix in (".h5", ".hdf5", ".hdf", ".nxs", ".nx5") and p.is_file()
)


def dataset_with_files(status=Status.PUBLISHED, *, files=(), writers=None, **fields):
    """A dataset whose folder holds copies of ``files`` and what ``writers`` write.

    ``writers`` maps a relative path to a function called with the absolute path to create.
    Every file is registered, as the ingestion would.
    """
    dataset = make_dataset(status=status, **fields)
    folder = dataset_folder(dataset.storage_folder)
    folder.mkdir(parents=True, exist_ok=True)
    for source in files:
        shutil.copyfile(source, folder / Path(source).name)
    for relative, write in (writers or {}).items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
    dataset_files_register(dataset=dataset, files=scan_folder(dataset.storage_folder))
    return dataset


def h5grove_url(dataset, endpoint: str) -> str:
    return f"/datasets/{dataset.pid}/h5grove/{endpoint}"


@pytest.fixture
def demo_dataset(db):
    return dataset_with_files(files=DEMO_HDF5)
