"""Reads for the preview endpoints."""

import uuid

from django.db.models import Exists, OuterRef, Value

from catalogue.models import DataFile, Dataset
from catalogue.storage import StoragePathError, check_relative_path

_FIELDS = ("id", "pid", "status", "embargo_until", "published_at", "created_by_id",
           "owner_group_id", "storage_folder")  # fmt: skip


def dataset_for_preview(pid: uuid.UUID, *, file: str | None = None) -> Dataset | None:
    """The dataset with what the access gate and the file policy need, in one query.

    ``file_registered`` tells whether ``file`` is a registered DataFile of it (False for a
    malformed path, which never reaches the database). The preview answers many small
    requests per viewer, so it skips the snapshot's prefetches.
    """
    registered = Value(False)
    if file is not None:
        try:
            check_relative_path(file)
            registered = Exists(DataFile.objects.filter(dataset=OuterRef("pk"), path=file))
        except StoragePathError:
            pass
    return (
        Dataset.objects.only(*_FIELDS).annotate(file_registered=registered).filter(pid=pid).first()
    )
