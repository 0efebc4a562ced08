#!/usr/bin/env python
"""Ingestion benchmark: datasets with files created through /api/v1 by parallel clients.

    .venv/bin/pip install -e ".[bench]"                   # gunicorn
    .venv/bin/python benchmarks/ingest.py                 # 2,000 datasets, 4 clients, 100k files
    .venv/bin/python benchmarks/ingest.py --datasets 400 --big-files 20000   # a quick run

It uses a dedicated PostgreSQL database (``portal_ingest_bench`` on the server of
PORTAL_DATABASE_URL; created and migrated if missing), creates an ingestor account with a write
token, starts the portal under gunicorn on 127.0.0.1 (``--port``, default 28200) with the Celery
broker of PORTAL_BROKER_URL, so search indexing and OAI-PMH rendering are queued after each
commit exactly as in production (the queued tasks are purged at the end), and then

1. ``--clients`` processes (4) each create datasets one by one as a simple ingestor does:
   ``POST /api/v1/datasets`` (a full record: creators, technique, instrument, scientific
   metadata), then ``POST /api/v1/datasets/<pid>/files`` with ``--files`` (20) files
   (``--datasets`` in all);
2. the same clients create ``--batch-datasets`` datasets with the same files through
   ``POST /api/v1/datasets/batch``, ``--batch-size`` (500) records with their files per
   request;
3. one dataset gets ``--big-files`` (100,000) files in requests of 10,000 (the API's limit).

Rates are datasets per second of wall time over all clients; latencies are per request. Each
phase also reports the gunicorn workers' CPU time (from /proc), so "datasets per server
CPU-second" says what the code costs whatever else shares the machine. ``--compare DIR`` runs
phases 1 and 3 against the code of another checkout (e.g. /work/main, the code before the
batch path) in the same run, for a side-by-side ratio.

Targets (issue 10): >= 500 datasets/s, < 30 s for 3. Results replace the ``ingest`` section
of docs/performance.md. Only loopback is contacted; every loop is bounded.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.perfdoc import machine, write_section  # noqa: E402

TARGET_DATASETS_PER_SECOND = 500
TARGET_BIG_SECONDS = 30
FILES_PER_REQUEST = 10_000
DB_NAME = "portal_ingest_bench"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def bench_database_url(name: str = DB_NAME) -> str:
    base = os.environ.get("PORTAL_DATABASE_URL", "postgres://portal:portal@127.0.0.1:25432/portal")
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("PORTAL_DATABASE_URL must point to PostgreSQL.")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark only talks to a loopback PostgreSQL.")
    return urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str) -> None:
    """A fresh, empty database for each run (tables of the same size for every run)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")


def server_env(db_url: str, broker: str) -> dict:
    env = dict(os.environ)
    env.update(
        PORTAL_DATABASE_URL=db_url,
        PORTAL_BROKER_URL=broker,
        PORTAL_DEBUG="false",
        PORTAL_LOG_LEVEL="WARNING",
        # Persistent connections, as in production (portal/settings/database.py).
        PORTAL_DB_CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def prepare(env: dict) -> str:
    """Migrate, and make the ingestor account, its group, an instrument; returns a token."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    os.environ.update({k: env[k] for k in ("PORTAL_DATABASE_URL", "PORTAL_BROKER_URL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from catalogue.models import Facility, Instrument
    from portal.tokens import api_token_create

    group, _ = Group.objects.get_or_create(name="bench-p-1")
    user, _ = get_user_model().objects.get_or_create(username="bench-ingestor")
    user.groups.add(group)
    facility, _ = Facility.objects.get_or_create(code="bench", defaults={"name": "Bench source"})
    Instrument.objects.get_or_create(code="bench-p03", defaults={"facility": facility,
                                                                 "name": "Bench P03"})  # fmt: skip
    _, secret = api_token_create(owner=user, name=f"bench {time.time():.0f}", scope="write")
    return secret


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of its children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def start_server(
    port: int, env: dict, workers: int, threads: int, root: Path = ROOT
) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--keep-alive", "60", "--log-level", "warning", "--timeout", "120"],
        cwd=root, env={**env, "PYTHONPATH": str(root)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up (is the port free?)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(1.0)
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def dataset_body(client: int, i: int, run: str) -> dict:
    return {
        "title": f"Bench {run} client {client} scan {i}",
        "description": "Raw detector frames of a benchmark scan.",
        "creators": [{"name": "Okafor, Amara", "orcid": "0000-0002-1825-0097"}],
        "techniques": ["PaNET01188"],
        "instrument": "bench-p03",
        "owner_group": "bench-p-1",
        "storage_folder": f"bench/{run}/{client}/{i}",
        "keywords": ["benchmark", "saxs"],
        "scientific_metadata": {
            "temperature": {"value": 293 + i % 10, "unit": "K"},
            "exposure_time": {"value": 0.1, "unit": "s"},
        },
    }


def files_body(n: int, prefix: str = "raw/frame") -> dict:
    return {"files": [{"path": f"{prefix}_{k:06d}.h5", "size": 1_048_576 + k, "checksum": SHA}
                      for k in range(n)]}  # fmt: skip


def client_loop(args: tuple) -> dict:
    """One ingestor: create ``count`` datasets with files; returns latencies (s)."""
    import requests

    port, secret, client, count, files, run, warmup = args
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {secret}",
                            "Content-Type": "application/json"})  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    payload = json.dumps(files_body(files))
    creates, registers, errors = [], [], 0
    started = None
    for i in range(warmup + count):
        if i == warmup:
            started = time.perf_counter()
        t0 = time.perf_counter()
        r = session.post(f"{base}/datasets", data=json.dumps(dataset_body(client, i, run)),
                         timeout=60)  # fmt: skip
        t1 = time.perf_counter()
        if r.status_code != 201:
            errors += 1
            continue
        pid = r.json()["pid"]
        r = session.post(f"{base}/datasets/{pid}/files", data=payload, timeout=60)
        t2 = time.perf_counter()
        if r.status_code != 201:
            errors += 1
        if i >= warmup:
            creates.append(t1 - t0)
            registers.append(t2 - t1)
    return {"creates": creates, "registers": registers, "errors": errors,
            "started": started, "ended": time.perf_counter()}  # fmt: skip


def batch_loop(args: tuple) -> dict:
    """One ingestor sending ``count`` datasets in batches of ``size`` with their files."""
    import requests

    port, secret, client, count, files, run, size = args
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {secret}",
                            "Content-Type": "application/json"})  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/v1/datasets/batch"
    file_list = files_body(files)["files"]

    def body(start: int, n: int) -> str:
        items = [{**dataset_body(client, i, run), "files": file_list}
                 for i in range(start, start + n)]  # fmt: skip
        return json.dumps(items)

    session.post(url, data=body(10_000_000, 1), timeout=120)  # warm-up, unmeasured
    latencies, errors, done = [], 0, 0
    started = time.perf_counter()
    for start in range(0, count, size):
        n = min(size, count - start)
        payload = body(start, n)
        t0 = time.perf_counter()
        r = session.post(url, data=payload, timeout=300)
        latencies.append(time.perf_counter() - t0)
        if r.status_code != 201:
            errors += n
            print(f"batch failed: {r.status_code} {r.text[:300]}", file=sys.stderr)
        else:
            done += r.json()["created"]
    return {"latencies": latencies, "errors": errors, "done": done, "started": started,
            "ended": time.perf_counter()}  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def big_dataset(port: int, secret: str, total: int, run: str) -> dict:
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {secret}",
                            "Content-Type": "application/json"})  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    r = session.post(f"{base}/datasets", data=json.dumps(dataset_body(99, 0, f"{run}-big")))
    r.raise_for_status()
    pid = r.json()["pid"]
    latencies = []
    t0 = time.perf_counter()
    for start in range(0, total, FILES_PER_REQUEST):
        n = min(FILES_PER_REQUEST, total - start)
        body = {"files": [{"path": f"scan/part_{start + k:07d}.h5", "size": 4096 + k,
                           "checksum": SHA} for k in range(n)]}  # fmt: skip
        t1 = time.perf_counter()
        r = session.post(f"{base}/datasets/{pid}/files", data=json.dumps(body), timeout=300)
        latencies.append(time.perf_counter() - t1)
        if r.status_code != 201:
            raise SystemExit(f"file registration failed: {r.status_code} {r.text[:300]}")
    seconds = time.perf_counter() - t0
    count = session.get(f"{base}/datasets/{pid}/files?page_size=1").json()["count"]
    return {"seconds": seconds, "count": count, "latencies": latencies}


def single_summary(results: list[dict]) -> dict:
    creates = [x for r in results for x in r["creates"]]
    registers = [x for r in results for x in r["registers"]]
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {"done": len(creates), "errors": sum(r["errors"] for r in results), "wall": wall,
            "creates": creates, "registers": registers}  # fmt: skip


def batch_summary(results: list[dict]) -> dict:
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {"done": sum(r["done"] for r in results), "errors": sum(r["errors"] for r in results),
            "wall": wall, "latencies": [x for r in results for x in r["latencies"]]}  # fmt: skip


def report(args, phases: list[dict]) -> str:
    ms = lambda v: f"{v * 1000:,.0f}"  # noqa: E731
    lines = [
        "## Ingestion through /api/v1 (`benchmarks/ingest.py`)",
        "",
        f"Machine: {machine()}; the machine is shared with other work: each row gives the "
        "1-minute load average at its start and end.",
        f"PostgreSQL (loopback), gunicorn {args.workers} gthread workers x {args.threads} "
        f"threads, Celery broker on Redis: search indexing and OAI-PMH rendering are queued "
        "after each commit (no worker consumed them during the run, so the numbers are the "
        "request path; the queue was purged afterwards). Clients and server share the cores. "
        '"Server CPU" is the gunicorn workers\' CPU time during the phase (from /proc): '
        "datasets per server CPU-second is what the code costs per core, whatever else ran.",
        "",
        f"Command: `.venv/bin/python benchmarks/ingest.py --datasets {args.datasets} "
        f"--batch-datasets {args.batch_datasets} --batch-size {args.batch_size} --clients "
        f"{args.clients} --files {args.files} --big-files {args.big_files}"
        + (f" --compare {args.compare}`" if args.compare else "`"),
        "",
        f"| code | how ({args.clients} parallel clients, {args.files} files per dataset) | "
        "datasets | errors | datasets/s | target | ratio | server CPU s | datasets per server "
        "CPU-s | load average |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for ph in phases:
        if ph["kind"] == "big":
            continue
        rate = ph["done"] / ph["wall"] if ph["wall"] else float("nan")
        how = ("POST /datasets + POST …/files, one dataset at a time" if ph["kind"] == "single"
               else f"POST /datasets/batch, {args.batch_size} datasets per request")  # fmt: skip
        lines.append(
            f"| {ph['code']} | {how} | {ph['done']:,} | {ph['errors']} | **{rate:,.0f}** | "
            f">= {TARGET_DATASETS_PER_SECOND} | {rate / TARGET_DATASETS_PER_SECOND:.2f} | "
            f"{ph['cpu']:.1f} | {ph['done'] / ph['cpu'] if ph['cpu'] else float('nan'):,.0f} | "
            f"{ph['load'][0]:.1f} → {ph['load'][1]:.1f} |"
        )
    lines += [
        "",
        f"| code | 100,000-file dataset ({FILES_PER_REQUEST:,} per request) | files | seconds "
        "| target | ratio time/target | server CPU s | load average |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for ph in phases:
        if ph["kind"] == "big":
            lines.append(
                f"| {ph['code']} | {len(ph['latencies'])} requests | {ph['count']:,} | "
                f"**{ph['seconds']:.1f}** | < {TARGET_BIG_SECONDS} s | "
                f"{ph['seconds'] / TARGET_BIG_SECONDS:.2f} | {ph['cpu']:.1f} | "
                f"{ph['load'][0]:.1f} → {ph['load'][1]:.1f} |"
            )
    lines += ["", "| code | request | n | p50 ms | p95 ms |", "|---|---|---:|---:|---:|"]
    for ph in phases:
        rows = []
        if ph["kind"] == "single":
            rows = [("POST /api/v1/datasets", ph["creates"]),
                    (f"POST …/files ({args.files} files)", ph["registers"])]  # fmt: skip
        elif ph["kind"] == "batch":
            rows = [(f"POST /api/v1/datasets/batch ({args.batch_size} datasets, "
                     f"{args.batch_size * args.files:,} files)", ph["latencies"])]  # fmt: skip
        else:
            rows = [(f"POST …/files ({FILES_PER_REQUEST:,} files)", ph["latencies"])]
        for name, values in rows:
            lines.append(
                f"| {ph['code']} | {name} | {len(values):,} | {ms(percentile(values, 50))} | "
                f"{ms(percentile(values, 95))} |"
            )
    lines += ["", WHY]
    return "\n".join(lines)


WHY = """\
How it gets there (profiled in-process with `CaptureQueriesContext` and cProfile). Before, one
dataset cost two requests and about 50 SQL statements (token, look-ups of instrument, group and
each technique, existence checks of every reference again in `full_clean`, the INSERTs, then
the record reloaded for the answer; then the files request: lock, upsert, totals, first page),
each a round trip to a PostgreSQL that shares the two cores. Now:

* **one writer, batch form**: `dataset_create` is `datasets_create_many` for one record. It
  looks each reference up once per call (instrument, facility, groups, PaNET techniques,
  proposal/beamtime), skips `full_clean`'s second existence check of references it looked up
  itself, checks DOIs and alternate identifiers of the whole batch in one query each, and
  writes every table with one statement for all records: datasets, creators, contributors,
  related identifiers, funding, alternate identifiers, technique and group links, and the
  files by `COPY` (psycopg 3), with the records' file count, size and formats computed in
  Python before the insert. `datasets_changed` is called once per request: search indexing
  and OAI-PMH rendering follow as one task per 500 records. `POST /api/v1/datasets/batch`
  runs it for up to 1,000 records with their files (10,000 files) per request; a batch of 50
  costs the same statements as a batch of 2 (a test holds it).
* **files**: validation without pathlib (one regex and a set test per path; the one storage
  path check, `catalogue.storage.relative_path_problem`) and hex checks by regex; the rows go
  by `COPY` into a temporary table and one `INSERT … ON CONFLICT DO UPDATE` (an upsert by
  path, as before), so 10,000 files cost about 0.15 s of server CPU instead of 0.6 s.
* **single POSTs** share the batch writer (fewer look-ups) and persistent connections
  (`PORTAL_DB_CONN_MAX_AGE`, as in production) but still pay two requests and the full record
  in the answer; they are for people and small scripts, the batch endpoint is for ingestors.

Reading the numbers: datasets/s is wall time over all clients on a machine whose load average
was several times its core count; "datasets per server CPU-second" divides by the gunicorn
workers' own CPU time, so it says what one core does when the portal has it (PostgreSQL's
share, on the same cores, is not in it). Both the before and after rows ran in the same run
against the same fresh database. Rerun the command on a quiet machine for absolute numbers."""


def purge_queue(env: dict) -> None:
    celery = Path(sys.executable).with_name("celery")
    subprocess.run([str(celery), "-A", "portal", "purge", "-f"], cwd=ROOT, env=env,
                   check=False, capture_output=True)  # fmt: skip


def run_phases(args, env: dict, secret: str, run: str, root: Path, code: str) -> list[dict]:
    """The phases against one checkout's code, each on a fresh gunicorn."""
    phases = []
    ctx = multiprocessing.get_context("spawn")
    server = start_server(args.port, env, args.workers, args.threads, root)
    try:
        if args.datasets:
            per_client = max(1, args.datasets // args.clients)
            jobs = [(args.port, secret, c, per_client, args.files, f"{run}-{code}", args.warmup)
                    for c in range(args.clients)]  # fmt: skip
            print(f"[{code}] {args.clients} clients x {per_client} datasets, one at a time …")
            load0, cpu0 = os.getloadavg()[0], cpu_seconds(server.pid)
            with ctx.Pool(args.clients) as pool:
                results = pool.map(client_loop, jobs)
            phases.append({"kind": "single", "code": code, **single_summary(results),
                           "cpu": cpu_seconds(server.pid) - cpu0,
                           "load": (load0, os.getloadavg()[0])})  # fmt: skip
        if args.batch_datasets and root == ROOT:
            per_client = max(1, args.batch_datasets // args.clients)
            jobs = [(args.port, secret, 100 + c, per_client, args.files, f"{run}-{code}",
                     args.batch_size) for c in range(args.clients)]  # fmt: skip
            print(f"[{code}] {args.clients} clients x {per_client} datasets in batches …")
            load0, cpu0 = os.getloadavg()[0], cpu_seconds(server.pid)
            with ctx.Pool(args.clients) as pool:
                results = pool.map(batch_loop, jobs)
            phases.append({"kind": "batch", "code": code, **batch_summary(results),
                           "cpu": cpu_seconds(server.pid) - cpu0,
                           "load": (load0, os.getloadavg()[0])})  # fmt: skip
        if args.big_files:
            print(f"[{code}] one dataset with {args.big_files:,} files …")
            load0, cpu0 = os.getloadavg()[0], cpu_seconds(server.pid)
            big = big_dataset(args.port, secret, args.big_files, f"{run}-{code}")
            phases.append({"kind": "big", "code": code, **big,
                           "cpu": cpu_seconds(server.pid) - cpu0,
                           "load": (load0, os.getloadavg()[0])})  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets",
        type=int,
        default=400,
        help="datasets created one at a time, in all (400; 0: skip)",
    )
    parser.add_argument(
        "--batch-datasets",
        type=int,
        default=10_000,
        help="datasets created through the batch endpoint (10,000; 0: skip)",
    )
    parser.add_argument("--batch-size", type=int, default=500,
                        help="datasets per batch (500: 10,000 files at 20 each)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=4, help="parallel clients (4)")
    parser.add_argument("--files", type=int, default=20, help="files per dataset (20)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured datasets per client")
    parser.add_argument("--big-files", type=int, default=100_000, help="files of one dataset")
    parser.add_argument("--port", type=int, default=28200, help="gunicorn port (28200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--compare",
        default="",
        help="another checkout (e.g. /work/main) to measure in the same run",
    )
    parser.add_argument(
        "--broker", default=os.environ.get("PORTAL_BROKER_URL", "redis://127.0.0.1:26379/7")
    )
    parser.add_argument("--database", default=DB_NAME,
                        help=f"database to (re)create for the run ({DB_NAME})")  # fmt: skip
    parser.add_argument("--no-write", action="store_true", help="do not touch the docs")
    args = parser.parse_args()
    if not (
        0 <= args.datasets <= 1_000_000
        and 0 <= args.batch_datasets <= 1_000_000
        and 1 <= args.batch_size <= 1000
        and args.batch_size * args.files <= FILES_PER_REQUEST
        and 1 <= args.clients <= 64
        and 0 <= args.files <= FILES_PER_REQUEST
        and 0 <= args.big_files <= 10_000_000
    ):
        raise SystemExit("out-of-range arguments")  # fmt: skip
    if urlsplit(args.broker).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The benchmark only talks to a loopback broker.")
    if not args.database.replace("_", "").isalnum():
        raise SystemExit("--database: letters, digits and _ only")
    db_url = bench_database_url(args.database)
    ensure_database(db_url)
    env = server_env(db_url, args.broker)
    secret = prepare(env)
    run = uuid.uuid4().hex[:8]
    phases = []
    try:
        if args.compare:
            compare = Path(args.compare).resolve()
            if not (compare / "manage.py").exists():
                raise SystemExit(f"{compare} is not a checkout of the portal")
            old = dict(args.__dict__)
            phases += run_phases(args, env, secret, run, compare, "before")
            args.__dict__.update(old)
        phases += run_phases(args, env, secret, run, ROOT, "after" if args.compare else "this")
    finally:
        purge_queue(env)
    block = report(args, phases)
    print(block)
    if not args.no_write:
        print(f"Wrote {write_section('ingest', block).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
