"""Drill: a Celery worker is killed (SIGKILL, its whole process group) in the middle of a
task. The broker hands the unacknowledged task to the other worker within 60 s (acks_late,
visibility timeout), and its effect (the search document, the OAI renderings) exists once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from catalogue.models import Status
from oaipmh.formats import FORMATS
from oaipmh.models import RenderedMetadata
from tests.factories import make_dataset

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.search]
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict  # the test database, as this process uses it
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _worker(name: str, queue: str, log: Path) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": _database_url(),
        "PORTAL_BROKER_URL": django_settings.BROKER_URL,
        "PORTAL_ELASTICSEARCH_URL": django_settings.ELASTICSEARCH_URL,
        "PORTAL_ELASTICSEARCH_INDEX_PREFIX": django_settings.ELASTICSEARCH_INDEX_PREFIX,
        "PORTAL_TASKS_EAGER": "0",
    }
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue,
            "-n", f"{name}@drill", "--concurrency", "1", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "-I", "tests.drills.drill_tasks",
            "-l", "INFO",
        ],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill it with its pool children
    )  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_workers_task_runs_again_elsewhere_exactly_once(settings, tmp_path):
    from catalogue.search.connection import get_client
    from catalogue.search.documents import alias_name
    from catalogue.search.indexing import drop_index, ensure_index
    from portal.celery import app
    from portal.ops.queues import broker_client
    from tests.drills.drill_tasks import index_dataset_drill

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{django_settings.ELASTICSEARCH_INDEX_PREFIX}-worker"
    ensure_index()
    ds = make_dataset(status=Status.PUBLISHED, title="Worker drill sample")
    queue = f"indexing-drill-{uuid.uuid4().hex[:6]}"  # a queue of this test's own
    key = f"drill:{uuid.uuid4().hex}"
    redis = broker_client()
    workers = {}
    app.conf.task_always_eager = False
    try:
        for name in ("alpha", "beta"):
            workers[name] = _worker(name, queue, tmp_path / f"{name}.log")
        index_dataset_drill.apply_async((ds.pk, key), queue=queue)

        deadline = time.monotonic() + 90
        while not redis.llen(f"{key}:started"):
            assert time.monotonic() < deadline, "no worker started the task"
            time.sleep(0.2)
        first_host = redis.lindex(f"{key}:started", 0).decode().split()[0]
        victim = first_host.split("@")[0]
        os.killpg(workers[victim].pid, signal.SIGKILL)  # mid-task, no goodbye
        killed_at = time.time()
        workers[victim].wait(timeout=30)

        deadline = time.monotonic() + 120
        while not redis.llen(f"{key}:finished"):
            assert time.monotonic() < deadline, "the task was never completed by another worker"
            time.sleep(0.5)
        time.sleep(2)  # a third run, if any, would have started by now

        runs = [r.decode().split() for r in redis.lrange(f"{key}:started", 0, -1)]
        finished = [f.decode() for f in redis.lrange(f"{key}:finished", 0, -1)]
        assert len(runs) == 2, runs
        assert runs[1][0] != first_host  # it ran again elsewhere
        assert float(runs[1][2]) - killed_at < 60  # within a minute of the kill
        assert finished == [runs[1][0]]  # completed once
        assert redis.llen(queue) == 0
    finally:
        app.conf.task_always_eager = True
        for proc in workers.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        redis.delete(f"{key}:started", f"{key}:finished", queue)

    # The effect, exactly once: one search document, one rendering per OAI format.
    doc = get_client().get(index=alias_name(), id=str(ds.pk))
    assert doc["_source"]["title"] == "Worker drill sample"
    assert RenderedMetadata.objects.filter(dataset=ds).count() == len(FORMATS)
    drop_index()
