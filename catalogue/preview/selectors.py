"""Reads for the preview endpoints."""

import uuid

from catalogue.models import Dataset


def dataset_for_preview(pid: uuid.UUID) -> Dataset | None:
    """The dataset with what the access gate and the file policy need, in one query.

    The preview answers many small requests per viewer; it skips the snapshot's prefetches.
    """
    fields = ("id", "pid", "status", "embargo_until", "published_at", "created_by_id",
              "owner_group_id", "storage_folder")  # fmt: skip
    return Dataset.objects.only(*fields).filter(pid=pid).first()
