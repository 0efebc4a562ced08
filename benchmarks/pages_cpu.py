#!/usr/bin/env python3
"""CPU per request of each page of the load scenario, in-process (no gunicorn, no network).

    .venv/bin/python benchmarks/pages_cpu.py                    # against make prod
    .venv/bin/python benchmarks/pages_cpu.py --prod-dir ~/.cache/open-data-portal/prod1
    .venv/bin/python benchmarks/pages_cpu.py --repeat 20 --profile home   # cProfile one page

Runs the requests benchmarks/load.py sends (same names) through Django's test client with the
stack's PORTAL_* settings, and prints for each: the Python CPU time per request in this
process (``time.process_time``, which other jobs on the machine do not move), the wall time,
and the number of SQL queries. Elasticsearch and PostgreSQL CPU are not in the first column:
it is what gunicorn pays. The first request of each is a warm-up and not counted.
"""

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prod-dir", help="the stack's PORTAL_PROD_DIR (default: make prod's)")
    parser.add_argument("--repeat", type=int, default=10, help="requests per page (default 10)")
    parser.add_argument("--only", action="append", help="only these request names")
    parser.add_argument("--profile", help="cProfile this request name; print the top 40")
    args = parser.parse_args()

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
    print(f"{'request':28} {'cpu ms':>8} {'wall ms':>8} {'queries':>8} status")
    for name in names:
        choices = urls[name]
        client.get(rng.choice(choices), follow=True)  # warm-up
        cpu = wall = 0.0
        queries = 0
        status = set()
        profiler = None
        if args.profile == name:
            import cProfile

            profiler = cProfile.Profile()
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
            pstats.Stats(profiler).sort_stats(
                os.environ.get("PROFILE_SORT", "cumulative")
            ).print_stats(40)
        n = args.repeat
        print(f"{name:28} {1000 * cpu / n:8.1f} {1000 * wall / n:8.1f} {queries / n:8.1f} "
              f"{sorted(status)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
