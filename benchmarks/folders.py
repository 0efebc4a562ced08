#!/usr/bin/env python
"""Benchmark: browsing a 100,000-file dataset by folder (record page, files API, manifests).

    .venv/bin/python benchmarks/folders.py [--requests 100] [--keep] [--no-write]

Builds one published dataset of 100,000 files in 100 folders ``raw/scan_000/`` …
``raw/scan_099/`` of 1,000 frames each, plus ``processed/``, in the database
PORTAL_DATABASE_URL points to, then times every view of the folder navigation through
Django's test client (server side: routing, middleware, access gate, queries, template; no
network). The issue's target is < 200 ms server time for every view at 100,000 files; the
table gives each view's p50/p95 and its ratio to that target. Usage statistics are switched
off while timing (in production recording them is one Redis push after the response).
Results go to docs/performance.md between the ``folders`` markers.
"""

from __future__ import annotations

import argparse
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
os.environ.setdefault("PORTAL_DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from catalogue.models import Dataset, Facility, Status  # noqa: E402
from catalogue.services.files import FileRecord, dataset_files_register  # noqa: E402

N = 100_000
FACILITY = "bench-folders"
DOI = f"{settings.DATACITE_PREFIX}/bench.folders-100000"
TARGET_MS = 200.0
TRIGRAM_INDEX = "datafile_path_upper_trgm"  # catalogue/migrations/0011_datafile_path_trigram
NOTE = (
    "The name filter (`?q=`) is `path__icontains`, which Django writes as"
    " `UPPER(path::text) LIKE UPPER('%…%')`; on PostgreSQL a GIN index with `gin_trgm_ops` on"
    " `UPPER(path)` (migration `0011_datafile_path_trigram`) serves it (a Bitmap Index Scan"
    " instead of a scan of the 100,000 rows; names under three characters still scan). The"
    " other views read the folder index and the (dataset, path) index only."
)
# The name filter's views, measured side by side with and without the trigram index.
NAME_VIEWS = [
    ("`?q=frame_099` (900 matches, in the last folder)", "?q=frame_099"),
    ("`?q=frame_05005` (10 matches)", "?q=frame_05005"),
    ("`?path=raw/scan_050/&q=frame_0505` (in a folder)", "?path=raw/scan_050/&q=frame_0505"),
    ("`?q=calibration` (no match)", "?q=calibration"),
]


def dataset() -> Dataset:
    facility, _ = Facility.objects.get_or_create(code=FACILITY, defaults={"name": "Benchmark"})
    existing = Dataset.objects.filter(doi=DOI).first()
    if existing is not None and existing.file_count == N:
        return existing
    if existing is not None:
        existing.delete()
    ds = Dataset.objects.create(
        doi=DOI, title="Benchmark: 100,000 files in folders", publisher="Benchmark",
        publication_year=2025, facility=facility, storage_folder="bench/folders",
    )  # fmt: skip
    Dataset.objects.filter(pk=ds.pk).update(
        status=Status.PUBLISHED, published_at=django.utils.timezone.now()
    )

    def files():
        for i in range(N - 100):
            yield FileRecord(path=f"raw/scan_{i // 1000:03d}/frame_{i:06d}.h5", size=8_000_000)
        for i in range(100):
            yield FileRecord(path=f"processed/azint/scan_{i:03d}.h5", size=2_000_000)

    started = time.monotonic()
    print(f"  registering {N:,} files…", file=sys.stderr, flush=True)
    dataset_files_register(dataset=ds, files=files(), batch_size=10_000)
    print(f"  … in {time.monotonic() - started:.1f} s", file=sys.stderr)
    ds.refresh_from_db()
    return ds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(client: Client, path: str, n: int) -> list[float]:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


Timings = tuple[str, float, float, float, float]


def name_filter_side_by_side(client: Client, n: int) -> list[Timings]:
    """Each name-filter view without the trigram index, then with it, view after view (so the
    machine's load drifts alike for both). The index is dropped inside a transaction that is
    rolled back: nothing changes for good, even if the run is interrupted."""
    # Requests must not close the connection inside the transaction (as Django's TestCase).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        rows = [_side_by_side(client, n, label, query) for label, query in NAME_VIEWS]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return rows


def _side_by_side(client: Client, n: int, label: str, query: str) -> Timings:
    path = f"/doi/{DOI}{query}"
    print(f"  name filter {label}: without, then with the index", file=sys.stderr, flush=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX "{TRIGRAM_INDEX}"')
        timed(client, path, 3)
        without = timed(client, path, n)
        transaction.set_rollback(True)
    timed(client, path, 3)
    with_index = timed(client, path, n)
    return (
        label,
        statistics.median(without),
        percentile(without, 95),
        statistics.median(with_index),
        percentile(with_index, 95),
    )


def has_trigram_index() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [TRIGRAM_INDEX])
        return cursor.fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per view")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark dataset")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args()
    n = max(10, min(args.requests, 1000))
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STATS_ENABLED = False
    settings.LANDING_FILES_PAGE_SIZE = 50
    print(f"Database: {connection.vendor}", file=sys.stderr)
    ds = dataset()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalogue_datafile")
    api = f"/api/v1/datasets/{ds.pid}/files"
    views = [
        ("Record page, top (folders + first 50 files)", f"/doi/{DOI}"),
        ("Record page, `?path=raw/` (100 folders)", f"/doi/{DOI}?path=raw/"),
        ("Record page, `?path=raw/scan_050/`", f"/doi/{DOI}?path=raw/scan_050/"),
        ("Record page, `?path=raw/scan_050/&page=20` (last page)",
         f"/doi/{DOI}?path=raw/scan_050/&page=20"),
        ("Record page, last page of all files (`?page=2000`)", f"/doi/{DOI}?page=2000"),
        ("Record page, name filter `?q=frame_099` ", f"/doi/{DOI}?q=frame_099"),
        ("API `files?folders=1` (top)", f"{api}?folders=1"),
        ("API `files?prefix=raw/&folders=1`", f"{api}?prefix=raw/&folders=1"),
        ("API `files?prefix=raw/scan_050/&folders=1`", f"{api}?prefix=raw/scan_050/&folders=1"),
        ("Manifest `urls.txt?path=raw/scan_050/` (1,000 files)",
         f"/doi/{DOI}/urls.txt?path=raw/scan_050/"),
    ]  # fmt: skip
    client = Client()
    rows = []
    for label, path in views:
        print(f"  {label}", file=sys.stderr, flush=True)
        timed(client, path, 3)  # warm-up
        timings = timed(client, path, n)
        rows.append((label, statistics.median(timings), percentile(timings, 95)))
    side_by_side = name_filter_side_by_side(client, n) if has_trigram_index() else []
    if not args.keep:
        ds.delete()
        Facility.objects.filter(code=FACILITY).delete()
    worst = max(p95 for _, _, p95 in rows)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Browsing 100,000 files by folder (`benchmarks/folders.py`)",
        "",
        f"Machine: {machine()}; Python {platform.python_version()}, Django {django.__version__},"
        f" database {connection.vendor}. One published dataset of {N:,} files (100 folders of"
        " 1,000 frames under `raw/`, 100 files under `processed/azint/`). Server-side time"
        " through Django's test client in one process (routing, middleware, access gate,"
        " queries, template; no network), anonymous, persistent database connection,"
        f" {n} requests per view after 3 warm-up requests, one client at a time. Load average"
        f" of the machine while measuring: {load} (other work shares its cores).",
        "",
        "| view | p50 (ms) | p95 (ms) | p95 / 200 ms target |",
        "|---|---:|---:|---:|",
        *[
            f"| {label} | {p50:.1f} | {p95:.1f} | {p95 / TARGET_MS:.2f} |"
            for label, p50, p95 in rows
        ],
        "",
        f"Target (issue 16): every view < {TARGET_MS:.0f} ms server time at 100,000 files:"
        f" worst p95 {worst:.1f} ms ({'met' if worst < TARGET_MS else 'NOT met'}).",
        "",
        NOTE,
    ]
    if side_by_side:
        lines += [
            "",
            "The record page's name filter without and with the trigram index, side by side in"
            " this run (each view: without, then with; the index dropped in a rolled-back"
            " transaction):",
            "",
            "| record page name filter | without: p50 | p95 (ms) | with index: p50 | p95 (ms)"
            " | p50 ratio |",
            "|---|---:|---:|---:|---:|---:|",
            *[
                f"| {label} | {p50a:.1f} | {p95a:.1f} | {p50b:.1f} | {p95b:.1f} |"
                f" {p50a / p50b:.1f} x |"
                for label, p50a, p95a, p50b, p95b in side_by_side
            ],
        ]
    load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines += [
        "",
        f"Load average at the end of the run: {load_after}.",
        "",
        f"Rerun: `.venv/bin/python benchmarks/folders.py` (measured {time.strftime('%Y-%m-%d')}).",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section("folders", section)


if __name__ == "__main__":
    main()
