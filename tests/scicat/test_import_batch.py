"""import_scicat's fast paths: new records created and published in chunks through the batch
writer and the lifecycle's batch move; unchanged records skipped by their source hash."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import DataFile, Dataset, DatasetEvent, Status
from catalogue.services.datasets import dataset_update
from doi.models import DoiRegistration
from scicat import importing
from scicat.importing import import_datasets
from scicat.models import ScicatRecord
from tests.scicat.test_import import scicat_body

pytestmark = pytest.mark.django_db


def export(n: int, **extra) -> list[dict]:
    return [
        {**scicat_body(i, **extra),
         "origdatablocks": [{"_id": f"blk-{i}", "size": 7, "dataFileList": [
             {"path": f"scan_{i}/a.h5", "size": 3, "time": "2023-03-01T10:00:00Z"},
             {"path": f"scan_{i}/b.h5", "size": 4, "time": "2023-03-01T10:00:00Z"}]}]}
        for i in range(n)
    ]  # fmt: skip


def test_new_records_are_created_and_published_like_one_by_one():
    items = export(6)
    items[5]["isPublished"] = False
    summary = import_datasets(items[:5] + items[5:])
    assert summary.line() == "6 created, 0 updated, 0 unchanged, 0 rejected"
    published = Dataset.objects.filter(status=Status.PUBLISHED)
    assert published.count() == 5
    assert Dataset.objects.get(title="Source dataset 5").status == Status.DRAFT
    for ds in published:
        moves = list(DatasetEvent.objects.filter(dataset=ds).order_by("id")
                     .values_list("from_status", "to_status"))  # fmt: skip
        # One audited step, the table's system move "imported as published".
        assert moves == [("draft", "published")]
        assert ds.doi and DoiRegistration.objects.filter(dataset=ds, doi=ds.doi).exists()
        assert ds.published_at is not None and ds.file_count == 2 and ds.total_size == 7
        assert ds.alternate_identifiers.get().identifier == f"PID.src/{int(ds.title[-1]):04d}"
    assert DataFile.objects.count() == 12
    assert len(set(Dataset.objects.values_list("doi", flat=True))) == 6  # 5 DOIs + None
    assert all(r.source_hash for r in ScicatRecord.objects.all())


def test_a_second_run_skips_unchanged_records_without_writing():
    items = export(5)
    import_datasets(items)
    with CaptureQueriesContext(connection) as queries:
        summary = import_datasets(items)
    assert summary.line() == "0 created, 0 updated, 5 unchanged, 0 rejected"
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]  # fmt: skip
    assert writes == [] and len(queries) <= 3


def test_a_record_changed_here_or_at_the_source_is_compared_again():
    items = export(3)
    import_datasets(items)
    ds = Dataset.objects.get(title="Source dataset 1")
    # Changed here after the import: the source's value comes back (as before hashes).
    dataset_update(dataset=ds, data={"description": "Edited here."}, actor=None)
    items[2]["description"] = "Changed at the source."
    summary = import_datasets(items)
    assert summary.counts == {"updated": 2, "unchanged": 1}
    ds.refresh_from_db()
    assert ds.description == "Imported from a SciCat."
    assert Dataset.objects.get(title="Source dataset 2").description == "Changed at the source."
    assert import_datasets(items).line() == "0 created, 0 updated, 3 unchanged, 0 rejected"


def test_a_bad_record_in_a_chunk_leaves_the_others_created(monkeypatch):
    monkeypatch.setattr(importing, "CHUNK", 3)
    items = export(7)
    items[4]["techniques"] = [{"pid": "PaNET99999", "name": "nonsense"}]
    for key in ("principalInvestigator", "owner"):  # no creators: a draft, never published
        del items[5][key]
    summary = import_datasets(items)
    assert summary.counts == {"created": 5, "rejected": 2}
    reasons = dict(summary.rejected)
    assert reasons["PID.src/0004"].startswith("techniques[0]:")
    assert "creators" in reasons["PID.src/0005"]
    assert Dataset.objects.count() == 5 and DataFile.objects.count() == 10
    assert Dataset.objects.filter(status=Status.PUBLISHED).count() == 5


def test_dry_run_of_a_chunk_writes_nothing():
    summary = import_datasets(export(4), dry_run=True)
    assert summary.line() == "4 created, 0 updated, 0 unchanged, 0 rejected"
    assert Dataset.objects.count() == 0 and DoiRegistration.objects.count() == 0


def test_batch_imported_records_get_their_concept_and_version_like_a_single_import():
    """The batch move gives a first publication what the single move does: a concept with
    its own concept DOI (held as a registration), version 1, not superseded."""
    items = export(4)
    one_by_one = importing.import_record(items[0])
    assert one_by_one[0] == "created"
    assert import_datasets(items[1:]).counts == {"created": 3}
    single = Dataset.objects.get(title="Source dataset 0")
    batch = list(Dataset.objects.filter(status=Status.PUBLISHED).exclude(pk=single.pk))
    assert len(batch) == 3
    concept_dois = set()
    for ds in [single, *batch]:
        assert ds.concept_id is not None, ds.title
        assert (ds.version_number, ds.superseded) == (1, False)
        assert ds.concept.doi and ds.concept.doi != ds.doi
        assert DoiRegistration.objects.filter(concept=ds.concept, doi=ds.concept.doi).exists()
        assert list(ds.concept.versions.values_list("pk", flat=True)) == [ds.pk]
        assert list(DatasetEvent.objects.filter(dataset=ds).values_list(
            "from_status", "to_status", "comment"
        )) == [("draft", "published", "Published at the SciCat source.")]  # fmt: skip
        concept_dois.add(ds.concept.doi)
    assert len(concept_dois) == 4


def test_a_chunk_costs_the_same_statements_whatever_its_size():
    """New records are written set-wise: the statements of a chunk (create, the one system
    move with DOIs and concepts, the SciCat records) do not grow with its records."""

    def statements(items):
        with CaptureQueriesContext(connection) as queries:
            assert import_datasets(items).counts == {"created": len(items)}
        return len(queries)

    small = export(3)
    large = [{**item, "pid": f"PID.big/{n:04d}", "origdatablocks": [
        {**block, "_id": f"big-{n}"} for block in item["origdatablocks"]]}
        for n, item in enumerate(export(3) * 4)]  # fmt: skip
    warm = [{**export(1)[0], "pid": "PID.warm/0000"}]
    statements(warm)  # the groups and references the export names, created once
    assert statements(large) == statements(small)


def test_a_chunk_is_announced_once_so_indexing_and_oai_follow_in_one_task_each(
    django_capture_on_commit_callbacks,
):
    from catalogue import signals

    seen = []

    def receiver(sender, dataset_ids, **kwargs):
        seen.append(sorted(dataset_ids))

    signals.datasets_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert import_datasets(export(4)).counts == {"created": 4}
    finally:
        signals.datasets_changed.disconnect(receiver)
    # The batch write and the lifecycle's move of the same records: one announcement.
    assert seen == [sorted(Dataset.objects.values_list("pk", flat=True))]


def test_records_published_at_the_source_are_inserted_published_and_never_rewritten():
    """The system move is made as the rows are inserted: no dataset row of a new chunk is
    UPDATEd (each UPDATE rewrites every index entry of the row), yet the move is audited."""
    items = export(4)
    items[3]["isPublished"] = False
    with CaptureQueriesContext(connection) as queries:
        assert import_datasets(items).counts == {"created": 4}
    table = Dataset._meta.db_table
    updates = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("UPDATE") and table in q["sql"].split()[1]]  # fmt: skip
    assert updates == []
    published = Dataset.objects.filter(status=Status.PUBLISHED)
    assert published.count() == 3
    for ds in published:
        assert (ds.version_number, ds.superseded) == (1, False) and ds.concept.doi != ds.doi
        assert ds.published_at is not None
        assert DoiRegistration.objects.filter(dataset=ds, doi=ds.doi).exists()
        assert DatasetEvent.objects.filter(dataset=ds, from_status="draft",
                                           to_status="published").count() == 1  # fmt: skip
    draft = Dataset.objects.get(status=Status.DRAFT)
    assert draft.doi is None and draft.concept_id is None and not draft.events.exists()
