"""Checking a file list against the dataset's storage folder (``?verify=1`` of the files API).

Sizes are checked at once (a ``stat`` per file, before anything is written): a missing file or
a size that differs is a ``DatasetInputError`` keyed ``files[i].path`` / ``files[i].size``.
Checksums need the whole file read, so they are checked by a Celery task after commit; it
records the outcome as a comment event on the dataset (who: "checksum verification").
"""

from __future__ import annotations

import hashlib
import os

from django.db import transaction

from catalogue.models import Dataset, DatasetEvent
from catalogue.services.errors import DatasetInputError
from catalogue.storage import StoragePathError, dataset_file_path

VERIFIER = "checksum verification"


def _checksum_of(item) -> tuple[str, str]:
    raw = str(item.get("checksum") or "")
    algorithm = str(item.get("checksum_algorithm") or "sha256").lower()
    if ":" in raw:
        algorithm, raw = raw.split(":", 1)
    return algorithm.lower(), raw.lower()


def dataset_files_check_sizes(*, dataset: Dataset, files: list) -> None:
    """Each file exists below the storage folder with the size given; else DatasetInputError."""
    if not dataset.storage_folder:
        raise DatasetInputError(
            {"storage_folder": ["verify=1 needs the dataset's storage folder; set it first."]}
        )
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(files):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            continue  # the writer names malformed entries
        try:
            full = dataset_file_path(dataset.storage_folder, item["path"])
        except StoragePathError as exc:
            errors[f"files[{i}].path"] = [str(exc)]
            continue
        if not full.is_file():
            errors[f"files[{i}].path"] = ["No such file in the dataset's storage folder."]
            continue
        size = os.path.getsize(full)
        if item.get("size") != size:
            errors[f"files[{i}].size"] = [f"The file in storage has {size} bytes."]
        if len(errors) >= 100:
            break
    if errors:
        raise DatasetInputError(errors)


def queue_checksum_verification(*, dataset: Dataset, files: list) -> str:
    """Queue the checksum check after commit; returns "queued" (or "none": no checksums)."""
    paths = [f["path"] for f in files if isinstance(f, dict) and f.get("checksum")]
    if not paths:
        return "none"
    from catalogue.tasks import verify_file_checksums

    transaction.on_commit(lambda: verify_file_checksums.delay(dataset.pk, paths))
    return "queued"


def dataset_files_verify_checksums(*, dataset: Dataset, paths: list[str]) -> dict:
    """Compare stored checksums with the files' contents; record the result as an event."""
    mismatched, missing, checked = [], [], 0
    for f in dataset.files.filter(path__in=paths):
        algorithm, expected = f.checksum_algorithm or "sha256", f.checksum
        try:
            full = dataset_file_path(dataset.storage_folder, f.path)
            digest = hashlib.new(algorithm)
            with open(full, "rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
        except (OSError, StoragePathError, ValueError):
            missing.append(f.path)
            continue
        checked += 1
        if digest.hexdigest() != expected:
            mismatched.append(f.path)
    result = {"checked": checked, "mismatched": mismatched, "unreadable": missing}
    if mismatched or missing:
        comment = f"Checksums of {checked} files checked: {len(mismatched)} differ"
        comment += f" ({', '.join(mismatched[:20])})" if mismatched else ""
        comment += f"; {len(missing)} unreadable ({', '.join(missing[:20])})." if missing else "."
    else:
        comment = f"Checksums of {checked} files checked: all match."
    DatasetEvent.objects.create(
        dataset=dataset, kind=DatasetEvent.Kind.COMMENT, actor_name=VERIFIER,
        from_status=dataset.status, to_status=dataset.status, comment=comment,
    )  # fmt: skip
    return result
