#!/usr/bin/env python3
"""Fixed cost per request of the h5grove endpoints and the search API, lean path vs every
middleware, measured as CPU time of the serving thread (not wall time), side by side.

    make prod
    .venv/bin/python benchmarks/fixedcost.py            # ~1 minute

Why CPU time: on a shared machine wall-clock medians move with other jobs (the h5preview and
search benchmarks report them, with the load average); the CPU time the portal's own thread
spends on a request does not, so the difference between the two request paths shows even
under load. Both paths are the real WSGI applications of ``portal.wsgi`` (the lean one and
Django's own), in one process against the ``make prod`` stack (its PORTAL_* lines), called
alternately with the same requests. Waiting for PostgreSQL or Elasticsearch is not CPU time
of this thread, so what is measured is the portal's own work: middleware, URL resolution,
the access gate, building and encoding the answer.

Results: docs/performance.md, section ``fixed-cost``.
"""

import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="per path and endpoint")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--profile", metavar="ENDPOINT", choices=("meta", "data", "search"),
                        help="instead: a cProfile of the lean path for one endpoint (top 40 "
                        "functions by own time), to see where the fixed cost goes")  # fmt: skip
    args = parser.parse_args()
    out = subprocess.run([str(ROOT / "scripts" / "prod.sh"), "env"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    for line in out.splitlines():
        key, _, value = line.partition("=")
        os.environ[key] = value
    os.environ["PORTAL_LOG_LEVEL"] = "WARNING"
    # Hundreds of requests from one client in a minute: measure the path, not the rate limit
    # (this process only; the stack's gunicorn keeps its throttle).
    os.environ["PORTAL_THROTTLE_ENABLED"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from wsgiref.util import setup_testing_defaults

    from django.core.wsgi import get_wsgi_application

    full = get_wsgi_application()
    from perfdoc import machine, write_section

    from portal.lean import LeanWSGIHandler

    lean = LeanWSGIHandler()
    target = _preview_target()

    def call(app, url):
        parts = urlsplit(url)
        environ = {"PATH_INFO": parts.path, "QUERY_STRING": parts.query,
                   "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1",
                   "wsgi.input": io.BytesIO()}  # fmt: skip
        setup_testing_defaults(environ)
        status = []
        body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("200"), (url, status, body[:200])

    pid, file, path = target
    endpoints = {
        "h5grove meta": f"/datasets/{pid}/h5grove/meta?file={file}&path={path}",
        "h5grove data (bin)": f"/datasets/{pid}/h5grove/data?file={file}&path={path}"
        "&format=bin&dtype=safe",
        "search API": "/api/v1/search?q=powder",
    }
    if args.profile:
        _profile(lambda url: call(lean, url), endpoints, args.profile, args.requests)
        return
    rows = []
    load = os.getloadavg()[0]
    for name, url in endpoints.items():
        times = {"lean": [], "full": []}
        for i in range(args.requests + 20):
            order = [("lean", lean), ("full", full)]
            if i % 2:
                order.reverse()
            for label, app in order:
                t0 = time.thread_time()
                call(app, url)
                if i >= 20:
                    times[label].append(time.thread_time() - t0)
        lean_ms = statistics.median(times["lean"]) * 1e3
        full_ms = statistics.median(times["full"]) * 1e3
        rows.append((name, full_ms, lean_ms))
        print(f"{name:20} every middleware {full_ms:.2f} ms CPU, lean {lean_ms:.2f} ms CPU")
    lines = [
        "## Fixed cost per request: lean path vs every middleware",
        "",
        "`.venv/bin/python benchmarks/fixedcost.py` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"against `make prod` — {machine()}. Median CPU time of the serving thread per "
        f"request, {args.requests} requests per path and endpoint, the two paths alternating; "
        f"1-minute load average {load:.1f} at the start (CPU time is what this measure keeps "
        "stable under load; wall-clock numbers are in the sections above).",
        "",
        "| endpoint | every middleware, ms CPU | lean path, ms CPU | saved |",
        "|---|---:|---:|---:|",
    ]
    for name, full_ms, lean_ms in rows:
        lines.append(f"| {name} | {full_ms:.2f} | {lean_ms:.2f} | {full_ms - lean_ms:.2f} ms "
                     f"({(full_ms - lean_ms) / full_ms:.0%}) |")  # fmt: skip
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section("fixed-cost", section)


def _profile(call, endpoints: dict[str, str], which: str, requests: int) -> None:
    import cProfile
    import pstats

    url = endpoints[{"meta": "h5grove meta", "data": "h5grove data (bin)",
                     "search": "search API"}[which]]  # fmt: skip
    for _ in range(20):
        call(url)
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for _ in range(requests):
        call(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"{url}: {stats.total_tt / requests * 1e3:.2f} ms CPU per request under the profiler")
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)


def _preview_target():
    """A numeric dataset in one of the demo's NeXus files, found as benchmarks/load.py does."""
    from targets import hdf5_pids, preview_target

    host = os.environ["PORTAL_BASE_URL"]
    target = preview_target(host, hdf5_pids(dict(os.environ)))
    if target is None:
        raise SystemExit("no previewable HDF5 dataset in the catalogue (make prod loads some)")
    return target


if __name__ == "__main__":
    main()
