"""Reads for browsing a dataset's files by folder (``?path=raw/scan_01/``).

A dataset may hold 100,000 files, so nothing here loads them all: folders and their recursive
counts are read from ``DataFolder`` rows (built from the files in one pass, rebuilt when the
file list changes), and the files of a folder are paged in the database with the (dataset,
path) index (benchmarks/folders.py measures every view).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet

from catalogue import selectors
from catalogue.models import DataFile, DataFolder, DataFolderIndex, Dataset
from catalogue.storage import StoragePathError, check_relative_path


class BadPrefix(ValueError):
    """The folder is not a relative path inside the dataset."""


@dataclass(frozen=True)
class Folder:
    path: str  # with the trailing slash, e.g. "raw/scan_01/"
    name: str  # its last segment, e.g. "scan_01"
    files: int  # all files below it, recursively
    size: int  # their bytes

    def as_json(self) -> dict:
        return {"path": self.path, "files": self.files, "size": self.size}


@dataclass(frozen=True)
class Crumb:
    name: str
    path: str


def normalize_prefix(raw: str | None) -> str:
    """'' for the top, else a relative folder path ending in '/'; BadPrefix if it is not one."""
    prefix = (raw or "").strip().lstrip("/")
    if not prefix:
        return ""
    if not prefix.endswith("/"):
        prefix += "/"
    try:
        check_relative_path(prefix.rstrip("/"))
    except StoragePathError as exc:
        raise BadPrefix(str(exc)) from exc
    return prefix


def breadcrumbs(prefix: str) -> list[Crumb]:
    crumbs, path = [], ""
    for part in [p for p in prefix.split("/") if p]:
        path += part + "/"
        crumbs.append(Crumb(name=part, path=path))
    return crumbs


def files_under(*, dataset: Dataset, prefix: str) -> QuerySet:
    """Every file below the folder, recursively, in path order."""
    files = DataFile.objects.filter(dataset=dataset)
    if prefix:
        files = files.filter(path__startswith=prefix)
    return files.order_by("path")


def _index_current(dataset: Dataset) -> bool:
    index = DataFolderIndex.objects.filter(dataset=dataset).first()
    return index is not None and (index.file_count, index.total_size) == (
        dataset.file_count or 0,
        dataset.total_size or 0,
    )


def dataset_folders_rebuild(*, dataset: Dataset) -> int:
    """Rebuild the folder rows from the files in one pass (100,000 files: well under a
    second); returns how many folders there are. Idempotent."""
    counts: dict[str, list[int]] = {}
    paths = DataFile.objects.filter(dataset=dataset).values_list("path", "size")
    for path, size in paths.iterator(chunk_size=5000):
        end = path.find("/")
        while end != -1:
            entry = counts.setdefault(path[: end + 1], [0, 0])
            entry[0] += 1
            entry[1] += size
            end = path.find("/", end + 1)
    rows = []
    for folder, (files, size) in counts.items():
        cut = folder.rstrip("/").rfind("/")
        parent = folder[: cut + 1] if cut != -1 else ""
        rows.append(DataFolder(dataset=dataset, path=folder, parent=parent, files=files, size=size))
    with transaction.atomic():
        DataFolder.objects.filter(dataset=dataset).delete()
        DataFolder.objects.bulk_create(rows, batch_size=5000)
        DataFolderIndex.objects.update_or_create(
            dataset=dataset,
            defaults={"file_count": dataset.file_count or 0, "total_size": dataset.total_size or 0},
        )
    return len(rows)


def folders_under(*, dataset: Dataset, prefix: str) -> list[Folder]:
    """The folders directly under ``prefix``, with recursive file counts and sizes.

    Read from the folder rows, rebuilt first when the file list changed since they were made.
    """
    if not _index_current(dataset):
        dataset_folders_rebuild(dataset=dataset)
    rows = DataFolder.objects.filter(dataset=dataset, parent=prefix).values_list(
        "path", "files", "size"
    )
    return [
        Folder(path=path, name=path[len(prefix) :].rstrip("/"), files=files, size=size)
        for path, files, size in rows
    ]


def folder_file_count(*, dataset: Dataset, prefix: str) -> int | None:
    """How many files are below the folder (None if there is no such folder)."""
    if not prefix:
        return dataset.file_count
    if not _index_current(dataset):
        dataset_folders_rebuild(dataset=dataset)
    return (
        DataFolder.objects.filter(dataset=dataset, path=prefix)
        .values_list("files", flat=True)
        .first()
    )


def folder_files_page(
    *, dataset: Dataset, prefix: str, name: str, page: str | int | None, per_page: int
) -> Page:
    """One page of the files below the folder (recursively; with ``name``, those whose path
    contains it). Bad or out-of-range page numbers are clamped."""
    files = files_under(dataset=dataset, prefix=prefix)
    if name:
        files = files.filter(path__icontains=name)
    if not prefix and not name:
        # The whole list: the dataset's stored count spares a COUNT(*) over 100,000 rows.
        return selectors.dataset_files_page(dataset=dataset, page=page, per_page=per_page)
    if not name:
        known = folder_file_count(dataset=dataset, prefix=prefix) or 0
        return selectors.KnownCountPaginator(files, per_page, count=known).get_page(page)
    return Paginator(files, per_page).get_page(page)
