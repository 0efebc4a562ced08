"""The dataset tables are vacuumed after 1 % of their rows changed (migration 0013), so the
public counts stay index-only scans while ingestors write drafts."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["catalogue_dataset", "catalogue_dataset_techniques"])
def test_dataset_tables_are_autovacuumed_after_one_percent_of_changes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        options = dict(option.split("=") for option in cursor.fetchone()[0] or [])
    assert options == {
        "autovacuum_vacuum_scale_factor": "0.01",
        "autovacuum_vacuum_insert_scale_factor": "0.01",
        "autovacuum_analyze_scale_factor": "0.02",
    }
