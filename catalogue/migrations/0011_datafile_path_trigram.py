"""A trigram index for the files' name filter (issue 16 §4: < 200 ms at 100,000 files).

The record page's and the files API's name filter is ``path__icontains``, which Django writes on
PostgreSQL as ``UPPER("path"::text) LIKE UPPER(%s)``: a substring match no B-tree can serve. A
GIN index with ``gin_trgm_ops`` (pg_trgm) on that very expression, ``UPPER(path)``, can (pg_trgm matches
``LIKE '%…%'`` patterns of three characters or more). PostgreSQL only: the embedded mode's
SQLite has neither the extension nor GIN, and scans its few files. The index is not declared on
the model, so SQLite's table rebuilds in later migrations never try to create it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX_NAME = "datafile_path_upper_trgm"
# Written out: Django 5.2 renders GinIndex(OpClass(Upper("path"), name="gin_trgm_ops")) as
# ``((UPPER("path") gin_trgm_ops))``, which PostgreSQL refuses (the operator class must
# follow the parenthesised expression). The expression is the one icontains uses: UPPER of
# the varchar column, which PostgreSQL stores as upper((path)::text) in both.
CREATE = (
    f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "catalogue_datafile" '
    'USING gin ((UPPER("path")) gin_trgm_ops)'
)
DROP = f'DROP INDEX IF EXISTS "{INDEX_NAME}"'


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0010_dataset_versions_concept")]

    operations = [
        TrigramExtension(),  # a no-op on other databases (Django checks the vendor)
        migrations.RunPython(add_index, remove_index, elidable=False),
    ]
