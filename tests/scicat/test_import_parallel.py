"""import_scicat --jobs N: chunks imported by N worker processes (each its own connection
and transaction) end as one process's import does: the same records, the same outcomes,
and a second run that changes nothing. Real PostgreSQL; a transactional test, since the
workers cannot see a test's open transaction."""

import io
import json

import pytest
from django.core.management import call_command

from catalogue.models import Dataset, DatasetEvent
from scicat import importing
from scicat.mapping import SCICAT_PID_TYPE
from scicat.models import ScicatRecord
from tests.scicat.test_import import scicat_body

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def export(prefix: str, n: int = 23) -> list[dict]:
    items = []
    for i in range(n):
        item = scicat_body(
            i,
            pid=f"{prefix}/{i:04d}",
            ownerGroup=f"owners-{i % 5}",  # groups named by records of several chunks
            accessGroups=[f"readers-{i % 3}", "everyone"],
            origdatablocks=[{"_id": f"{prefix}-blk-{i}", "size": 7, "dataFileList": [
                {"path": f"scan_{i}/a.h5", "size": 3, "time": "2023-03-01T10:00:00Z"},
                {"path": f"scan_{i}/b.h5", "size": 4, "time": "2023-03-01T10:00:00Z"}]}],
        )  # fmt: skip
        items.append(item)
    items[6]["isPublished"] = False  # imported as a draft (--all)
    items[9]["techniques"] = [{"pid": "PaNET99999", "name": "nonsense"}]  # rejected
    items.append(json.loads(json.dumps(items[2])))  # the same pid again, in a later chunk
    # and in the chunk the second worker takes while the first writes it: a unique clash
    items.insert(4, json.loads(json.dumps(items[1])))
    return items


def run(tmp_path, items: list[dict], jobs: int) -> str:
    path = tmp_path / f"export-{jobs}-{items[0]['pid'][4:7]}.json"
    path.write_text(json.dumps(items))
    out = io.StringIO()
    call_command(
        "import_scicat", "--file", str(path), "--all", "--quiet", "--jobs", str(jobs), stdout=out
    )
    return out.getvalue()


def records(prefix: str) -> dict[str, dict]:
    """What an import made of each SciCat pid, without what is random (DOI suffixes, ids)."""
    out = {}
    datasets = Dataset.objects.filter(
        alternate_identifiers__identifier_type=SCICAT_PID_TYPE,
        alternate_identifiers__identifier__startswith=prefix,
    ).prefetch_related("alternate_identifiers", "files", "access_groups")
    for ds in datasets:
        (alt,) = [a.identifier for a in ds.alternate_identifiers.all()]
        key = alt.removeprefix(prefix)
        assert key not in out, f"{alt} imported twice"
        out[key] = {
            "title": ds.title,
            "status": ds.status,
            "doi": ds.doi.split("/")[0] if ds.doi else None,  # the prefix; the suffix is drawn
            "owner_group": ds.owner_group.name,
            "access_groups": sorted(g.name for g in ds.access_groups.all()),
            "files": sorted((f.path, f.size) for f in ds.files.all()),
            "concept": (ds.concept.doi.split("/")[0], ds.version_number, ds.superseded)
            if ds.concept_id
            else None,
            "moves": list(
                DatasetEvent.objects.filter(dataset=ds)
                .order_by("id")
                .values_list("from_status", "to_status")
            ),
            "scicat_hash": bool(ScicatRecord.objects.get(dataset=ds).source_hash),
        }
    return out


def test_jobs_2_imports_what_jobs_1_imports_and_a_rerun_is_a_no_op(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK", 4)  # 25 records: 7 chunks over 2 workers
    forks = []
    real = importing._import_parallel
    monkeypatch.setattr(
        importing,
        "_import_parallel",
        lambda items, **kw: forks.append(kw["jobs"]) or real(items, **kw),
    )
    parallel, serial = export("PID.par"), export("PID.ser")

    first_parallel = run(tmp_path, parallel, jobs=2)
    first_serial = run(tmp_path, serial, jobs=1)
    assert forks == [2]  # --jobs 1 stays in this process
    summary = "22 created, 0 updated, 2 unchanged, 1 rejected"
    assert first_parallel.splitlines()[-1] == summary, first_parallel
    assert first_serial.splitlines()[-1] == summary, first_serial
    assert first_parallel.replace("PID.par", "PID") == first_serial.replace("PID.ser", "PID")

    made = records("PID.par")
    assert len(made) == 22 and made == records("PID.ser")
    assert sum(r["status"] == "published" for r in made.values()) == 21
    assert "/0009" not in made  # the rejected record left nothing behind
    dois = Dataset.objects.exclude(doi=None).values_list("doi", flat=True)
    assert len(set(dois)) == len(dois) == 42  # 21 published in each run, every DOI its own

    # Second runs: nothing to change, whichever the jobs.
    again = "0 created, 0 updated, 24 unchanged, 1 rejected"
    assert run(tmp_path, parallel, jobs=2).splitlines()[-1] == again
    assert run(tmp_path, serial, jobs=2).splitlines()[-1] == again
    assert run(tmp_path, parallel, jobs=1).splitlines()[-1] == again
    assert records("PID.par") == made


def test_a_dry_run_with_jobs_writes_nothing_and_reports_as_one_process(tmp_path):
    items = export("PID.dry", 12)
    outputs = []
    for jobs in (2, 1):
        path = tmp_path / f"dry-{jobs}.json"
        path.write_text(json.dumps(items))
        out = io.StringIO()
        call_command("import_scicat", "--file", str(path), "--all", "--quiet", "--dry-run",
                     "--jobs", str(jobs), stdout=out)  # fmt: skip
        outputs.append(out.getvalue())
        assert Dataset.objects.count() == 0
    assert outputs[0] == outputs[1]
    assert outputs[0].splitlines()[-1].startswith("dry run, nothing written: ")


def test_the_same_new_pid_twice_in_one_chunk_is_created_once():
    """A unique clash inside a chunk: the chunk is tried once more, then record by record."""
    items = export("PID.dup", 12)[:4]
    items.insert(1, json.loads(json.dumps(items[0])))
    summary = importing.import_datasets(items, jobs=1)
    assert summary.line() == "4 created, 0 updated, 1 unchanged, 0 rejected"
    assert len(records("PID.dup")) == 4
