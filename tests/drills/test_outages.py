"""Drills: PostgreSQL and Redis go away under load and come back; Elasticsearch is unreachable.

A production-mode portal (gunicorn, deploy/gunicorn.conf.py) runs on a PostgreSQL and a Redis
of the drill's own (scripts/prod.sh drill-services, configured as in production). While
clients read pages, the API, OAI-PMH and /readyz, a service stops for a few seconds and starts
again: answers are 200 or a fast 503 (never a hang, never a 500 or a traceback), and the same
gunicorn serves 200s again afterwards, without a restart.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.conf import settings as django_settings

from tests.drills.conftest import ROOT, Load, drill_dir, http_get, run_script

pytestmark = [pytest.mark.slow]

PG_PORT = int(os.environ.get("PORTAL_DRILL_PG_PORT", "28433"))
REDIS_PORT = int(os.environ.get("PORTAL_DRILL_REDIS_PORT", "28481"))
WEB_PORT = int(os.environ.get("PORTAL_DRILL_WEB_PORT", "28090"))
REQUEST_TIMEOUT = 10.0  # a request slower than this counts as a hang


def _wait_for(url: str, *, status: int = 200, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if http_get(url, timeout=5)[0] == status:
            return
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer {status} within {within:.0f} s", pytrace=False)


@pytest.fixture(scope="module")
def stack():
    folder = drill_dir("outages")
    services = ("all", str(folder), str(PG_PORT), str(REDIS_PORT))
    lines = run_script("drill-services", "start", *services)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(line.split("=", 1) for line in lines.splitlines() if "=" in line)
    base = f"http://127.0.0.1:{WEB_PORT}"
    env.update(
        PORTAL_MODE="production",
        PORTAL_SECRET_KEY=secrets.token_urlsafe(60),
        PORTAL_TLS="0",
        PORTAL_BASE_URL=base,
        PORTAL_ELASTICSEARCH_URL=django_settings.ELASTICSEARCH_URL,
        PORTAL_ELASTICSEARCH_INDEX_PREFIX=f"{django_settings.ELASTICSEARCH_INDEX_PREFIX}-outage",
        PORTAL_STORAGE_ROOT=str(folder / "storage"),
        PORTAL_STATIC_ROOT=str(folder / "static"),
        PORTAL_GUNICORN_BIND=f"127.0.0.1:{WEB_PORT}",
        PORTAL_GUNICORN_WORKERS="2",
        PORTAL_GUNICORN_ACCESS_LOG=str(folder / "access.log"),
        # The drill's load comes from one address, far above a visitor's rate: its answers
        # must show the outage, not the rate limit (throttling has tests of its own).
        PORTAL_THROTTLE_ENABLED="false",
    )
    # The cache in Redis as make prod has it (database 1 beside the broker's 0): a Redis
    # restart must not turn cached pages into errors either.
    env["PORTAL_CACHE_URL"] = env["PORTAL_BROKER_URL"].rsplit("/", 1)[0] + "/1"

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
            capture_output=True, timeout=300, text=True,
        )  # fmt: skip

    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage(
        "shell", "-c",
        "from tests.factories import make_dataset\n"
        "from catalogue.models import Status\n"
        "[make_dataset(status=Status.PUBLISHED, title=f'Outage drill {i}') for i in range(8)]",
    )  # fmt: skip
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT, env=env, stdout=(folder / "gunicorn.log").open("ab"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    from catalogue.models import Dataset  # noqa: F401 - Django is set up by pytest-django

    _wait_for(base + "/healthz")
    yield {"base": base, "dir": folder, "services": services, "gunicorn": gunicorn,
           "manage": manage}  # fmt: skip
    os.killpg(gunicorn.pid, signal.SIGTERM)
    gunicorn.wait(timeout=60)
    run_script("drill-services", "stop", *services)
    shutil.rmtree(folder, ignore_errors=True)


def _first_dataset(base: str) -> tuple[str, str]:
    status, body = http_get(base + "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")
    assert status == 200, body
    import re

    pid = re.search(rb"<identifier>oai:[^:]+:([0-9a-f-]{36})</identifier>", body).group(1)
    return pid.decode(), base + f"/datasets/{pid.decode()}/"


def _outage_drill(stack, service: str) -> Load:
    base = stack["base"]
    pid, page = _first_dataset(base)
    urls = [
        page,
        base + f"/api/v1/datasets/{pid}",
        base + "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        base + "/readyz",
        base + "/",
        # The lean path (portal/lean.py): one query on a persistent connection, whose health
        # check asks the socket instead of the server (portal/postgresql/base.py).
        base + f"/datasets/{pid}/h5grove",
    ]
    counter = iter(range(10**9))

    def client():
        url = urls[next(counter) % len(urls)]
        started = time.monotonic()
        status, body = http_get(url, timeout=REQUEST_TIMEOUT)
        elapsed = time.monotonic() - started
        if status not in (200, 503) or b"Traceback" in body:
            return status, (url, body[:200])
        if status == 503 and elapsed > REQUEST_TIMEOUT / 2:
            return status, (url, f"503 only after {elapsed:.1f} s")
        return status, None

    load = Load()
    load.start(client, threads=4)
    try:
        time.sleep(2)
        run_script("drill-services", "stop", service, *stack["services"][1:])
        time.sleep(5)  # down for a while, under load
        run_script("drill-services", "start", service, *stack["services"][1:])
        # Recovery without restarting the portal: the same gunicorn answers 200 again.
        _wait_for(base + "/readyz", within=60)
        time.sleep(2)
    finally:
        load.finish()
    for url in urls:
        status, body = http_get(url)
        assert status == 200, (url, body[:300])
    assert stack["gunicorn"].poll() is None
    return load


@pytest.mark.django_db
def test_postgres_restart_under_load_is_a_fast_503_then_recovers(stack):
    load = _outage_drill(stack, "postgres")
    assert load.failures == [], (load.statuses, load.failures[:5])
    assert load.statuses[503] > 0, load.statuses  # the outage was seen, and said plainly
    assert load.statuses[200] > 0
    assert max(load.durations) < REQUEST_TIMEOUT


@pytest.mark.django_db
def test_redis_restart_under_load_keeps_pages_up_and_readyz_says_so(stack):
    load = _outage_drill(stack, "redis")
    assert load.failures == [], (load.statuses, load.failures[:5])
    # Pages do not need the broker; /readyz does, and answers 503 while it is down.
    assert load.statuses[503] > 0 and load.statuses[200] > 0, load.statuses
    assert max(load.durations) < REQUEST_TIMEOUT


def _answers(base: str) -> dict:
    """What the public sees: search totals and hits, and the OAI-PMH records' metadata."""
    import json
    import re

    answers = {}
    for query in ("q=outage", "q=drill&sort=title", "q="):
        status, body = http_get(f"{base}/api/v1/search?{query}")
        assert status == 200, body[:300]
        data = json.loads(body)
        answers[query] = (data["total"], [h["pid"] for h in data["results"]], data["facets"])
    status, body = http_get(f"{base}/oai?verb=ListRecords&metadataPrefix=oai_datacite")
    assert status == 200
    answers["oai"] = sorted(re.findall(rb"<record>.*?</record>", body, re.S))
    return answers


def test_restore_from_a_backup_rebuilds_search_and_oai_as_before(stack):
    """PostgreSQL holds everything of record: after a restore, reindex and oai_render bring
    back the same search answers and OAI-PMH records (search and renderings are derived)."""
    base, folder, manage = stack["base"], stack["dir"], stack["manage"]
    manage("reindex", "--no-progress")
    manage("oai_render")
    before = _answers(base)
    assert before["q=outage"][0] == 8 and len(before["oai"]) == 8
    env = {"PORTAL_PROD_DIR": str(folder), "PORTAL_PROD_PG_PORT": str(PG_PORT)}
    out = run_script("backup", str(folder / "portal.dump"), env=env)
    assert f"BACKUP {folder / 'portal.dump'}" in out
    # Disaster: the catalogue and its derived copies are gone.
    manage("shell", "-c", "from catalogue.models import Dataset; Dataset.objects.all().delete()")
    manage("reindex", "--drop")
    assert http_get(f"{base}/api/v1/search?q=outage")[0] in (200, 503)
    out = run_script("restore", str(folder / "portal.dump"), env=env)
    assert "RESTORED" in out
    manage("reindex", "--no-progress")
    manage("oai_render")
    assert _answers(base) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_without_elasticsearch_search_says_503_and_the_rest_works(client, settings):
    """Elasticsearch unreachable: search answers 503 (page and API) while landing pages,
    dataset pages, OAI-PMH and downloads keep working."""
    from catalogue.models import Status
    from catalogue.search.connection import _client
    from catalogue.services.files import dataset_files_register, scan_folder
    from catalogue.storage import dataset_folder
    from tests.factories import make_dataset

    ds = make_dataset(status=Status.PUBLISHED, title="Search is down drill")
    folder = dataset_folder(ds.storage_folder)
    folder.mkdir(parents=True)
    (folder / "data.txt").write_bytes(b"payload")
    dataset_files_register(dataset=ds, files=scan_folder(ds.storage_folder))
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{_free_port()},http://127.0.0.1:{_free_port()}"
    _client.cache_clear()
    try:
        assert client.get("/search/?q=drill").status_code == 503
        api = client.get("/api/v1/search?q=drill")
        assert api.status_code == 503 and api["Retry-After"]
        assert client.get(f"/doi/{urllib.parse.quote(ds.doi)}").status_code == 200
        assert client.get(f"/datasets/{ds.pid}/", follow=True).status_code == 200
        oai = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
        assert oai.status_code == 200
        assert b"Search is down drill" in b"".join(oai.streaming_content)
        download = client.get(f"/datasets/{ds.pid}/files/data.txt")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"payload"
        assert client.get("/readyz").status_code == 503
    finally:
        _client.cache_clear()
