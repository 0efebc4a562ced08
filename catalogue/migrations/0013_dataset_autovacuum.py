"""Autovacuum the dataset table after 1 % of its rows changed, not PostgreSQL's 20 %.

The public counts (home page, facility counts, OAI-PMH's completeListSize) are index-only
scans of the partial indexes of 0012, which skip the table only for pages the visibility map
marks all-visible. An ingestor's drafts and their updates clear that mark page by page (none
of the updates is HOT: they touch indexed columns), and at the default scale factors a table of
100,000 records is vacuumed only after some 20,000 changes. Measured on the load benchmark's
stack: 51 % of pages all-visible, so the planner left the covering index for a bitmap heap
scan of every public row, 40,917 buffers and 505 ms for the facility counts; after a vacuum 19
ms. At 1 % a vacuum comes after about a thousand changes, and costs only the pages they
touched (the visibility map lets it skip the rest). PostgreSQL only (SQLite has no vacuum
daemon); a storage parameter, so it survives dumps and restores with the table.
"""

from django.db import migrations

TABLES = ("catalogue_dataset", "catalogue_dataset_techniques")
OPTIONS = (
    "autovacuum_vacuum_scale_factor = 0.01",
    "autovacuum_vacuum_insert_scale_factor = 0.01",
    "autovacuum_analyze_scale_factor = 0.02",
)


def set_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f'ALTER TABLE "{table}" SET ({", ".join(OPTIONS)})')


def reset_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        names = ", ".join(option.split(" =")[0] for option in OPTIONS)
        for table in TABLES:
            schema_editor.execute(f'ALTER TABLE "{table}" RESET ({names})')


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0012_dataset_count_indexes")]

    operations = [migrations.RunPython(set_options, reset_options, elidable=False)]
