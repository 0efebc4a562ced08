#!/usr/bin/env python3
"""CPU per request of each page of the load scenario, in-process (no gunicorn, no network).

    .venv/bin/python benchmarks/pages_cpu.py                    # against make prod
    .venv/bin/python benchmarks/pages_cpu.py --prod-dir ~/.cache/open-data-portal/prod1
    .venv/bin/python benchmarks/pages_cpu.py --repeat 20 --profile home   # cProfile one page
    .venv/bin/python benchmarks/pages_cpu.py --json > ours.json   # then, in another checkout
    .venv/bin/python benchmarks/pages_cpu.py --baseline-json ours.json --section pages-cpu

Runs the requests benchmarks/load.py sends (same names) through Django's test client with the
stack's PORTAL_* settings, and prints for each: the Python CPU time per request in this
process (``time.process_time``, which other jobs on the machine do not move), the wall time,
and the number of SQL queries. Elasticsearch and PostgreSQL CPU are not in the first column:
it is what gunicorn pays. The first request of each is a warm-up and not counted.
``--json`` prints the numbers as JSON; ``--baseline-json FILE`` puts another run's beside
this one's, with the ratio (copy this script into another checkout to measure its code on the
same data).
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


# Importing Locust (through load.py) would monkey-patch the process with gevent.
os.environ["PORTAL_LOAD_NO_LOCUST"] = "1"


def _urls(pids, dois, hdf5) -> dict[str, list[str]]:
    from load import CONDITIONS, FACETED, QUERIES

    urls = {
        "home": ["/"],
        "search page": [f"/search/?q={q}" for q in QUERIES],
        "search page, facets": [f"/search/?{f}" for f in FACETED],
        "API search, conditions": [f"/api/v1/search?{c}" for c in CONDITIONS],
        "API search": [f"/api/v1/search?q={q}" for q in QUERIES],
        "dataset page": [f"/datasets/{p}/" for p in pids],
        "DOI landing page": [f"/doi/{d}" for d in dois],
        "export datacite-xml": [f"/doi/{d}/export/datacite-xml" for d in dois],
        "export bibtex": [f"/doi/{d}/export/bibtex" for d in dois],
        "export json-ld": [f"/doi/{d}/export/json-ld" for d in dois],
        "API dataset": [f"/api/v1/datasets/{p}" for p in pids],
        "OAI-PMH ListRecords": [
            "/oai?verb=ListRecords&metadataPrefix=oai_dc",
            "/oai?verb=ListRecords&metadataPrefix=oai_datacite",
        ],
    }
    if hdf5:
        pid, file, path = hdf5
        base = f"/datasets/{pid}/h5grove"
        urls["preview meta"] = [f"{base}/meta?file={file}&path={path}"]
    return urls


def measure(args) -> dict[str, tuple[float, float, float]]:
    from load import stack_env

    os.environ.update(stack_env(args.prod_dir))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import Dataset, Status

    public = Dataset.objects.filter(status=Status.PUBLISHED).order_by("-published_at", "-id")
    dois = list(public.exclude(doi="").values_list("doi", flat=True)[:200])
    pids = [str(p) for p in public.values_list("pid", flat=True)[:200]]
    host = os.environ["PORTAL_BASE_URL"].split("//", 1)[1]
    client = Client(HTTP_HOST=host, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="127.0.0.1")
    rng = random.Random(15)
    urls = _urls(pids, dois, None)
    names = args.only or ([args.profile] if args.profile else list(urls))
    results = {}
    for name in names:
        choices = urls[name]
        client.get(rng.choice(choices), follow=True)  # warm-up
        if args.warm:
            for url in choices:  # every record's per-record caches, as in a load run's steady state
                client.get(url, follow=True)
        cpu = wall = 0.0
        queries = 0
        status = set()
        profiler = None
        if args.profile == name:
            import cProfile

            # CPU time, not cProfile's default wall clock: on a shared machine waiting for
            # PostgreSQL or Elasticsearch (and for other jobs) would fill the profile.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        for _ in range(args.repeat):
            url = rng.choice(choices)
            with CaptureQueriesContext(connection) as captured:
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url, follow=True)
                cpu += time.process_time() - c0
                wall += time.perf_counter() - t0
            queries += len(captured)
            status.add(response.status_code)
        if profiler:
            import pstats

            profiler.disable()
            order = os.environ.get("PROFILE_SORT", "cumulative")
            lines = int(os.environ.get("PROFILE_LINES", 40))
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(lines)
        n = args.repeat
        results[name] = (1000 * cpu / n, 1000 * wall / n, queries / n)
        if not args.json:
            print(f"{name:28} {1000 * cpu / n:8.1f} {1000 * wall / n:8.1f} {queries / n:8.1f} "
                  f"{sorted(status)}", flush=True)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prod-dir", help="the stack's PORTAL_PROD_DIR (default: make prod's)")
    parser.add_argument("--repeat", type=int, default=10, help="requests per page (default 10)")
    parser.add_argument("--only", action="append", help="only these request names")
    parser.add_argument("--profile", help="cProfile this request name; print the top 40")
    parser.add_argument("--warm", action="store_true",
                        help="request every URL once before measuring (cached citations and "
                        "record parts filled, as after a load run's first minutes)")  # fmt: skip
    parser.add_argument("--baseline-json", help="another run's --json output, to compare")
    parser.add_argument("--section", help="write the table to docs/performance.md")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args)))
        return
    print(f"{'request':28} {'cpu ms':>8} {'wall ms':>8} {'queries':>8} status")
    ours = measure(args)
    theirs = json.loads(Path(args.baseline_json).read_text()) if args.baseline_json else {}
    rows = {name: (value, theirs.get(name)) for name, value in ours.items()}
    if args.section:
        _write(args, rows)


def _write(args, rows) -> None:
    from perfdoc import machine, write_section

    load = os.getloadavg()[0]
    side = bool(args.baseline_json)
    cmd = "benchmarks/pages_cpu.py" + (f" --repeat {args.repeat}")
    cmd += " --warm" if args.warm else ""
    cmd += " --baseline-json <main's run>" if side else ""
    cmd += f" --prod-dir {args.prod_dir}" if args.prod_dir else ""
    lines = [
        "## CPU per request of each page of the load mix, in-process",
        "",
        f"`.venv/bin/python {cmd}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f" against the `make prod` data (demo + 100,000 datasets) — {machine()}; load average"
        f" {load:.1f}. Python CPU time of the request in the portal's process (what a gunicorn"
        " worker pays; PostgreSQL and Elasticsearch not included) and SQL queries per request.",
        "",
    ]
    if side:
        lines += ["| request | CPU ms | baseline CPU ms | ratio | queries | baseline queries |",
                  "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for name, (ours, theirs) in rows.items():
            if theirs is None:
                continue
            ratio = ours[0] / theirs[0] if theirs[0] else 0
            lines.append(f"| {name} | {ours[0]:.1f} | {theirs[0]:.1f} | {ratio:.2f} | "
                         f"{ours[2]:.1f} | {theirs[2]:.1f} |")  # fmt: skip
    else:
        lines += ["| request | CPU ms | wall ms | queries |", "|---|---:|---:|---:|"]
        for name, (ours, _) in rows.items():
            lines.append(f"| {name} | {ours[0]:.1f} | {ours[1]:.1f} | {ours[2]:.1f} |")
    write_section(args.section, "\n".join(lines))


if __name__ == "__main__":
    main()
