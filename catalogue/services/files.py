"""Registering a dataset's files and keeping its file count and total size right."""

import hashlib
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from catalogue.models import DataFile, Dataset
from catalogue.services.changes import datasets_changed
from catalogue.storage import check_relative_path, dataset_folder

HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".nxs", ".nx5", ".nx", ".nxs.h5", ".cxi")
HDF5_MEDIA_TYPE = "application/x-hdf5"
ANALYZE_AFTER = 10_000  # registering this many files refreshes the planner's statistics


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    checksum: str = ""
    checksum_algorithm: str = "sha256"
    media_type: str = ""


TEXT_SUFFIXES = (".log", ".md", ".out")


def guess_media_type(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith(HDF5_SUFFIXES):
        return HDF5_MEDIA_TYPE
    if lowered.endswith(TEXT_SUFFIXES):
        return "text/plain"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def file_sha256(path: os.PathLike | str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def scan_folder(folder: str) -> Iterator[FileRecord]:
    """Every regular file below a dataset folder, with size, SHA-256 and media type."""
    base = dataset_folder(folder)
    for root, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            yield FileRecord(
                path=rel,
                size=os.path.getsize(full),
                checksum=file_sha256(full),
                media_type=guess_media_type(rel),
            )


def dataset_files_register(
    *,
    dataset: Dataset,
    files: Iterable[FileRecord],
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add or update files by path (idempotent), in batches; returns how many were given."""
    count = 0
    batch: list[DataFile] = []

    def flush() -> None:
        DataFile.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["dataset", "path"],
            update_fields=["size", "checksum", "checksum_algorithm", "media_type"],
        )
        if progress:
            progress(len(batch))
        batch.clear()

    with transaction.atomic():
        for record in files:
            check_relative_path(record.path)
            batch.append(
                DataFile(
                    dataset=dataset,
                    path=record.path,
                    size=record.size,
                    checksum=record.checksum.lower(),
                    checksum_algorithm=record.checksum_algorithm,
                    media_type=record.media_type or guess_media_type(record.path),
                )
            )
            count += 1
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        dataset_refresh_file_totals(dataset=dataset)
        datasets_changed([dataset.pk])  # file count and size are in the record
    if count >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, or PostgreSQL keeps planning the first file page as a full sort
        # of the dataset's files (seen: 18 ms instead of <1 ms after 100,000 new rows).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DataFile._meta.db_table}")
    return count


def dataset_refresh_file_totals(*, dataset: Dataset) -> None:
    files = DataFile.objects.filter(dataset=dataset)
    totals = files.aggregate(n=Count("id"), size=Sum("size"))
    formats = sorted(set(files.exclude(media_type="").values_list("media_type", flat=True)))
    values = {
        "file_count": totals["n"] or 0,
        "total_size": totals["size"] or 0,
        "file_formats": formats,
    }
    stored = Dataset.objects.filter(pk=dataset.pk).values(*values).first()
    if stored != values:
        # The file list is part of the record (DataCite sizes/formats): it counts as a change.
        Dataset.objects.filter(pk=dataset.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(dataset, name, value)
