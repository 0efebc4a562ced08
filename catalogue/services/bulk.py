"""Set-wise INSERTs of new rows for the batch paths (imports, the batch API)."""

from __future__ import annotations

import json

from django.db import connection, models


def insert_new(model, objs: list) -> None:
    """INSERT new rows of ``model`` (what bulk_create does). PostgreSQL, for more than a few:
    their ids drawn from the table's sequence, then one COPY (bulk_create's compilation of
    thousands of dataset rows of 45 columns was the largest cost of an import); elsewhere
    bulk_create. A refused row raises Django's IntegrityError, as bulk_create would."""
    if connection.vendor != "postgresql" or len(objs) < 10:
        model.objects.bulk_create(objs)
        return
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.local_concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, pk.column, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        prepared = []
        for f in fields:
            if isinstance(f, models.JSONField):
                prepared.append(
                    (f, lambda v, f=f: None if v is None else json.dumps(v, cls=f.encoder))
                )
            else:
                prepared.append((f, lambda v, f=f: f.get_db_prep_save(v, connection)))
        columns = ", ".join([pk.column, *(f.column for f in fields)])
        copying = cursor.cursor.copy(f"COPY {opts.db_table} ({columns}) FROM STDIN")
        # Django's exceptions (IntegrityError, …) as for any query, not the driver's.
        with connection.wrap_database_errors, copying as copy:
            for obj, new_id in zip(objs, ids, strict=True):
                obj.pk = new_id
                copy.write_row([new_id, *(prep(f.pre_save(obj, True)) for f, prep in prepared)])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
