"""Reads for the preview endpoints."""

import uuid
from functools import cache

from django.db import connection

from catalogue.models import DataFile, Dataset
from catalogue.storage import StoragePathError, check_relative_path

# What the access gate (catalogue.access.dataset_access) and the file policy read.
_FIELDS = ("id", "pid", "status", "embargo_until", "published_at", "created_by_id",
           "owner_group_id", "storage_folder", "version")  # fmt: skip


@cache
def _sql() -> str:
    q = connection.ops.quote_name
    dataset, datafile = q(Dataset._meta.db_table), q(DataFile._meta.db_table)
    columns = ", ".join(f"{dataset}.{q(Dataset._meta.get_field(f).column)}" for f in _FIELDS)
    # Only identifiers from the models' metadata, quoted by the backend; values are parameters.
    return (
        f"SELECT {columns}, EXISTS(SELECT 1 FROM {datafile} WHERE {datafile}.{q('dataset_id')}"  # noqa: S608
        f" = {dataset}.{q('id')} AND {datafile}.{q('path')} = %s) AS file_registered"
        f" FROM {dataset} WHERE {dataset}.{q('pid')} = %s"
    )


def dataset_for_preview(pid: uuid.UUID, *, file: str | None = None) -> Dataset | None:
    """The dataset with what the access gate and the file policy need, in one query.

    ``file_registered`` tells whether ``file`` is a registered DataFile of it (False for a
    malformed path, which never reaches the database). H5Web sends many small requests per
    view, each answered in a few milliseconds, so this hot path is one precompiled statement
    (the ORM's query building cost as much as the read itself).
    """
    try:
        check_relative_path(file or "")
    except StoragePathError:
        file = None
    pid_value = Dataset._meta.get_field("pid").get_db_prep_value(pid, connection)
    rows = list(Dataset.objects.raw(_sql(), [file or "", pid_value]))
    if not rows:
        return None
    dataset = rows[0]
    dataset.file_registered = bool(dataset.file_registered) and file is not None
    return dataset
