#!/usr/bin/env python
"""import_scicat benchmark: 10,000 published SciCat datasets (20 files each) from a file.

    .venv/bin/python benchmarks/ingest_scicat.py                 # 10,000 datasets
    .venv/bin/python benchmarks/ingest_scicat.py --count 1000    # a quick run

Writes a SciCat export (a JSON array as GET /api/v3/Datasets returns it, with origdatablocks)
to a temporary file, empties a dedicated PostgreSQL database (``portal_scicat_bench`` on the
server of PORTAL_DATABASE_URL; created if missing, migrated), then runs the import the way
``manage.py import_scicat --file`` does, in this process, timing every record (create or
update through the one writer, files through the files service, the lifecycle moves to
published). Search indexing and OAI-PMH rendering are queued after each commit: to the Redis
broker of PORTAL_BROKER_URL when set (the queue is purged afterwards; no worker runs, so the
measurement is the import's own cost), in-process otherwise. A second run over the same file
measures the idempotent no-op. Then, side by side in the same database and the same minute,
``--compare`` new records (default 1,000) are imported twice more in alternating halves:
inserted published (what the import does) and created as drafts, then moved to published by
the chunk's one batch system move (the path before), for the ratio. Results replace the
``scicat-import`` section of docs/performance.md. Only loopback is contacted.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from perfdoc import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
TARGET = 500.0  # datasets/s (issue 10, Performance)
TECHNIQUES = ["PaNET01188", "PaNET01012", "PaNET01127"]


def bench_database_url(name: str = "portal_scicat_bench") -> str:
    base = os.environ.get("PORTAL_DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set PORTAL_DATABASE_URL to a PostgreSQL server (make services prints one).")
    if not name.replace("_", "").isalnum():
        sys.exit("--database: letters, digits and _ only")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def export(count: int, files: int, prefix: str = "PID.bench") -> list[dict]:
    items = []
    for n in range(count):
        items.append(
            {
                "pid": f"{prefix}/{n:08d}",
                "type": "raw" if n % 4 else "derived",
                "datasetName": f"Benchmark dataset {n}",
                "description": "A dataset of the import benchmark, with scientific metadata.",
                "owner": f"Person {n % 97}",
                "ownerEmail": f"person{n % 97}@example.org",
                "contactEmail": f"person{n % 97}@example.org",
                "principalInvestigator": f"Person {n % 97}",
                "creationLocation": f"beamline-{n % 12}",
                "creationTime": f"2023-{1 + n % 12:02d}-{1 + n % 27:02d}T08:00:00Z",
                "sourceFolder": f"/data/bench/{n // 1000}/{n}",
                "ownerGroup": f"proposal-{n % 50}",
                "accessGroups": [f"collab-{n % 7}"],
                "keywords": ["benchmark", f"series-{n % 10}"],
                "techniques": [{"pid": TECHNIQUES[n % 3], "name": "technique"}],
                "scientificMetadata": {
                    "energy": {"value": 12.4 + n % 5, "unit": "keV"},
                    "run": n,
                },
                "proposalId": f"2023{n % 50:04d}",
                "isPublished": True,
                "datasetlifecycle": {"dateOfPublishing": "2024-01-01T00:00:00Z"}
                if n % 10 == 0
                else {},
                "createdAt": "2023-01-01T00:00:00Z",
                "origdatablocks": [
                    {
                        "_id": f"block-{n}",
                        "size": files * 1000,
                        "chkAlg": "sha256",
                        "dataFileList": [
                            {
                                "path": f"scan_{f:04d}.nxs",
                                "size": 1000,
                                "time": "2023-01-01T00:00:00Z",
                                "chk": f"{n:032x}{f:032x}",
                            }
                            for f in range(files)
                        ],
                    }
                ],
            }
        )
    return items


def run(items: list[dict], jobs: int = 1) -> tuple[dict, float, list[float]]:
    import resource

    from scicat.importing import import_datasets

    times: list[float] = []
    last = [time.perf_counter()]

    def on_record(outcome, pid, reason):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now
        if reason:
            print(f"rejected {pid}: {reason}", file=sys.stderr)

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    start, cpu, child = time.perf_counter(), time.process_time(), children()
    summary = import_datasets(items, on_record=on_record, jobs=jobs)
    # This process's CPU time and its --jobs workers' (PostgreSQL's is apart).
    run.cpu = time.process_time() - cpu + children() - child
    return dict(summary.counts), time.perf_counter() - start, times


class draft_then_move:
    """The import's publication as it was before records were inserted published: created as
    drafts, then the chunk's one batch system move draft -> published (an UPDATE per row)."""

    def __enter__(self):
        from catalogue.models import Status
        from catalogue.services import lifecycle
        from scicat import importing

        self.importing, self.real = importing, importing.datasets_create_many
        real = self.real

        def create(*, items, files, actor, published, published_comment=""):
            datasets = real(items=items, files=files, actor=actor)
            lifecycle.datasets_move_as_system(
                datasets=[ds for ds, p in zip(datasets, published, strict=True) if p],
                to=Status.PUBLISHED, comment=published_comment,
            )  # fmt: skip
            return datasets

        importing.datasets_create_many = create
        return self

    def __exit__(self, *exc):
        self.importing.datasets_create_many = self.real


ONE, OLD = "inserted published", "draft, then moved"


def compare(count: int, files: int) -> dict[str, tuple[int, float]]:
    """(records, seconds) of the two paths, alternating halves."""
    out = {ONE: [0, 0.0], OLD: [0, 0.0]}
    half = max(1, count // 2)
    for round_ in range(2):
        for name in (ONE, OLD):
            items = export(half, files, prefix=f"PID.cmp{round_}{name[:3]}")
            if name == OLD:
                with draft_then_move():
                    counts, seconds, _ = run(items)
            else:
                counts, seconds, _ = run(items)
            assert counts == {"created": half}, counts
            out[name][0] += half
            out[name][1] += seconds
    return {k: (n, s) for k, (n, s) in out.items()}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument(
        "--compare",
        type=int,
        default=1000,
        help="records per path in the side-by-side comparison (0: none)",
    )
    parser.add_argument(
        "--jobs",
        default="",
        help="import_scicat --jobs (default: the command's default); several, comma-separated "
        "(e.g. 1,2), are run one after another, each into a fresh database, side by side",
    )
    parser.add_argument("--no-write", action="store_true", help="Do not touch performance.md")
    parser.add_argument("--database", default="portal_scicat_bench",
                        help="database to (re)create for the run")  # fmt: skip
    args = parser.parse_args()

    url = bench_database_url(args.database)
    fresh_database(url)
    os.environ["PORTAL_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    items = export(args.count, args.files)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(items, handle)
        path = handle.name
    size_mb = os.path.getsize(path) / 2**20
    from scicat.importing import file_items

    load_start = time.perf_counter()
    items = file_items(path)
    load_s = time.perf_counter() - load_start
    os.unlink(path)

    from django.db import connections

    from scicat.importing import default_jobs

    jobs_list = [int(j) for j in args.jobs.split(",") if j.strip()] or [default_jobs()]
    runs = []  # (jobs, load before, first (counts, s, times, cpu), second (…), load after)
    for n, jobs in enumerate(jobs_list):
        if n:  # each --jobs value into an empty database, as the first
            connections.close_all()
            fresh_database(url)
        before = os.getloadavg()
        first = (*run(items, jobs), run.cpu)
        second = (*run(items, jobs), run.cpu)
        runs.append((jobs, before, first, second, os.getloadavg()))
    load_avg, load_mid = runs[0][1], runs[-1][4]
    side = compare(args.compare, args.files) if args.compare else {}
    load_after = os.getloadavg()
    if settings.BROKER_URL:
        from portal.celery import app

        app.control.purge()
    broker = "queued to Redis (no worker running)" if settings.BROKER_URL else "in-process"
    from scicat.importing import CHUNK

    def chunks(times: list[float]) -> list[float]:
        return [sum(times[k : k + CHUNK]) for k in range(0, len(times), CHUNK)]

    def row(name, counts, seconds, rate, times, cpu) -> str:
        c = chunks(times)
        return (
            f"| {name} | {counts} | **{rate:,.0f}** | {seconds:.1f} | {pct(c, 0.5):,.0f} | "
            f"{pct(c, 0.95):,.0f} | {cpu:.1f} | {len(items) / cpu if cpu else 0:,.0f} | "
            f"&ge; {TARGET:.0f}/s | {rate / TARGET:.2f} |"
        )

    rows = []
    for jobs, _, first, second, _ in runs:
        rows.append(row(f"first, --jobs {jobs} (create + publish)", first[0], first[1],
                        len(items) / first[1], first[2], first[3]))  # fmt: skip
        rows.append(row(f"second, --jobs {jobs} (unchanged)", second[0], second[1],
                        len(items) / second[1], second[2], second[3]))  # fmt: skip
    jobs_text = ""
    if len(runs) > 1:
        base = len(items) / runs[0][2][1]
        jobs_text = "\nSide by side (`--jobs " + args.jobs + "`, one after another, each into an "
        jobs_text += (
            "empty database): "
            + "; ".join(
                f"--jobs {j}: **{len(items) / f[1]:,.0f} datasets/s** first run "
                f"({(len(items) / f[1]) / base:.2f}x --jobs {runs[0][0]}; load average "
                f"{b[0]:.2f} before, {a[0]:.2f} after)"
                for j, b, f, _, a in runs
            )
            + ".\n"
        )
    side_text = ""
    if side:
        (n1, s1), (n4, s4) = side[ONE], side[OLD]
        side_text = f"""
Side by side (`--compare {args.compare}`: {n1:,} new records per path into the same database
after the runs above, alternating halves; load average {load_mid[0]:.2f} before,
{load_after[0]:.2f} after): inserted published **{n1 / s1:,.0f} datasets/s**, draft then
moved **{n4 / s4:,.0f} datasets/s**; inserted published / draft then moved:
**{(n1 / s1) / (n4 / s4):.2f}x**.
"""

    cmd_jobs = f" --jobs {args.jobs}" if args.jobs else ""
    body = f"""## SciCat import (`benchmarks/ingest_scicat.py`)

`import_scicat --file` of {len(items):,} published SciCat datasets with {args.files} files each
(one origdatablock; {size_mb:.0f} MiB of JSON, parsed in {load_s:.1f} s), into an empty
PostgreSQL database, in this process (`scicat.importing.import_datasets`, what the command
runs). New records go in chunks of {CHUNK}, one transaction each: the batch writer
(`datasets_create_many`, files by COPY) inserting what the source published as published:
the lifecycle's system move "imported as published" made as the rows go in
(`datasets_publish_new_as_system`: one event per record, from draft; DOIs and the concepts
with their concept DOIs drawn together; version 1; each row written once), then the SciCat-side records with their source hash; a chunk with a
bad record is imported record by record instead, so each gets its own outcome. The second run compares each record's
stored source hash (and that the dataset was not changed here since) and writes nothing.
Search indexing and OAI-PMH rendering after commit: {broker}.

- Machine: {machine()}; load average {load_avg[0]:.2f} before, {load_mid[0]:.2f} after
  (2 cores shared with other work).
- Command: `.venv/bin/python benchmarks/ingest_scicat.py --count {len(items)}{cmd_jobs}`
- CPU s: the importer's CPU time, this process's and its `--jobs` workers' (PostgreSQL's own
  is apart); datasets per CPU-second is the importer's cost, whatever else shared the machine.
- `--jobs N` (> 1): the chunks go to N forked worker processes, each its own connection and
  one transaction per chunk; this process collects the outcomes.

p50/p95: time per chunk of {CHUNK} records (a chunk is one transaction; its records are
committed together, so a per-record time inside a chunk would say nothing); with `--jobs` > 1,
the time between the arrivals of finished chunks.

| run | outcome | datasets/s | total s | p50 ms/chunk of {CHUNK} | p95 ms/chunk | CPU s | datasets per CPU-s | target | ratio |
|---|---|---:|---:|---:|---:|---:|---:|---|---:|
{chr(10).join(rows)}
{jobs_text}{side_text}"""  # noqa: E501
    print(body)
    if not args.no_write:
        write_section("scicat-import", body)


if __name__ == "__main__":
    main()
