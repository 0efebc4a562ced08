"""Reads for browsing a dataset's files by folder (``?path=raw/scan_01/``).

A dataset may hold 100,000 files, so nothing here loads them all: the folders directly under
a prefix come from one GROUP BY over the part of the path after the prefix, and the files of
a folder are paged in the database (benchmarks/folders.py measures both).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import StrIndex, Substr

from catalogue import selectors
from catalogue.models import DataFile, Dataset
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


def _rest(prefix: str):
    """The path after the prefix, as a database expression."""
    return Substr("path", len(prefix) + 1) if prefix else F("path")


def folders_under(*, dataset: Dataset, prefix: str) -> list[Folder]:
    """The folders directly under ``prefix``, with recursive file counts and sizes."""
    rest = _rest(prefix)
    rows = (
        files_under(dataset=dataset, prefix=prefix)
        .annotate(slash=StrIndex(rest, Value("/")))
        .filter(slash__gt=0)
        .annotate(
            folder=Substr(
                "path",
                len(prefix) + 1,
                F("slash") - Value(1, output_field=IntegerField()),
            )
        )
        .order_by()
        .values("folder")
        .annotate(files=Count("id"), size=Sum("size"))
        .order_by("folder")
    )
    return [
        Folder(path=prefix + r["folder"] + "/", name=r["folder"], files=r["files"], size=r["size"])
        for r in rows
    ]


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
    return Paginator(files, per_page).get_page(page)
