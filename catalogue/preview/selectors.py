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


@cache
def _loader(vendor: str) -> tuple[tuple[str, ...], tuple]:
    """How to turn a row into a Dataset: the attribute names in the model's field order (what
    Model.from_db expects) and, per column, its index in the row with the backend's and the
    field's converters (as the ORM's compiler applies them: SQLite, for one, returns UUIDs and
    dates as text)."""
    del vendor  # the cache key: one loader per database backend
    order = [f.attname for f in Dataset._meta.concrete_fields if f.attname in _FIELDS]
    columns = []
    for name in order:
        col = Dataset._meta.get_field(name).get_col(Dataset._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        columns.append((_FIELDS.index(name), col, tuple(funcs)))
    return tuple(order), tuple(columns)


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
    # A plain cursor and Model.from_db: what Dataset.objects.raw() does, without its per-call
    # column-to-field mapping (a third of this function's time in the CPU profile).
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [file or "", pid_value])
        row = cursor.fetchone()
    if row is None:
        return None
    names, columns = _loader(connection.vendor)
    values = []
    for index, col, funcs in columns:
        value = row[index]
        for func in funcs:
            value = func(value, col, connection)
        values.append(value)
    dataset = Dataset.from_db(connection.alias, names, values)
    dataset.file_registered = bool(row[-1]) and file is not None
    return dataset
