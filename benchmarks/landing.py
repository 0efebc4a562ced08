#!/usr/bin/env python
"""Benchmark: server-side time of DOI landing pages with 10, 1,000 and 100,000 files.

    .venv/bin/python benchmarks/landing.py [--requests 200] [--keep] [--no-write]

Builds three published datasets (facility "bench-landing") in the database PORTAL_DATABASE_URL
points to, then times GET /doi/<doi> through Django's test client: the whole server side
(URL routing, middleware, access gate, queries, citation, JSON-LD, Signposting headers,
template rendering), no network and no browser. Also times the streamed Metalink manifest of
the 100,000-file dataset. Results go to docs/performance.md between the landing markers.
The datasets are deleted afterwards unless --keep (then a rerun reuses them).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from perfdoc import machine, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Persistent database connections, as the production mode runs (PORTAL_DB_CONN_MAX_AGE=60).
os.environ.setdefault("PORTAL_DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from catalogue.models import Creator, Dataset, Facility, Instrument, Status  # noqa: E402
from catalogue.services.files import FileRecord, dataset_files_register  # noqa: E402

SIZES = (10, 1_000, 100_000)
FACILITY = "bench-landing"
TARGET_MS = 20.0  # the target: p50 below 20 ms at 1,000 files


def dataset_with(n: int) -> Dataset:
    facility, _ = Facility.objects.get_or_create(code=FACILITY, defaults={"name": "Benchmark"})
    instrument, _ = Instrument.objects.get_or_create(
        code=f"{FACILITY}-i", defaults={"facility": facility, "name": "Benchmark instrument"}
    )
    doi = f"{settings.DATACITE_PREFIX}/bench.landing-{n}"
    dataset = Dataset.objects.filter(doi=doi).first()
    if dataset is not None and dataset.file_count == n:
        return dataset
    if dataset is not None:
        dataset.delete()
    dataset = Dataset.objects.create(
        doi=doi,
        title=f"Benchmark dataset with {n:,} files",
        description="A dataset for the landing page benchmark. " * 20,
        publisher="Benchmark facility",
        publication_year=2024,
        facility=facility,
        instrument=instrument,
        keywords=["benchmark", "tomography", "SAXS"],
        scientific_metadata={f"parameter_{i}": {"value": i * 1.5, "unit": "mm"} for i in range(40)},
        storage_folder=f"bench/{n}",
        status=Status.PUBLISHED,
    )
    Dataset.objects.filter(pk=dataset.pk).update(
        published_at=django.utils.timezone.now(), status=Status.PUBLISHED
    )
    for i in range(6):
        Creator.objects.create(
            dataset=dataset, position=i, name=f"Author{i}, A.", family_name=f"Author{i}",
            given_name="A.", orcid="0000-0002-1825-0097",
        )  # fmt: skip
    started = time.monotonic()
    print(f"  registering {n:,} files…", file=sys.stderr, flush=True)
    dataset_files_register(
        dataset=dataset,
        files=(
            FileRecord(
                path=f"scan/{i // 1000:03d}/frame_{i:06d}.h5",
                size=1_000_000 + i,
                checksum=hashlib.sha256(str(i).encode()).hexdigest(),
                media_type="application/x-hdf5",
            )
            for i in range(n)
        ),
        batch_size=10_000,
    )
    print(f"  … in {time.monotonic() - started:.1f} s", file=sys.stderr)
    dataset.refresh_from_db()
    return dataset


def count_queries(client: Client, path: str) -> int:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    return len(executed)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def time_requests(client: Client, path: str, n: int, **headers) -> list[float]:
    timings = []
    for i in range(n):
        started = time.perf_counter()
        response = client.get(path, **headers)
        if response.streaming:
            for _ in response.streaming_content:
                pass
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        if (i + 1) % 50 == 0:
            print(f"    {i + 1}/{n}", file=sys.stderr, flush=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per size")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark datasets")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args()
    n_requests = max(10, min(args.requests, 2000))  # bounded
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    rows = []
    datasets = []
    print(f"Database: {connection.vendor}", file=sys.stderr)
    for n in SIZES:
        print(f"Dataset with {n:,} files", file=sys.stderr)
        datasets.append(dataset_with(n))
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum leaves them in a running portal: right after a bulk
        # insert the planner would otherwise sort 100,000 rows instead of walking the
        # (dataset, path) index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalogue_datafile")
    for n, dataset in zip(SIZES, datasets, strict=True):
        path = f"/doi/{dataset.doi}"
        time_requests(client, path, 5)  # warm-up: caches, citation style parsing
        queries = count_queries(client, path)
        print(f"  timing {n_requests} requests", file=sys.stderr)
        timings = time_requests(client, path, n_requests)
        rows.append((n, statistics.median(timings), percentile(timings, 95),
                     percentile(timings, 99), queries))  # fmt: skip
    big = datasets[-1]
    print("Streaming the Metalink of 100,000 files (3 times)", file=sys.stderr)
    stream = time_requests(client, f"/doi/{big.doi}/manifest.meta4", 3)
    negotiated = time_requests(
        client, f"/doi/{datasets[1].doi}", 50, HTTP_ACCEPT="application/vnd.datacite.datacite+xml"
    )
    if not args.keep:
        for dataset in datasets:
            dataset.delete()
        Instrument.objects.filter(code=f"{FACILITY}-i").delete()
        Facility.objects.filter(code=FACILITY).delete()

    p50_1000 = rows[1][1]
    lines = [
        "## DOI landing pages (`benchmarks/landing.py`)",
        "",
        f"Machine: {machine()}; Python {platform.python_version()}, Django {django.__version__},"
        f" database {connection.vendor}. Server-side time of `GET /doi/<doi>` through Django's"
        f" test client in one process (routing, middleware, access gate, queries, citation,"
        f" JSON-LD, Signposting headers, template; no network), anonymous, persistent database"
        f" connection (CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}, as in"
        f" production), {n_requests} requests after 5 warm-up requests; the page shows the"
        f" first {settings.LANDING_FILES_PAGE_SIZE} files.",
        "",
        "| files | p50 (ms) | p95 (ms) | p99 (ms) | queries |",
        "|---:|---:|---:|---:|---:|",
        *[f"| {n:,} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {q} |" for n, p50, p95, p99, q in rows],
        "",
        f"Target: p50 < {TARGET_MS:.0f} ms at 1,000 files: measured {p50_1000:.1f} ms"
        f" ({p50_1000 / TARGET_MS:.2f} of the target, "
        f"{'met' if p50_1000 < TARGET_MS else 'NOT met'}).",
        "",
        f"Content negotiation (`Accept: application/vnd.datacite.datacite+xml`, 1,000 files):"
        f" p50 {statistics.median(negotiated):.1f} ms. Streaming the Metalink manifest of"
        f" 100,000 files: {statistics.median(stream) / 1000:.1f} s (median of 3), in flat memory.",
        "",
        f"Rerun: `.venv/bin/python benchmarks/landing.py` (measured {time.strftime('%Y-%m-%d')}).",
    ]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    written = write_section("landing", section)
    print(f"Wrote {written.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
