#!/usr/bin/env python
"""DOI registration benchmark: 10,000 publications against the DataCite stand-in, under
DataCite's rate limit (3,000 requests per 5 minutes), with the limit honoured.

    .venv/bin/python benchmarks/doi.py                      # 10,000, window scaled 10x (30 s)
    .venv/bin/python benchmarks/doi.py --scale 1            # DataCite's real 5-minute window
    .venv/bin/python benchmarks/doi.py --count 2000 --scale 30   # a quick run

It fills a dedicated PostgreSQL database (``portal_doi_bench`` on the server of
PORTAL_DATABASE_URL; created if missing) with ``count`` published datasets whose DOIs are
reserved but not yet registered, starts the stand-in (tests/doi/standin.py, which validates
every payload and answers 429 above ``limit`` requests in any sliding window of ``window``
seconds) in its own process, and runs ``workers`` worker processes calling ``doi_sync`` (the
service the Celery task calls: GET /dois/{doi} → 404, then PUT with event=publish) through one
token bucket in Redis (PORTAL_BROKER_URL) shared by all of them. It reports the total time
against the minimum the limit allows, the most requests seen in any window, the 429s, and
p50/p95 of one registration; results replace the ``doi`` section of docs/performance.md.
Only loopback is contacted.
"""

import argparse
import datetime
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from perfdoc import machine, write_section  # noqa: E402

LIMIT = 3000
WINDOW = 300.0
BENCH = "doi-bench"


def bench_database_url() -> str:
    base = os.environ.get("PORTAL_DATABASE_URL", "postgres://portal:portal@127.0.0.1:25432/portal")
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("PORTAL_DATABASE_URL must point to PostgreSQL.")
    return urlunsplit(parts._replace(path="/portal_doi_bench"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'portal_doi_bench'"
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE portal_doi_bench OWNER "{parts.username}"')


def django_setup(settings_overrides: dict) -> None:
    os.environ.update(settings_overrides)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)


# --------------------------------------------------------------------------- data
def prepare(count: int) -> list[int]:
    """``count`` published datasets with reserved, unregistered DOIs; their registration ids."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from catalogue.models import Creator, Dataset, Facility, Instrument, Status
    from doi.identifiers import new_doi
    from doi.models import DoiRegistration

    call_command("migrate", verbosity=0)
    facility, _ = Facility.objects.get_or_create(
        code="bench",
        defaults={"name": "Benchmark Light Source", "ror": "https://ror.org/01js2sh04"},
    )
    instrument, _ = Instrument.objects.get_or_create(
        facility=facility, code="id01", defaults={"name": "ID01 diffraction"}
    )
    have = Dataset.objects.filter(storage_folder__startswith=BENCH).count()
    now = timezone.now()
    with transaction.atomic():
        new = [
            Dataset(
                title=f"Benchmark dataset {i}: strain mapping of sample {i % 97}",
                description="Bragg coherent diffraction imaging of a strained nanocrystal.",
                publisher="Benchmark Light Source",
                publication_year=2026,
                facility=facility,
                instrument=instrument,
                storage_folder=f"{BENCH}/{i}",
                keywords=["BCDI", "strain"],
                status=Status.PUBLISHED,
                published_at=now,
                doi=new_doi(prefix="10.80001", template="{random}", facility_code="bench"),
            )
            for i in range(have, count)
        ]
        Dataset.objects.bulk_create(new, batch_size=1000)
        created = Dataset.objects.filter(storage_folder__startswith=BENCH, creators__isnull=True)
        Creator.objects.bulk_create(
            [Creator(dataset_id=pk, position=0, name="Okafor, Amara") for pk in
             created.values_list("pk", flat=True)],
            batch_size=1000,
        )  # fmt: skip
        missing = Dataset.objects.filter(
            storage_folder__startswith=BENCH, doi_registration__isnull=True
        ).values_list("pk", "doi")
        DoiRegistration.objects.bulk_create(
            [DoiRegistration(dataset_id=pk, doi=doi) for pk, doi in missing], batch_size=1000
        )
    registrations = DoiRegistration.objects.filter(dataset__storage_folder__startswith=BENCH)
    # Every run starts from "reserved, never sent" (the stand-in starts empty).
    registrations.update(
        state="reserved", availability_checked=False, metadata_checksum="", pending=True,
        attempts=0, failed=False, last_error="", error_kind="", last_synced=None,
    )  # fmt: skip
    return list(registrations.order_by("pk").values_list("pk", flat=True)[:count])


# --------------------------------------------------------------------------- processes
def standin_process(conn, limit: int, window: float) -> None:
    from tests.doi.standin import DataCiteStandIn

    server = DataCiteStandIn(prefixes=("10.80001",), limit=limit, window=window).start()
    conn.send(server.url)
    conn.recv()  # "stats"
    times = sorted(t for t, _method, _path, status in server.requests)
    states: dict[str, int] = {}
    for stored in server.dois.values():
        states[stored.state] = states.get(stored.state, 0) + 1
    conn.send(
        {
            "times": times,
            "statuses": [status for *_, status in server.requests],
            "rate_limited": server.rate_limited,
            "states": states,
            "problems": server.problems[:5],
        }
    )
    server.stop()


def worker_process(env: dict, ids: list[int], out) -> None:
    django_setup(env)
    from django.conf import settings

    from doi.models import DoiRegistration
    from doi.services import doi_sync
    from doi.tasks import datacite_client

    client = datacite_client()
    durations, outcomes, requests = [], {}, 0
    for pk in ids:
        registration = DoiRegistration(pk=pk)
        for _attempt in range(settings.DATACITE_MAX_ATTEMPTS):
            started = time.perf_counter()
            result = doi_sync(registration=registration, client=client)
            durations.append(time.perf_counter() - started)
            requests += result.requests
            if result.outcome != "retry":
                break
            time.sleep(min(result.retry_in or 0, 5))
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    out.put({"durations": durations, "outcomes": outcomes, "requests": requests})


def max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=10.0, help="window = 300 s / scale")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()
    window = WINDOW / args.scale
    broker = os.environ.get("PORTAL_BROKER_URL", "")
    if not broker.startswith("redis://"):
        sys.exit("PORTAL_BROKER_URL must point to Redis (the shared token bucket lives there).")
    db_url = bench_database_url()
    ensure_database(db_url)
    mp.set_start_method("fork")
    parent, child = mp.Pipe()
    standin = mp.Process(target=standin_process, args=(child, LIMIT, window), daemon=True)
    standin.start()
    url = parent.recv()
    env = {
        "PORTAL_DATABASE_URL": db_url,
        "PORTAL_DATACITE_ENABLED": "true",
        "PORTAL_DATACITE_URL": url,
        "PORTAL_DATACITE_REPOSITORY_ID": "TEST.PORTAL",
        "PORTAL_DATACITE_PASSWORD": "secret",
        "PORTAL_DATACITE_PREFIX": "10.80001",
        "PORTAL_DATACITE_RATE_LIMIT": str(LIMIT),
        "PORTAL_DATACITE_RATE_WINDOW": str(window),
        "PORTAL_DATACITE_BACKOFF_BASE": "1",
        "PORTAL_DATACITE_TIMEOUT": "30",
        "PORTAL_BASE_URL": "https://data.example.org",
    }
    django_setup(env)
    print(f"preparing {args.count:,} published datasets in portal_doi_bench…", flush=True)
    ids = prepare(args.count)
    from django.db import connections

    from doi.tasks import rate_limiter

    rate_limiter().reset()  # a full bucket, as after a quiet period
    connections.close_all()
    print(f"registering with {args.workers} workers, window {window:g} s…", flush=True)
    out: mp.Queue = mp.Queue()
    started = time.monotonic()
    workers = [
        mp.Process(target=worker_process, args=(env, ids[k :: args.workers], out))
        for k in range(args.workers)
    ]
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    parent.send("stats")
    stats = parent.recv()
    standin.join(timeout=10)

    durations = sorted(d for r in results for d in r["durations"])
    outcomes: dict[str, int] = {}
    for r in results:
        for key, n in r["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + n
    total_requests = len(stats["times"])
    peak = max_in_window(stats["times"], window)
    # Sliding window: N requests need at least ceil(N / limit) - 1 full windows; the steady
    # rate limit / window needs N * window / limit.
    floor_windows = max(0, -(-total_requests // LIMIT) - 1) * window
    steady = total_requests * window / LIMIT
    p50 = statistics.median(durations)
    p95 = durations[int(0.95 * (len(durations) - 1))]
    lines = [
        f"- Machine: {machine()}; load average at the end of the run "
        f"{os.getloadavg()[0]:.1f} (2 cores shared with other work).",
        f"- Run: `benchmarks/doi.py --count {args.count} --scale {args.scale:g} "
        f"--workers {args.workers}` on {datetime.date.today().isoformat()}: "
        f"{args.count:,} published datasets, DataCite's limit of {LIMIT:,} requests per "
        f"{WINDOW:g} s scaled to {LIMIT:,} per {window:g} s.",
        f"- Registered: {stats['states']} at the stand-in; outcomes {outcomes}; "
        f"{total_requests:,} requests (GET 404 check + PUT publish per DOI).",
        f"- Most requests in any {window:g} s window: **{peak:,}** (limit {LIMIT:,}); "
        f"429 answers: **{stats['rate_limited']}**; payload problems: {stats['problems'] or 0}.",
        f"- Total time **{elapsed:.1f} s**; minimum the limit allows: {floor_windows:.1f} s "
        f"(sliding window, a full burst at the start) / {steady:.1f} s at the steady rate "
        f"{LIMIT / window:.1f} req/s: ratio **{elapsed / steady:.3f}** against the steady rate.",
        f"- One registration (`doi_sync`: snapshot, XML, XSD check, GET and PUT, waits for "
        f"tokens included): p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms.",
        "- 10,000 DOIs need 20,000 requests, i.e. at least 33 minutes at 3,000 per 5 minutes; "
        "on DataCite's test system (≤ 750 per 5 minutes) four times that: set "
        "PORTAL_DATACITE_RATE_LIMIT=750 there.",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_doc:
        path = write_section("doi", "## DOI registration under DataCite's rate limit\n\n" + report)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
