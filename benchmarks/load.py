#!/usr/bin/env python3
"""Load benchmark: a mixed scenario of concurrent users against ``make prod``, with Locust.

    make prod                                               # the production stack
    pip install -e ".[bench]"                               # locust
    .venv/bin/python benchmarks/load.py --seed 100000       # add synthetic datasets (once)
    .venv/bin/python benchmarks/load.py                     # 50 users, 5 minutes
    .venv/bin/python benchmarks/load.py --minutes 30 --section load-soak   # soak

``--seed N`` adds N published synthetic datasets (bulk inserts into the stack's PostgreSQL,
then ``manage.py reindex``), so the catalogue holds demo + N records.
The run reads the stack's PORTAL_* lines from ``scripts/prod.sh env``. Each simulated user
browses (home, search pages with facets and scientific conditions), opens dataset and DOI
landing pages, exports (DataCite XML, BibTeX), harvests OAI-PMH pages (following resumption
tokens), asks the HDF5 preview (meta and data of a demo NeXus file), reads the API (search,
dataset JSON) and writes through it as a beamline ingestor does (a draft with 20 files, then a
PATCH with If-Match), with a write token of the demo account ``ingestor`` made for the run.

Results (requests, failures, p50/p95/p99, requests/s; the CPU time the stack's processes used,
as requests per busy core-second, which other jobs on the machine do not move; the gunicorn
and Celery workers' memory sampled every minute) go to docs/performance.md, section ``load``
(``--section``).
``--warmup M`` (default 1) runs the same mix for M minutes first and does not count it: a
freshly started stack's JVMs are still compiling (three new Elasticsearch nodes used twice the
CPU per search of warm ones), which is not the state a facility's stack runs in; ``--warmup 0``
measures a cold start.
Loopback only; bounded by ``--minutes`` plus ``--warmup``.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import pgstatements  # noqa: E402
from targets import hdf5_pids, preview_target, public_catalogue  # noqa: E402

try:
    if os.environ.get("PORTAL_LOAD_NO_LOCUST"):  # benchmarks/pages_cpu.py: no gevent patching
        raise ImportError
    # geventhttpclient: several times less CPU per request than requests, and Locust shares
    # the machine's cores with the stack it measures.
    from locust import FastHttpUser as HttpUser
    from locust import between, task
except ImportError:  # main() explains
    HttpUser = object

    def task(weight=1):
        return lambda f: f

    def between(a, b):
        return None


QUERIES = ["powder", "diffraction", "tomography", "garnet", "protein crystal", "SAXS",
           "temperature", "neutron", "battery", "catalyst"]  # fmt: skip
FACETED = ["facility=esrf", "facility=isis&publication_year=2024", "technique=x-ray+diffraction",
           "has_doi=true&sort=newest", "license=CC-BY-4.0"]  # fmt: skip
CONDITIONS = ["cond=sample.temperature:gte:300:K", "cond=energy:eq:12.23:keV",
              "q=powder&cond=sample.temperature:lte:100:K"]  # fmt: skip


# Filled by run() through the environment (Locust runs this file in its own process).
HDF5_PIDS = [p for p in os.environ.get("PORTAL_LOAD_HDF5_PIDS", "").split(",") if p]
WRITE_TOKEN = os.environ.get("PORTAL_LOAD_WRITE_TOKEN", "")
WRITE_GROUP = os.environ.get("PORTAL_LOAD_WRITE_GROUP", "")
READ_ONLY = bool(os.environ.get("PORTAL_LOAD_READ_ONLY"))
# API reads go as the facility's trusted ingestor does, with its token: the stack exempts that
# account from the per-client throttle (PORTAL_THROTTLE_EXEMPT_USERS), as a facility exempts its
# harvesters. Without it, 50 users behind one loopback address share one client's budget.
API_AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"} if WRITE_TOKEN else {}


class PortalUser(HttpUser):
    wait_time = between(0.5, 2.0)
    catalogue: dict = {}
    preview_target: tuple | None = None

    def on_start(self):
        if not PortalUser.catalogue:
            PortalUser.catalogue = public_catalogue(self.host)
            PortalUser.preview_target = preview_target(self.host, HDF5_PIDS)

    def _pid(self):
        return random.choice(self.catalogue["pids"])

    def _doi(self):
        return random.choice(self.catalogue["dois"])

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(6)
    def search_page(self):
        query = random.choice(QUERIES)
        self.client.get(f"/search/?q={query}", name="search page")

    @task(4)
    def search_facets(self):
        self.client.get(f"/search/?{random.choice(FACETED)}", name="search page, facets")

    @task(3)
    def search_conditions(self):
        self.client.get(
            f"/api/v1/search?{random.choice(CONDITIONS)}",
            name="API search, conditions",
            headers=API_AUTH,
        )

    @task(5)
    def api_search(self):
        self.client.get(
            f"/api/v1/search?q={random.choice(QUERIES)}", name="API search", headers=API_AUTH
        )

    @task(5)
    def dataset_page(self):
        self.client.get(f"/datasets/{self._pid()}/", name="dataset page")

    @task(5)
    def landing(self):
        self.client.get(f"/doi/{self._doi()}", name="DOI landing page")

    @task(2)
    def export(self):
        fmt = random.choice(["datacite-xml", "bibtex", "json-ld"])
        self.client.get(f"/doi/{self._doi()}/export/{fmt}", name=f"export {fmt}")

    @task(3)
    def api_dataset(self):
        self.client.get(f"/api/v1/datasets/{self._pid()}", name="API dataset", headers=API_AUTH)

    @task(2)
    def oai_harvest(self):
        prefix = random.choice(["oai_dc", "oai_datacite"])
        with self.client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}",
                             name="OAI-PMH ListRecords", catch_response=True) as r:  # fmt: skip
            token = _token(r.text)
        if token:
            self.client.get(f"/oai?verb=ListRecords&resumptionToken={token}",
                            name="OAI-PMH ListRecords (resumption)")  # fmt: skip

    @task(4)
    def preview(self):
        if not self.preview_target:
            return
        pid, file, path = self.preview_target
        base = f"/datasets/{pid}/h5grove"
        self.client.get(f"{base}/meta?file={file}&path={path}", name="preview meta")
        self.client.get(f"{base}/data?file={file}&path={path}&format=bin&dtype=safe",
                        name="preview data")  # fmt: skip

    @task(2)
    def api_write(self):
        """An ingestor's draft: POST with 20 files in the record, then a PATCH with If-Match."""
        if not WRITE_TOKEN or READ_ONLY:
            return
        auth = {"Authorization": f"Bearer {WRITE_TOKEN}"}
        n = random.getrandbits(48)
        body = {
            "title": f"Load test scan {n}",
            "description": "A draft written by the load benchmark.",
            "owner_group": WRITE_GROUP,
            "storage_folder": f"load-writes/{n}",
            "scientific_metadata": {"temperature": {"value": 293, "unit": "K"}},
        }
        create = {"json": body, "headers": auth, "name": "API write: create draft"}
        with self.client.post("/api/v1/datasets", catch_response=True, **create) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
            pid = r.json()["pid"]
        files = [{"path": f"raw/frame_{i:05d}.h5", "size": 104_857_600} for i in range(20)]
        self.client.post(f"/api/v1/datasets/{pid}/files", json={"files": files}, headers=auth,
                         name="API write: register 20 files")  # fmt: skip
        got = self.client.get(f"/api/v1/datasets/{pid}", headers=auth, name="API write: read back")
        self.client.patch(f"/api/v1/datasets/{pid}", json={"keywords": ["load", "test"]},
                          headers={**auth, "If-Match": got.headers.get("ETag", "")},
                          name="API write: patch")  # fmt: skip


def _token(xml: str) -> str | None:
    import re
    from urllib.parse import quote

    match = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", xml)
    return quote(match.group(1), safe="") if match else None


# ----------------------------------------------------------------------------- driver --
def stack_env(prod_dir: str | None = None) -> dict[str, str]:
    """The stack's PORTAL_* lines: from ``prod_dir``/portal.env when given (any stack made by
    ``make prod``, whatever its ports), else from ``scripts/prod.sh env`` (the default one, or
    the one PORTAL_PROD_DIR and the port variables name)."""
    if prod_dir:
        path = Path(prod_dir).expanduser() / "portal.env"
        if not path.is_file():
            raise SystemExit(f"{path}: no such file (did `make prod` run with this directory?)")
        out = path.read_text(encoding="utf-8")
    else:
        out = subprocess.run([str(ROOT / "scripts" / "prod.sh"), "env"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        line.split("=", 1) for line in out.splitlines() if "=" in line and not line.startswith("#")
    )
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return env


SEED = """
import datetime, random, sys, uuid
import django
django.setup()
from django.db import transaction
from catalogue.models import Dataset, Facility, Instrument, Status, Technique
n = int(sys.argv[1])
rng = random.Random(100_000)
instruments = list(Instrument.objects.select_related("facility"))
techniques = list(Technique.objects.all()[:200])
words = ("powder diffraction tomography garnet protein crystal scattering battery catalyst "
         "thin film magnetic neutron x-ray spectroscopy imaging high pressure").split()
prefix = __import__("django.conf").conf.settings.DOI_PREFIX
made = 0
while made < n:
    batch = []
    for i in range(min(2000, n - made)):
        inst = rng.choice(instruments)
        title = " ".join(rng.sample(words, 5)).capitalize() + f" {made + i}"
        year = rng.randint(2012, 2026)
        batch.append(Dataset(
            pid=uuid.UUID(int=rng.getrandbits(128), version=4), title=title,
            doi=f"{prefix}/load.{made + i}", description="Synthetic dataset for the load test. "
            + " ".join(rng.choices(words, k=40)), publisher="Load test facility",
            publication_year=year, keywords=rng.sample(words, 3), facility=inst.facility,
            instrument=inst, status=Status.PUBLISHED, storage_folder=f"load/{made + i}",
            published_at=datetime.datetime(year, 1, 1, tzinfo=datetime.UTC),
            scientific_metadata={
                "sample": {"temperature": {"value": rng.uniform(4, 900), "unit": "K"}},
                "energy": {"value": round(rng.uniform(5, 30), 2), "unit": "keV"},
            },
        ))
    with transaction.atomic():
        created = Dataset.objects.bulk_create(batch)
        through = Dataset.techniques.through
        through.objects.bulk_create(
            [through(dataset_id=d.pk, technique_id=rng.choice(techniques).pk) for d in created]
        )
    made += len(batch)
    print(f"seeded {made:,} / {n:,}", file=sys.stderr, flush=True)
"""


def seed(n: int, prod_dir: str | None = None) -> None:
    env = stack_env(prod_dir)
    subprocess.run([sys.executable, "-c", SEED, str(n)], cwd=ROOT, env=env, check=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "reindex"], cwd=ROOT, env=env, check=True)
    # A bulk load leaves the visibility map empty: vacuum, so counts are index-only at once.
    vacuum = "VACUUM (ANALYZE) catalogue_dataset, catalogue_dataset_techniques, catalogue_datafile"
    subprocess.run([*manage, "dbshell", "--", "-c", vacuum], cwd=ROOT, env=env, check=True)
    # OAI-PMH renderings are not made ahead here: a harvest renders what is missing itself
    # (run `manage.py oai_render` for a warm start).


def write_token(env: dict[str, str]) -> tuple[str, str]:
    """A write token of the demo ingestor for this run, and its proposal owner group."""
    out = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", "ingestor", "--scope", "write",
         "--expires-days", "1", "--name", "load-benchmark"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    token = out.strip().splitlines()[-1]
    group = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n"
         "from django.contrib.auth.models import User\n"
         "print([g.name for g in User.objects.get(username='ingestor').groups.all()"
         " if g.name.startswith('proposal-')][0])"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return token, group


def default_prod_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PORTAL_PROD_DIR") or f"{cache}/open-data-portal/prod")


def stack_roots(prod_dir: str | None) -> dict[str, list[int]]:
    """The stack's own top processes, by kind, from the pid files make prod writes (so other
    PostgreSQL, Redis or Elasticsearch servers on the machine are not counted)."""
    base = Path(prod_dir).expanduser() if prod_dir else default_prod_dir()
    files = {
        "elasticsearch": sorted(base.glob("elasticsearch/es-*/es.pid")),
        "postgres": [base / "postgres" / "data" / "postmaster.pid"],
        "redis": [base / "redis" / "redis.pid"],
        "gunicorn": [base / "run" / "gunicorn.pid"],
        "nginx": [base / "run" / "nginx.pid"],
        "celery": sorted(base.glob("run/celery-*.pid")),
    }
    roots: dict[str, list[int]] = {}
    for kind, paths in files.items():
        for path in paths:
            try:
                roots.setdefault(kind, []).append(int(path.read_text().split()[0]))
            except (OSError, ValueError, IndexError):
                continue
    return roots


def _stack_processes(prod_dir: str | None):
    import psutil

    for kind, pids in stack_roots(prod_dir).items():
        for pid in pids:
            try:
                top = psutil.Process(pid)
                yield kind, [top, *top.children(recursive=True)]
            except psutil.Error:
                continue


def cpu_seconds(prod_dir: str | None = None) -> dict[str, float]:
    """CPU time (user + system) used so far by the stack's processes, by kind."""
    import psutil

    total: dict[str, float] = {}
    for kind, procs in _stack_processes(prod_dir):
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            # Children it reaped (gunicorn workers recycled after max_requests, PostgreSQL
            # backends) count too: each exited process is then counted once, in its parent.
            used = times.user + times.system + times.children_user + times.children_system
            total[kind] = total.get(kind, 0) + used
    return total


def memory_mib(prod_dir: str | None = None, names=("gunicorn", "celery")) -> dict[str, float]:
    import psutil

    total: dict[str, float] = {}
    for kind, procs in _stack_processes(prod_dir):
        if kind not in names:
            continue
        for proc in procs:
            try:
                total[kind] = total.get(kind, 0) + proc.memory_info().rss / 2**20
            except psutil.Error:
                continue
    return total


def run(args) -> str:
    from perfdoc import machine, write_section

    env = stack_env(args.prod_dir)
    host = env["PORTAL_BASE_URL"]
    es_nodes = len(env["PORTAL_ELASTICSEARCH_URL"].split(","))
    csv_prefix = ROOT / "benchmarks" / ".data" / f"load-{os.getpid()}"
    csv_prefix.parent.mkdir(parents=True, exist_ok=True)
    token, group = write_token(env)
    exempt = [u.strip() for u in env.get("PORTAL_THROTTLE_EXEMPT_USERS", "").split(",")]
    if "ingestor" not in exempt:
        print("[load] warning: the stack does not exempt the ingestor account from the API"
              " throttle (PORTAL_THROTTLE_EXEMPT_USERS): expect 429s; restart it with"
              " `make prod` from this tree", file=sys.stderr, flush=True)  # fmt: skip
    networks = env.get("PORTAL_THROTTLE_EXEMPT_NETWORKS", "")
    if "127.0.0.1" not in networks and "127.0.0.0/8" not in networks:
        # The simulated visitors' pages (search page 120/min per address) all come from one
        # loopback address; with the shared cache the count is the deployment's, not a worker's.
        print("[load] warning: the search page's per-address limit counts all 50 simulated"
              " visitors as one address: start the stack with"
              " PORTAL_THROTTLE_EXEMPT_NETWORKS=127.0.0.1/32 (make prod passes it through)"
              " to measure without 429s", file=sys.stderr, flush=True)  # fmt: skip
    locust_env = {**os.environ, "PORTAL_LOAD_HDF5_PIDS": ",".join(hdf5_pids(env)),
                  "PORTAL_LOAD_WRITE_TOKEN": token, "PORTAL_LOAD_WRITE_GROUP": group,
                  "PORTAL_LOAD_READ_ONLY": "1" if args.read_only else ""}  # fmt: skip

    def locust_command(seconds: float, prefix: Path) -> list[str]:
        return [sys.executable, "-m", "locust", "-f", __file__, "--headless", "--host", host,
                "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{round(seconds)}s",
                "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"]  # fmt: skip

    if args.warmup > 0:
        # A freshly started stack spends its first minutes compiling: three new Elasticsearch
        # JVMs used twice the CPU per search of warm ones (193 against 94 core-seconds for the
        # same 5 minutes). The same mix runs first, not counted, so the measure is the steady
        # state a facility's stack is in; --warmup 0 measures a cold start.
        print(f"[load] warm-up: {args.warmup} min of the same mix, not counted", flush=True)
        warm = subprocess.run(locust_command(args.warmup * 60, csv_prefix.with_name(
            csv_prefix.name + "-warmup")), cwd=ROOT, env=locust_env, check=False)  # fmt: skip
        if warm.returncode not in (0, 1):  # 1: some requests failed; counted in the run
            raise SystemExit(f"the warm-up run failed (exit {warm.returncode})")
    load_before, mem_before = os.getloadavg(), memory_mib(args.prod_dir)
    pg_before = pgstatements.snapshot(env["PORTAL_DATABASE_URL"]) if args.pg_top else None
    cpu_before = cpu_seconds(args.prod_dir)
    machine_before, children_before = machine_seconds(), children_cpu_seconds()
    started = time.time()
    locust = subprocess.Popen(
        locust_command(args.minutes * 60, csv_prefix), cwd=ROOT, env=locust_env
    )
    samples = [(0.0, mem_before)]
    while locust.poll() is None:
        time.sleep(5)
        if time.time() - started >= 60 * len(samples):
            samples.append((time.time() - started, memory_mib(args.prod_dir)))
            print(
                f"[load] {len(samples) - 1} min: "
                + ", ".join(f"{k} {v:.0f} MiB" for k, v in sorted(samples[-1][1].items())),
                flush=True,
            )
    elapsed = time.time() - started
    cpu_after = cpu_seconds(args.prod_dir)
    machine_after = machine_seconds()
    machine_busy = machine_after["busy"] - machine_before["busy"]
    steal = machine_after["steal"] - machine_before["steal"]
    locust_cpu = children_cpu_seconds() - children_before
    pg_after = pgstatements.snapshot(env["PORTAL_DATABASE_URL"]) if args.pg_top else None
    load_after, mem_after = os.getloadavg(), memory_mib(args.prod_dir)
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cpu = {k: cpu_after.get(k, 0) - cpu_before.get(k, 0) for k in cpu_after}
    busy = sum(cpu.values())  # the stack's core-seconds
    capacity = elapsed * (os.cpu_count() or 1)  # the core-seconds the machine had
    # What else ran: a VM's neighbours show as steal, jobs beside the run as the busy time
    # that neither the stack nor Locust used. Both make a run slower without the stack's doing.
    others = max(machine_busy - steal - busy - locust_cpu, 0.0)
    lines = [
        f"## Load: {args.users} users, mixed scenario, {args.minutes} min, "
        f"{es_nodes} Elasticsearch node(s)",
        "",
        f"`.venv/bin/python benchmarks/load.py --users {args.users} --minutes {args.minutes}"
        + (f" --prod-dir {args.prod_dir}" if args.prod_dir else "")
        + f" --warmup {args.warmup:g} --section {args.section}` "
        f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} against `make prod` "
        f"(PORTAL_ES_NODES={es_nodes}) — {machine()}. Load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after ({os.cpu_count()} cores; "
        f"Locust runs on the same machine; during the run other processes used {others:.0f}"
        f" core-seconds and the hypervisor took {steal:.0f} as steal time, of the "
        f"{capacity:.0f} the machine had)."
        + (
            f" Measured after a {args.warmup:g}-minute warm-up run of the same mix (not counted)."
            if args.warmup > 0
            else " Measured from a cold start (no warm-up run)."
        ),
        "",
        "| request | count | failures | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Requests/s']):.1f} |"
        )
    mem = ", ".join(
        f"{k} {mem_before.get(k, 0):.0f} → {mem_after.get(k, 0):.0f} MiB" for k in sorted(mem_after)
    )
    lines += ["", f"Run time {elapsed:.0f} s. Resident memory (all processes): {mem}."]
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total and cpu:
        requests = int(total["Request Count"])
        lines += ["", "CPU time the stack used during the run (user + system, from /proc): "
                  + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(cpu.items()))
                  + f"; in all {busy:.0f} core-seconds of the {capacity:.0f}"
                  f" the machine had, so **{requests / busy:.1f} requests per busy core-second**"
                  f" ({requests / max(cpu.get('gunicorn', 0), 1e-9):.1f} per gunicorn"
                  f" core-second). Locust itself used {locust_cpu:.0f} core-seconds; the"
                  f" whole machine was busy {machine_busy:.0f} (/proc/stat)."]  # fmt: skip
    if len(samples) > 2:
        lines += ["", "Memory by minute (MiB): " + "; ".join(
            f"{t / 60:.0f} min " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(m.items()))
            for t, m in samples)]  # fmt: skip
    pg_lines = []
    if pg_before and pg_after:
        requests = int(total["Request Count"]) if total else None
        pg_lines = pgstatements.report(pg_before, pg_after, top=args.pg_top, requests=requests)
        lines += ["", pg_lines[0]]  # the summary line; the tables are printed, not written
    section = "\n".join(lines)
    if not args.no_write:
        write_section(args.section, section)
    return "\n".join([section, "", *pg_lines[1:]])


def machine_seconds() -> dict[str, float]:
    """Core-seconds since boot (psutil reads /proc/stat): the whole machine not idle, steal
    included, and the steal alone (time the hypervisor gave to other guests)."""
    import psutil

    t = psutil.cpu_times()
    busy = t.user + t.nice + t.system + t.irq + t.softirq + t.steal
    return {"busy": busy, "steal": t.steal}


def children_cpu_seconds() -> float:
    """User + system CPU of the child processes waited for so far (Locust, once it has ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="add N synthetic datasets first")
    parser.add_argument(
        "--prod-dir",
        help="the stack to load: its PORTAL_PROD_DIR (reads DIR/portal.env; default: the stack"
        " `scripts/prod.sh env` names, i.e. make prod's)",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--section", default="load")
    parser.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="minutes of the same mix first, not counted (JVMs compiling, caches filling);"
        " 0: measure from a cold start",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--read-only", action="store_true", help="no API writes in the mix")
    parser.add_argument(
        "--pg-top",
        type=int,
        default=15,
        help="print PostgreSQL's top N statements and the tables it scanned during the run"
        " (pg_stat_statements, which make prod loads; 0: off)",
    )
    args = parser.parse_args()
    if HttpUser is object:
        raise SystemExit('Locust is missing: pip install -e ".[bench]"')
    if args.seed:
        seed(args.seed, args.prod_dir)
    if args.minutes > 0:
        print(run(args))


if __name__ == "__main__":
    main()
