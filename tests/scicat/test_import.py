"""import_scicat: a second portal (its own PostgreSQL database, its own process) imports the
first portal's published datasets through the first portal's SciCat API; a second run is a
no-op. Plus the file export path and per-record rejection in-process."""

import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from catalogue.models import DataFile, Dataset, Status
from catalogue.services.datasets import dataset_update
from catalogue.services.lifecycle import dataset_publish
from scicat.mapping import SCICAT_PID_TYPE
from scicat.services import scicat_datablock_create, scicat_dataset_create
from tests.factories import (
    CuratorFactory,
    DataFileFactory,
    GroupFactory,
    make_dataset,
)

ROOT = Path(__file__).resolve().parents[2]
SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"


def scicat_body(n: int, **extra) -> dict:
    body = {
        "pid": f"PID.src/{n:04d}",
        "type": "raw",
        "datasetName": f"Source dataset {n}",
        "description": "Imported from a SciCat.",
        "owner": "Jane Doe",
        "contactEmail": "jane@example.org",
        "principalInvestigator": "Jane Doe",
        "creationLocation": "somewhere",
        "creationTime": "2023-03-01T10:00:00Z",
        "sourceFolder": f"/data/src/{n}",
        "ownerGroup": "src-owners",
        "accessGroups": ["src-readers"],
        "techniques": [{"pid": SAXS, "name": "small angle x-ray scattering"}],
        "scientificMetadata": {"energy": {"value": 12.4, "unit": "keV"}},
        "isPublished": True,
    }
    body.update(extra)
    return body


def _publish_system(dataset: Dataset) -> Dataset:
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED):
        Dataset.objects.filter(pk=dataset.pk).update(status=status)
    dataset.refresh_from_db()
    return dataset_publish(dataset=dataset, actor=None)


# --- the round trip through a live server -----------------------------------------------------


@pytest.fixture
def second_database():
    """A fresh, migrated PostgreSQL database for the second portal; its URL."""
    db = django_settings.DATABASES["default"]
    name = f"{db['NAME']}_second"
    dsn = dict(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"])
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"
    _manage(url, "migrate", "--noinput", "-v0")
    yield url
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(database_url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    # The second portal: its own database, the embedded search and eager tasks (no index or
    # queue shared with the first).
    storage = Path(tempfile.gettempdir()) / "portal-second-storage"
    env.update(PORTAL_DATABASE_URL=database_url, PORTAL_STORAGE_ROOT=str(storage))
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


SNAPSHOT = """
import json
from catalogue.models import Dataset
out = []
for d in Dataset.objects.order_by("title").prefetch_related("alternate_identifiers", "files"):
    out.append({
        "title": d.title, "status": d.status, "doi": d.doi,
        "embargo_until": d.embargo_until.isoformat() if d.embargo_until else None,
        "owner_group": d.owner_group.name if d.owner_group_id else None,
        "access_groups": sorted(g.name for g in d.access_groups.all()),
        "alternate": [(a.identifier_type, a.identifier) for a in d.alternate_identifiers.all()],
        "files": sorted((f.path, f.size) for f in d.files.all()),
        "techniques": [t.iri for t in d.techniques.all()],
        "events": d.events.count(), "updated_at": d.updated_at.isoformat(),
    })
print(json.dumps(out))
"""


def _records(database_url: str) -> list[dict]:
    return json.loads(
        _manage(database_url, "shell", "-v0", "-c", SNAPSHOT).strip().splitlines()[-1]
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
@pytest.mark.slow
def test_a_second_portal_imports_the_first_through_its_scicat_api(
    live_server, second_database, settings
):
    settings.DOI_PREFIX = "10.80001"
    curator = CuratorFactory(username="harvest-curator")  # reads embargoed files too
    curator.set_password("curator-pw")
    curator.save()
    GroupFactory(name="src-owners")
    # 1. ingested through the SciCat API, with files, then published by curation
    ds, _ = scicat_dataset_create(body=scicat_body(1), version="v3", actor=None)
    scicat_datablock_create(
        dataset=ds,
        body={"size": 30, "dataFileList": [
            {"path": "a.h5", "size": 10, "time": "2023-03-01T10:00:00Z", "uid": "1000"},
            {"path": "b.h5", "size": 20, "time": "2023-03-01T10:05:00Z"}]},
        actor=None,
    )  # fmt: skip
    dataset_update(dataset=ds, data={"publisher": "Source facility", "publication_year": 2023},
                   actor=None)  # fmt: skip
    first = _publish_system(ds)
    # 2. a native portal record, published and under embargo
    native = make_dataset(status=Status.PUBLISHED, title="Native record",
                          embargo_until=datetime.date(2999, 1, 1))  # fmt: skip
    DataFileFactory(dataset=native, path="frames/f1.nxs", size=5)
    # 3. a draft, never exported
    scicat_dataset_create(body=scicat_body(3, isPublished=False), version="v3", actor=None)

    api = live_server.url + "/scicat/api/v3"
    args = ("import_scicat", "--url", api, "--username", "harvest-curator",
            "--password", "curator-pw", "--quiet")  # fmt: skip
    out = _manage(second_database, *args)
    assert out.strip().splitlines()[-1] == "2 created, 0 updated, 0 unchanged, 0 rejected"
    records = _records(second_database)
    assert [r["title"] for r in records] == ["Native record", "Source dataset 1"]
    imported_native, imported_first = records
    assert imported_first["status"] == "published"
    assert imported_first["doi"] == first.doi  # the source's DOI is kept
    assert imported_first["files"] == [["a.h5", 10], ["b.h5", 20]]
    assert imported_first["owner_group"] == "src-owners"
    assert imported_first["access_groups"] == ["src-readers"]
    assert imported_first["techniques"] == [SAXS]
    assert [SCICAT_PID_TYPE, "PID.src/0001"] in imported_first["alternate"]
    assert imported_native["status"] == "published"
    assert imported_native["doi"] == native.doi
    assert imported_native["embargo_until"] == "2999-01-01"
    assert imported_native["files"] == [["frames/f1.nxs", 5]]
    assert [SCICAT_PID_TYPE, str(native.pid)] in imported_native["alternate"]

    # A second run changes nothing and says so.
    out = _manage(second_database, *args)
    assert out.strip().splitlines()[-1] == (
        "0 created, 0 updated, 2 unchanged, 0 rejected (nothing to change)"
    )
    assert _records(second_database) == records

    # A change at the source is an update, once.
    dataset_update(dataset=first, data={"description": "Recalibrated."}, actor=None)
    out = _manage(second_database, *args)
    assert out.strip().splitlines()[-1] == "0 created, 1 updated, 1 unchanged, 0 rejected"


# --- the file export, in-process ----------------------------------------------------------------


@pytest.mark.django_db
def test_file_import_upserts_rejects_and_is_idempotent(tmp_path, capsys):
    items = [
        {
            **scicat_body(1),
            "origdatablocks": [
                {
                    "_id": "blk-1",
                    "size": 3,
                    "dataFileList": [{"path": "x.h5", "size": 3, "time": "2023-03-01T10:00:00Z"}],
                }
            ],
        },
        scicat_body(2, datasetlifecycle={"dateOfPublishing": "2030-01-01T00:00:00Z"}),
        scicat_body(3, techniques=[{"pid": "PaNET99999", "name": "nonsense"}]),
        scicat_body(4, colour="blue"),
        scicat_body(5, isPublished=False),
    ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(items))
    call_command("import_scicat", "--file", str(export), "--quiet")
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "2 created, 0 updated, 0 unchanged, 2 rejected"
    assert "rejected PID.src/0003: techniques[0]:" in out
    assert "rejected PID.src/0004: colour:" in out
    assert not Dataset.objects.filter(title__in=["Source dataset 3", "Source dataset 4"]).exists()
    one = Dataset.objects.get(title="Source dataset 1")
    assert one.status == Status.PUBLISHED and one.doi
    assert list(DataFile.objects.filter(dataset=one).values_list("path", flat=True)) == ["x.h5"]
    two = Dataset.objects.get(title="Source dataset 2")
    assert two.embargo_until == datetime.date(2030, 1, 1)
    updated_at = one.updated_at

    call_command("import_scicat", "--file", str(export), "--quiet")
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "0 created, 0 updated, 2 unchanged, 2 rejected"
    one.refresh_from_db()
    assert one.updated_at == updated_at

    items[0]["origdatablocks"][0]["dataFileList"].append(
        {"path": "y.h5", "size": 4, "time": "2023-03-01T10:00:00Z"}
    )
    export.write_text(json.dumps(items))
    call_command("import_scicat", "--file", str(export), "--quiet", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run, nothing written: 0 created, 1 updated" in out
    assert DataFile.objects.filter(dataset=one).count() == 1
    call_command("import_scicat", "--file", str(export), "--quiet")
    assert DataFile.objects.filter(dataset=one).count() == 2


@pytest.mark.django_db
def test_beat_schedule_from_settings(monkeypatch):
    import importlib

    import portal.settings.scicat as scicat_settings
    import portal.settings.tasks as task_settings

    monkeypatch.setenv("PORTAL_SCICAT_IMPORT_URL", "https://scicat.example/api/v3")
    monkeypatch.setenv("PORTAL_SCICAT_IMPORT_SCHEDULE", "15 3 * * *")
    try:
        importlib.reload(scicat_settings)
        # The entry reaches the one beat schedule, beside the other apps' entries.
        reloaded = importlib.reload(task_settings)
        entry = reloaded.CELERY_BEAT_SCHEDULE["scicat-import"]
        assert entry["task"] == "scicat.tasks.scicat_import_scheduled"
        assert entry["schedule"].hour == {3} and entry["schedule"].minute == {15}
        assert "doi.sync_stale" in reloaded.CELERY_BEAT_SCHEDULE
    finally:
        monkeypatch.delenv("PORTAL_SCICAT_IMPORT_URL")
        monkeypatch.delenv("PORTAL_SCICAT_IMPORT_SCHEDULE")
        importlib.reload(scicat_settings)
        importlib.reload(task_settings)


def test_files_service_is_the_only_file_writer():
    """Nothing in scicat/ writes catalogue rows itself."""
    source = "\n".join(p.read_text() for p in (ROOT / "scicat").glob("*.py"))
    for forbidden in ("DataFile.objects.create", "DataFile.objects.bulk_create",
                      "Dataset.objects.create", ".objects.update("):  # fmt: skip
        assert forbidden not in source
