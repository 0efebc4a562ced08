#!/usr/bin/env python
"""OAI-PMH benchmark: full ListRecords harvests of 100,000 and 1,000,000 records.

    .venv/bin/pip install -e ".[bench]"                      # gunicorn, psutil
    .venv/bin/python benchmarks/oai.py                      # 100k and 1M, oai_datacite
    .venv/bin/python benchmarks/oai.py --sizes 20000        # a quick run

It fills a dedicated PostgreSQL database per size (``portal_oai_bench_<size>`` on the server
of PORTAL_DATABASE_URL; created if missing) with realistic published datasets by COPY, starts the
portal under gunicorn (one sync worker, as in production) on 127.0.0.1, harvests the whole
list over HTTP following every resumption token, and reports records/s, response latencies
and the worker's peak resident memory (VmHWM from /proc, sampled RSS as a cross-check). Each
size runs in a fresh server process, so the peaks compare. The data is kept for reruns (the
generator only adds what is missing). Results replace the ``oai`` section of
docs/performance.md. Only loopback is contacted; every loop is bounded.
"""

import argparse
import datetime
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import requests
from lxml import etree
from perfdoc import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
OAI = "{http://www.openarchives.org/OAI/2.0/}"
TARGET_RECORDS_PER_SECOND = 2000
BENCH_MARK = "oai-bench"  # storage_folder prefix of generated datasets

sys.path.insert(0, str(ROOT))


def bench_database_url(name: str) -> str:
    base = os.environ.get("PORTAL_DATABASE_URL", "postgres://portal:portal@127.0.0.1:25432/portal")
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("PORTAL_DATABASE_URL must point to PostgreSQL (the benchmark uses COPY).")
    return urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
            print(f"created database {parts.path.lstrip('/')}")


def rendered_store(url: str, *, truncate: bool = False) -> int:
    """Bytes of the stored renderings (oaipmh_renderedmetadata); empty it first if asked."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if truncate:
            conn.execute("TRUNCATE oaipmh_renderedmetadata")
        return conn.execute("SELECT pg_total_relation_size('oaipmh_renderedmetadata')").fetchone()[
            0
        ]


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


# --------------------------------------------------------------------------- data
WORDS = [
    "lysozyme",
    "ferritin",
    "perovskite",
    "zeolite",
    "cellulose",
    "graphene",
    "catalyst",
    "battery",
    "cathode",
    "protein",
    "membrane",
    "alloy",
    "magnet",
    "superconductor",
    "polymer",
    "micelle",
    "crystal",
    "powder",
    "thin",
    "film",
    "nanoparticle",
    "hydrogel",
    "concrete",
    "fossil",
    "meteorite",
    "enzyme",
    "virus",
    "lipid",
    "glass",
    "ceramic",
]
TECHNIQUE_IDS = ["PaNET01188", "PaNET01190", "PaNET01205", "PaNET01216", "PaNET01164"]


def _reference_rows():
    """Facilities, instruments, an owner group; returns their ids and the technique ids."""
    from django.contrib.auth.models import Group

    from catalogue.models import Facility, Instrument, Technique
    from catalogue.panet import PANET_BASE

    facilities = []
    for code, name in (
        ("bench-esrf", "Benchmark Synchrotron"),
        ("bench-ill", "Benchmark Neutron Source"),
        ("bench-xfel", "Benchmark Free-Electron Laser"),
        ("bench-muon", "Benchmark Muon Source"),
    ):
        facility, _ = Facility.objects.get_or_create(
            code=code, defaults={"name": name, "ror": "https://ror.org/02550n020"}
        )
        facilities.append(facility)
    instruments = []
    for facility in facilities:
        for i in range(3):
            instrument, _ = Instrument.objects.get_or_create(
                code=f"{facility.code}-bl{i}",
                defaults={"facility": facility, "name": f"Beamline {i}"},
            )
            instruments.append(instrument)
    group, _ = Group.objects.get_or_create(name="bench-owners")
    techniques = list(
        Technique.objects.filter(iri__in=[PANET_BASE + t for t in TECHNIQUE_IDS]).values_list(
            "id", flat=True
        )
    )
    return instruments, group.pk, techniques


def generate(target: int) -> int:
    """Add published datasets (1% withdrawn) until the database holds ``target`` of ours."""
    from django.conf import settings
    from django.db import connection
    from tqdm import tqdm

    from catalogue.models import Dataset

    have = Dataset.objects.filter(storage_folder__startswith=BENCH_MARK).count()
    if have >= target:
        return have
    instruments, group_id, techniques = _reference_rows()
    rng = random.Random(have)
    start_id = (Dataset.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    base = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    span = 6 * 365 * 86400
    columns = [
        "id",
        "pid",
        "doi",
        "title",
        "additional_titles",
        "description",
        "additional_descriptions",
        "publisher",
        "publisher_identifier",
        "publication_year",
        "resource_type_general",
        "resource_type",
        "keywords",
        "subjects",
        "license",
        "language",
        "version",
        "collection_start",
        "collection_end",
        "dates",
        "sample_name",
        "sample_description",
        "scientific_metadata",
        "storage_folder",
        "download_base_url",
        "file_count",
        "total_size",
        "file_formats",
        "status",
        "embargo_until",
        "withdrawal_reason",
        "created_at",
        "updated_at",
        "published_at",
        "withdrawn_at",
        "owner_group_id",
        "facility_id",
        "instrument_id",
    ]
    count = target - have
    print(f"generating {count:,} datasets ({have:,} present)")
    with connection.cursor() as cursor, tqdm(total=count, unit="rec", unit_scale=True) as bar:
        raw = cursor.cursor
        with raw.copy(f"COPY catalogue_dataset ({', '.join(columns)}) FROM STDIN") as copy:
            for n in range(count):
                i = start_id + n
                words = rng.sample(WORDS, 3)
                inst = instruments[i % len(instruments)]
                changed = base + datetime.timedelta(seconds=rng.randrange(span))
                withdrawn = i % 100 == 0
                copy.write_row(
                    (
                        i, uuid.UUID(int=rng.getrandbits(128), version=4),
                        f"{settings.DATACITE_PREFIX}/bench.{i:08d}",
                        f"{words[0].title()} {words[1]} measured with {words[2]} contrast, run {i}",
                        "[]",
                        f"Measurements of {words[0]} and {words[1]} at {inst.facility.name}. "
                        + "The sample was held at 300 K while the detector recorded frames. " * 4,
                        "[]", inst.facility.name, "https://ror.org/02550n020", changed.year,
                        "Dataset", "raw", json.dumps(words), "[]", "CC-BY-4.0", "en", "1",
                        changed - datetime.timedelta(days=3), changed - datetime.timedelta(days=2),
                        "[]", f"{words[0]} sample", "", json.dumps(
                            {"temperature": {"value": 300, "unit": "K"},
                             "energy": {"value": 12.4, "unit": "keV"}}
                        ),
                        f"{BENCH_MARK}/{i}", "", 12, 123_456_789, '["application/x-hdf5"]',
                        "withdrawn" if withdrawn else "published", None,
                        "Superseded." if withdrawn else "", changed, changed, changed,
                        changed if withdrawn else None, group_id, inst.facility_id, inst.pk,
                    )
                )  # fmt: skip
                if n % 5000 == 4999:
                    bar.update(5000)
            bar.update(count % 5000)
        print("creators and techniques")
        with raw.copy(
            "COPY catalogue_creator (position, name, name_type, given_name, family_name, orcid,"
            " affiliation, affiliation_ror, dataset_id) FROM STDIN"
        ) as copy:
            for i in range(start_id, start_id + count):
                copy.write_row((0, "Okafor, Amara", "Personal", "Amara", "Okafor",
                                "0000-0002-1825-0097", "Benchmark Synchrotron",
                                "https://ror.org/02550n020", i))  # fmt: skip
                copy.write_row((1, "Lindqvist, Erik", "Personal", "Erik", "Lindqvist", "",
                                "", "", i))  # fmt: skip
        with raw.copy(
            "COPY catalogue_dataset_techniques (dataset_id, technique_id) FROM STDIN"
        ) as c:
            for i in range(start_id, start_id + count):
                for t in {techniques[i % 5], techniques[(i // 7) % 5]}:
                    c.write_row((i, t))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('catalogue_dataset', 'id'), "
            "(SELECT max(id) FROM catalogue_dataset))"
        )
    with connection.cursor() as cursor:
        for table in ("catalogue_dataset", "catalogue_creator", "catalogue_dataset_techniques"):
            cursor.execute(f"ANALYZE {table}")
    return target


# --------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with one sync worker on loopback; memory of the worker is sampled."""

    def __init__(self, env: dict, port: int):
        self.url = f"http://127.0.0.1:{port}/oai"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "300",
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        self.peak_sampled = 0
        self.loads: list[float] = []  # 1-minute load average, sampled
        self._stop = threading.Event()
        for _ in range(300):
            try:
                requests.get(self.url, params={"verb": "Identify"}, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not answer")
        children = psutil.Process(self.process.pid).children()
        self.worker = children[0] if children else psutil.Process(self.process.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        ticks = 0
        while not self._stop.wait(0.2):
            ticks += 1
            if ticks % 25 == 0:
                self.loads.append(os.getloadavg()[0])
            try:
                self.peak_sampled = max(self.peak_sampled, self.worker.memory_info().rss)
            except psutil.Error:
                return

    def rss(self) -> int:
        return self.worker.memory_info().rss

    def high_water_mark(self) -> int:
        """VmHWM: the kernel's record of the worker's peak resident set, in bytes."""
        for line in Path(f"/proc/{self.worker.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return self.peak_sampled

    def stop(self) -> None:
        self._stop.set()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def harvest(server: Server, prefix: str, expected: int) -> dict:
    from tqdm import tqdm

    session = requests.Session()
    # Loopback: compression would only add CPU on both ends (the portal gzips on request).
    session.headers["Accept-Encoding"] = "identity"
    params = {"verb": "ListRecords", "metadataPrefix": prefix}
    latencies, seen, deleted, requests_made = [], set(), 0, 0
    rss_after_first = None
    cpu_before = sum(server.worker.cpu_times()[:2])
    started = time.perf_counter()
    with tqdm(total=expected, unit="rec", unit_scale=True, desc=f"harvest {expected:,}") as bar:
        for _ in range(expected + 10):  # bounded: one request per record at worst
            t0 = time.perf_counter()
            # Parse while the server still writes: the response streams, and a harvester that
            # reads it incrementally overlaps its own work with the server's.
            parser = etree.XMLPullParser(events=("end",), tag=(f"{OAI}header", f"{OAI}error"))
            n = 0
            with session.get(server.url, params=params, timeout=300, stream=True) as response:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    parser.feed(chunk)
                    for _event, element in parser.read_events():
                        if element.tag == f"{OAI}error":
                            raise RuntimeError(f"{element.get('code')}: {element.text}")
                        seen.add(element.findtext(f"{OAI}identifier"))
                        deleted += element.get("status") == "deleted"
                        n += 1
            root = parser.close()
            latencies.append(time.perf_counter() - t0)
            requests_made += 1
            bar.update(n)
            if rss_after_first is None:
                rss_after_first = server.rss()
            token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
            if token is None or not token.text:
                break
            params = {"verb": "ListRecords", "resumptionToken": token.text}
    elapsed = time.perf_counter() - started
    server_cpu = sum(server.worker.cpu_times()[:2]) - cpu_before
    if len(seen) != expected:
        raise RuntimeError(f"harvested {len(seen):,} distinct records, expected {expected:,}")
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "records": len(seen),
        "deleted": deleted,
        "requests": requests_made,
        "seconds": elapsed,
        "rate": len(seen) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "rss_first": rss_after_first,
        "server_cpu": server_cpu,
        "capacity": len(seen) / server_cpu if server_cpu else 0.0,
    }


# --------------------------------------------------------------------------- report
def report(results: list[dict], args) -> str:
    mib = 2**20
    rows = "\n".join(
        f"| {r['size']:,} | {r['mode']} | {r['page_size']} "
        f"| {r['records']:,} ({r['deleted']:,} deleted) "
        f"| {r['requests']:,} "
        f"| {r['seconds']:.0f} s | **{r['rate']:,.0f}** "
        f"| {r['rate'] / TARGET_RECORDS_PER_SECOND:.1f}x "
        f"| {r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f} "
        f"| {r['capacity']:,.0f} | {r['load']:.1f} "
        f"| {r['rss_first'] / mib:.0f} MiB | **{r['peak'] / mib:.0f} MiB** |"
        for r in results
    )
    growth = ""
    same_page = [r for r in results if r["page_size"] == args.page_size and r["mode"] == "first"]
    if len(same_page) > 1:
        small, large = same_page[0], same_page[-1]
        growth = (
            f"\nFrom {small['size']:,} to {large['size']:,} records "
            f"({large['size'] / small['size']:.0f} times the data) the worker's peak "
            f"resident memory went from {small['peak'] / mib:.0f} MiB to "
            f"{large['peak'] / mib:.0f} MiB ({(large['peak'] - small['peak']) / mib:+.0f} MiB"
            f", {100 * (large['peak'] / small['peak'] - 1):+.0f}%).\n"
        )
    costs = {}
    for r in results:
        if r["mode"] == "first":
            costs.setdefault(r["page_size"], []).append(
                1000 / r["capacity"] if r["capacity"] else 0
            )
    cost_text = ", ".join(
        f"{min(v):.2f} to {max(v):.2f} ms at page size {p}"
        if len(v) > 1
        else f"{v[0]:.2f} ms at page size {p}"
        for p, v in sorted(costs.items())
    )
    store = max(r["store_bytes"] for r in results) / mib
    largest = max(r["size"] for r in results)
    reading = (
        "\nReading the numbers: records/s is what the harvester saw on this shared machine. "
        "A *first* harvest renders every record (snapshot and DataCite XML, the shared "
        f"mapping `doi/datacite.py`: {cost_text} of server CPU per record) and stores the "
        "result; a *repeat* harvest reads the stored renderings "
        "(`oaipmh.models.RenderedMetadata`, valid only for the record's datestamp and the "
        "current mapping code and settings). The benchmark loads its records in bulk, "
        "outside the portal's services, so its first harvest renders them all: that is "
        "the case after an upgrade that changed the mapping, before `manage.py oai_render` "
        "ran. Records published or changed through the portal are rendered by a Celery "
        "task right after their change, so harvests of them read, as in the *repeat* rows. "
        f"The stored renderings of {largest:,} records in `{args.prefix}` take "
        f"{store:,.0f} MiB in PostgreSQL. Each response also pays a fixed few milliseconds "
        "(request, keyset queries, token), which a larger PORTAL_OAI_PAGE_SIZE spreads over "
        "more records.\n"
    )
    return f"""## OAI-PMH: full ListRecords harvests

`{" ".join(["benchmarks/oai.py", *sys.argv[1:]])}` ({datetime.date.today().isoformat()}).
Machine: {machine()}, shared with other work while it ran.

Each run fills the dedicated database `{args.database}_<size>` (PostgreSQL, COPY) with published
datasets (2 creators with ORCID/ROR, 1 or 2 PaNET techniques, facility, instrument, scientific
metadata; 1% withdrawn, so deleted headers are part of the list), starts the portal under
gunicorn (one sync worker) on 127.0.0.1 and harvests **everything** as `{args.prefix}` over
HTTP (uncompressed: on loopback gzip would only cost CPU), following the resumption tokens
until the empty one (page size: PORTAL_OAI_PAGE_SIZE,
default 100; one more run shows a larger page); the harvester checks that it received every
record exactly once. Latencies are per response (p50 / p95 / p99, ms). Memory is the gunicorn
worker's peak resident set (VmHWM), a fresh worker for each run; "after the first response"
shows the warm baseline.
"Records per server CPU-second" divides the records by the CPU time the gunicorn worker used:
the portal's own cost per record, whatever else the shared machine was running (PostgreSQL
and the harvester run beside it, on the other core). "Load average" is the machine's 1-minute
load during the run: above 2 (the core count), other work took CPU from the server, and
records/s falls below what the CPU cost allows.
Target: ≥ {TARGET_RECORDS_PER_SECOND:,} records/s (ratio in the table) and memory that
does not grow with the number of records.

| records in repository | harvest | page size | harvested | responses | time | records/s \
| vs target | p50 / p95 / p99 ms | records per server CPU-second | load average \
| RSS after first response | peak RSS |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}
{growth}{reading}
Why it stays flat and fast: every response is one keyset query on the
`dataset_record_changed` index ((datestamp, pid)), so page 10,000 costs what page 1 does;
metadata is read (or rendered and stored) in batches of 200 and streamed; the resumption
token carries the whole state (no server-side session), and `completeListSize` is counted
once, at the start of a harvest, then carried in the tokens.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--database", default="portal_oai_bench", help="name prefix; one database per size"
    )
    parser.add_argument("--prefix", default="oai_datacite")
    parser.add_argument("--page-size", type=int, default=100, help="PORTAL_OAI_PAGE_SIZE")
    parser.add_argument(
        "--extra-page-sizes",
        type=int,
        nargs="*",
        default=[500],
        help="also harvest the smallest size with these page sizes",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch performance.md")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

    # Per size: a first harvest from an empty rendering store (it renders and stores every
    # record), then a repeat harvest by a fresh server process (it reads what was stored).
    runs = []
    for size in sorted(args.sizes):
        runs += [(size, args.page_size, "first"), (size, args.page_size, "repeat")]
        if size == min(args.sizes):
            runs += [(size, page, "repeat") for page in args.extra_page_sizes]
    results = []
    for size, page_size, mode in runs:
        url = bench_database_url(f"{args.database}_{size}")
        ensure_database(url)
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_DEBUG": "false",
               "PORTAL_OAI_PAGE_SIZE": str(page_size)}  # fmt: skip
        env.pop("PORTAL_REQUIRE_SERVICES", None)
        manage(env, "migrate", "--noinput", "-v0")
        # Generate in a child process bound to this size's database.
        subprocess.run(
            [sys.executable, __file__, "--generate", str(size)], cwd=ROOT, env=env, check=True
        )
        if mode == "first":
            rendered_store(url, truncate=True)
        server = Server(env, free_port())
        try:
            result = harvest(server, args.prefix, size)
            result["peak"] = server.high_water_mark()
            result["peak_sampled"] = server.peak_sampled
            result["load"] = statistics.mean(server.loads) if server.loads else os.getloadavg()[0]
        finally:
            server.stop()
        result["size"] = size
        result["page_size"] = page_size
        result["mode"] = mode
        result["store_bytes"] = rendered_store(url)
        results.append(result)
        print(
            f"{size:,} (page {page_size}, {mode} harvest): {result['rate']:,.0f} records/s, "
            f"{result['seconds']:.0f} s, "
            f"{result['capacity']:,.0f} records per worker CPU-second, "
            f"peak RSS {result['peak'] / 2**20:.0f} MiB "
            f"(sampled {result['peak_sampled'] / 2**20:.0f} MiB), "
            f"p50/p95/p99 {result['p50']:.0f}/{result['p95']:.0f}/{result['p99']:.0f} ms"
        )
    text = report(results, args)
    print(text)
    if not args.no_write:
        written = write_section("oai", text)
        print(f"written to {written.relative_to(ROOT)}")


def generate_main(size: int) -> None:
    import django

    django.setup()
    have = generate(size)
    if have > size:
        sys.exit(f"the database holds {have:,} benchmark records, more than {size:,}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        generate_main(int(sys.argv[2]))
    else:
        main()
