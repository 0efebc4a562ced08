#!/usr/bin/env python3
"""PaNOSC API benchmark: the spec's example queries and a federated-portal mix, side by side
with the catalogue search API's equivalent search, over HTTP, on Elasticsearch.

    scripts/services.sh createdb portal_panosc_bench      # once: a database of its own
    PORTAL_DATABASE_URL=postgres://portal:portal@127.0.0.1:25432/portal_panosc_bench \\
        .venv/bin/python benchmarks/panosc.py              # 100,000 synthetic datasets
    ... benchmarks/panosc.py --datasets 1000000            # a million
    ... --load-only (load and keep), then --reuse [--no-rows] to measure what is loaded
    ... --datasets 1000000 --reuse-index --no-rows   # an index loaded earlier: builds the
                                                      # documents index, then measures all

1. Generates N synthetic datasets with benchmarks/search.py's generator (the same records,
   seed for seed), grouped into proposals (~25 datasets of one facility each) and with every
   50th dataset a supplement of a paper, and bulk-indexes them (worker processes through the
   portal's own ``dataset_to_document``) into a fresh index built from the project's mapping;
   then writes the same records as rows, by worker processes (Instruments and file
   includes read them; Datasets and Documents are served from the indices). Then the PaNOSC
   documents index: from the rows as ``manage.py reindex`` builds it, or with ``--no-rows``
   (no rows at all) from the same generator and seeds, by the portal's own functions
   (``panosc.index.document_source``, ``selectors.document_members``). A reused dataset
   index (``--reuse``, ``--reuse-index``) is never dropped.
2. Serves the portal with gunicorn on loopback and runs, interleaved, each PaNOSC request and
   the equivalent ``GET /api/v1/search`` (where one exists): warm-up, a check that both
   return the same datasets in the same order, then ``--rounds`` timed rounds.
3. Writes p50/p95 per query and the PaNOSC/catalogue median ratio into docs/performance.md
   between ``<!-- panosc:start -->`` and ``<!-- panosc:end -->`` (one block per N).

The database named by PORTAL_DATABASE_URL is emptied first: its name must contain "bench".
Loopback only; the benchmark index is deleted at the end (``--keep`` keeps it and the rows,
``--reuse`` measures them again without loading).
"""

import argparse
import dataclasses
import datetime
import functools
import http.client
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import search as catalogue_bench  # benchmarks/search.py: generation, loading, serving
from perfdoc import machine, read_section, write_section

ROOT = Path(__file__).resolve().parent.parent
PROPOSAL_SPAN = 400  # consecutive datasets per proposal group (~25 per facility)
PUBLICATION_EVERY = 50
SAXS = "small angle x-ray scattering"


def _parameters(where):
    return {"relation": "parameters", "scope": {"where": where}}


def _technique(name):
    return {"relation": "techniques", "scope": {"where": {"name": name}}}


# (category, label, PaNOSC path, PaNOSC params, catalogue /api/v1/search params or None)
QUERIES = [
    ("spec example", "datasets by technique", "Datasets",
     {"filter": {"include": [_technique(SAXS)]}}, {"technique": SAXS, "page_size": 100}),
    ("spec example", "photon energy range in eV", "Datasets",
     {"filter": {"include": [_parameters({"and": [
         {"name": "energy"}, {"value": {"between": [12000, 12500]}}, {"unit": "eV"}]})]}},
     {"cond": "energy:between:12000..12500:eV", "page_size": 100}),
    ("spec example", "monochromator or edge element", "Datasets",
     {"filter": {"include": [_parameters({"or": [
         {"and": [{"name": "monochromator"}, {"value": "Si(311)"}]},
         {"and": [{"name": "edge.element"}, {"value": "Cu"}]}]})]}}, None),
    ("spec example", "temperature below 80 degC", "Datasets",
     {"filter": {"include": [_parameters({"and": [
         {"name": "sample.temperature"}, {"value": {"lt": 80}}, {"unit": "celsius"}]})]}},
     {"cond": "sample.temperature:lt:80:degC", "page_size": 100}),
    ("spec example", "proposals with PI, datasets", "Documents",
     {"filter": {"where": {"type": "proposal"}, "limit": 20, "include": [
         {"relation": "datasets", "scope": {"limit": 5}},
         {"relation": "members", "scope": {"where": {"role": "principal investigator"},
                                           "include": ["person"]}}]}}, None),
    ("spec example", "documents with datasets in a wavelength range", "Documents",
     {"filter": {"limit": 20, "include": [{"relation": "datasets", "scope": {"limit": 5,
         "include": [_parameters({"and": [{"name": "wavelength"},
                                          {"value": {"between": [1.0, 1.1]}},
                                          {"unit": "angstrom"}]})]}}]}}, None),
    ("spec example", "instruments by name", "Instruments",
     {"filter": {"where": {"name": "ID02"}}}, None),
    ("spec example", "instruments of a facility, paged", "Instruments",
     {"filter": {"where": {"facility": "ESRF"}, "skip": 3, "limit": 3}}, None),
    ("federated", "query + technique + energy range + include", "Datasets",
     {"query": "scattering", "filter": {"limit": 25, "include": [
         _technique(SAXS),
         _parameters({"and": [{"name": "energy"}, {"value": {"between": [12, 12.5]}},
                              {"unit": "keV"}]})]}},
     {"q": "scattering", "technique": SAXS, "cond": "energy:between:12..12.5:keV",
      "page_size": 25}),
    ("federated", "query + temperature range", "Datasets",
     {"query": "temperature", "filter": {"limit": 25, "include": [_parameters({"and": [
         {"name": "sample.temperature"}, {"value": {"between": [250, 350]}}, {"unit": "K"}]})]}},
     {"q": "temperature", "cond": "sample.temperature:between:250..350:K", "page_size": 25}),
    ("federated", "query + includes", "Datasets",
     {"query": "protein crystallography",
      "filter": {"limit": 50, "include": ["techniques", "instrument", "samples"]}},
     {"q": "protein crystallography", "page_size": 50}),
    ("federated", "broader technique (narrower ones match)", "Datasets",
     {"filter": {"limit": 25, "include": [_technique("x-ray absorption")]}},
     {"technique": "x-ray absorption", "page_size": 25}),
    ("federated", "count with query", "Datasets/count", {"query": "diffraction"},
     {"q": "diffraction", "page_size": 1}),
    ("federated", "list, page 3", "Datasets", {"filter": {"limit": 25, "skip": 50}},
     {"page": 3, "page_size": 25}),
]  # fmt: skip


def _encode(params: dict) -> str:
    return urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}, doseq=True
    )


# -------------------------------------------------------------------- generation --
@functools.cache
def _instrument_codes() -> dict[str, str]:
    """Instrument name -> the code its database row gets (load_database, in _world's order)."""
    _, instruments, _, _ = catalogue_bench._world()
    codes: dict[str, str] = {}
    for fac, name, _spec in instruments:
        codes.setdefault(name, f"{fac.code}-{len(codes)}")
    return codes


def record(i: int, rng: random.Random):
    """search.py's synthetic dataset i, with what the benchmark database gives it: its
    proposal (~25 datasets of one facility), a paper for every 50th, the instrument's code,
    techniques once each in label order. The index and the rows hold the same records."""
    from catalogue.snapshot import ProposalSnapshot, RelatedIdentifierSnapshot

    snap, principals = catalogue_bench.snapshot(i, rng)
    code = snap.facility.code
    span = i // PROPOSAL_SPAN
    related = ()
    if i % PUBLICATION_EVERY == 0:
        related = (
            RelatedIdentifierSnapshot(
                identifier=f"10.9999/paper.{i // 200:05d}", identifier_type="DOI",
                relation_type="IsSupplementTo", citation=f"Paper {i // 200} on {snap.sample_name}",
            ),
        )  # fmt: skip
    techniques = sorted({t.iri: t for t in snap.techniques}.values(), key=lambda t: t.label)
    snap = dataclasses.replace(
        snap,
        proposal=ProposalSnapshot(
            proposal_id=f"{code}-{span:05d}", title=_proposal_title(code, span), facility_code=code
        ),
        related_identifiers=related,
        techniques=tuple(techniques),
        instrument=dataclasses.replace(
            snap.instrument, code=_instrument_codes()[snap.instrument.name]
        ),
    )
    return snap, principals


def _proposal_title(code: str, span: int) -> str:
    return f"Beamtime proposal {code.upper()}-{span:05d}"


def bulk_body(task: tuple[str, int, int]) -> tuple[int, bytes]:
    """NDJSON bulk body for datasets [start, start + count) (search.py's, with ``record``)."""
    from catalogue.search.indexing import dataset_to_document

    index, start, count = task
    rng = random.Random(start)  # one seed per chunk: the same data whatever the parallelism
    lines = []
    for i in range(start, start + count):
        snap, principals = record(i, rng)
        lines.append(json.dumps({"index": {"_index": index, "_id": str(i + 1)}}))
        lines.append(json.dumps(dataset_to_document(snap, principals), ensure_ascii=False))
    return count, ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------------- database --
_IDS: dict = {}  # filled before the worker processes fork: database ids by natural key


def _db_chunk(task: tuple[int, int]) -> int:
    """Rows of datasets [start, start + count), in a worker process (its own connection)."""
    from catalogue.models import Dataset, RelatedIdentifier

    start, count = task
    rng = random.Random(start)  # bulk_body's seed: the same records as the index
    through = Dataset.techniques.through
    rows, links, papers = [], [], []
    for i in range(start, start + count):
        snap, _principals = record(i, rng)
        rows.append(
            Dataset(
                pk=i + 1, pid=snap.pid, doi=snap.doi, status=snap.status,
                title=snap.title, description=snap.description,
                publisher=snap.publisher, publication_year=snap.publication_year,
                keywords=list(snap.keywords), license=snap.licence.spdx,
                facility_id=_IDS["facility"][snap.facility.code],
                instrument_id=_IDS["instrument"][snap.instrument.code],
                beamtime_id=_IDS["beamtime"][(snap.facility.code, i // PROPOSAL_SPAN)],
                sample_name=snap.sample_name,
                scientific_metadata=snap.scientific_metadata,
                file_count=snap.file_count, total_size=snap.total_size,
                published_at=snap.published_at,
                collection_start=snap.collection_start,
                collection_end=snap.collection_end,
            )
        )  # fmt: skip
        links += [
            through(dataset_id=i + 1, technique_id=_IDS["technique"][t.iri])
            for t in snap.techniques
            if t.iri in _IDS["technique"]
        ]
        papers += [
            RelatedIdentifier(
                dataset_id=i + 1, identifier=r.identifier, identifier_type=r.identifier_type,
                relation_type=r.relation_type, citation=r.citation,
            )
            for r in snap.related_identifiers
        ]  # fmt: skip
    Dataset.objects.bulk_create(rows, batch_size=count)
    through.objects.bulk_create(links, batch_size=5000)
    RelatedIdentifier.objects.bulk_create(papers)
    return count


def _db_worker(es_url: str, prefix: str) -> None:
    catalogue_bench.setup_django(es_url, prefix)
    from django.db import connections

    connections.close_all()  # never the parent's socket


def load_context() -> tuple[dict, dict]:
    """An empty catalogue with the generator's facilities and instruments (Instruments and
    technique scopes read them): (facilities by code, instrument ids by code)."""
    from django.db import connection

    from catalogue.models import Facility, Instrument

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalogue_dataset, catalogue_beamtime, catalogue_proposal, "
            "catalogue_instrument, catalogue_facility RESTART IDENTITY CASCADE"
        )
    _, instruments, _, _ = catalogue_bench._world()
    facilities: dict[str, Facility] = {}
    for fac, _name, _spec in instruments:
        if fac.code not in facilities:
            facilities[fac.code] = Facility.objects.create(
                code=fac.code, name=fac.name, short_name=fac.short_name
            )
    codes = _instrument_codes()
    instrument_ids: dict[str, int] = {}
    for fac, name, _spec in instruments:
        if codes[name] not in instrument_ids:
            instrument_ids[codes[name]] = Instrument.objects.create(
                facility=facilities[fac.code], code=codes[name], name=name
            ).pk
    return facilities, instrument_ids


def load_database(n: int, chunk: int, *, processes: int, es_url: str, prefix: str) -> dict:
    """The same synthetic records as the index, as rows: every (facility, span) proposal with
    one beamtime first, then the datasets in chunks by ``processes`` worker processes."""
    from multiprocessing import get_context

    from django.db import connection, connections
    from tqdm import tqdm

    from catalogue.demo import content
    from catalogue.models import Beamtime, Proposal, Technique

    started = time.perf_counter()
    facilities, instrument_ids = load_context()
    people = content.PEOPLE
    spans = range(-(-n // PROPOSAL_SPAN))
    keys = [(code, span) for code in facilities for span in spans]
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                facility=facilities[code], proposal_id=f"{code}-{span:05d}",
                title=_proposal_title(code, span),
                principal_investigator="{1}, {0}".format(*people[(span * 7 + k) % len(people)]),
            )
            for k, (code, span) in enumerate(keys)
        ],
        batch_size=5000,
    )  # fmt: skip
    when = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    beamtimes = Beamtime.objects.bulk_create(
        [Beamtime(proposal=p, beamtime_id="1", start=when, end=when) for p in proposals],
        batch_size=5000,
    )
    _IDS.update(
        facility={c: f.pk for c, f in facilities.items()},
        instrument=instrument_ids,
        beamtime={key: b.pk for key, b in zip(keys, beamtimes, strict=True)},
        technique=dict(Technique.objects.values_list("iri", "id")),
    )
    connections.close_all()
    tasks = [(start, min(chunk, n - start)) for start in range(0, n, chunk)]
    with (
        get_context("fork").Pool(
            processes, initializer=_db_worker, initargs=(es_url, prefix)
        ) as pool,
        tqdm(total=n, unit="rows", desc="Database", mininterval=2) as bar,
    ):
        for count in pool.imap_unordered(_db_chunk, tasks):
            bar.update(count)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('catalogue_dataset','id'), %s)", [n])
        cursor.execute("ANALYZE")
    return {"rows": n, "seconds": time.perf_counter() - started, "proposals": len(keys)}


# ------------------------------------------------------------- documents index --
def _documents_chunk(task: tuple[int, int]) -> list[tuple]:
    """What datasets [start, start + count) give their documents (in a worker process):
    (kind, key, pk, pid, published_at, keywords, creators, citation, licence) per public
    dataset and document, in dataset order. bulk_body's seed: the records of the index."""
    start, count = task
    rng = random.Random(start)
    out = []
    for i in range(start, start + count):
        snap, _principals = record(i, rng)
        if snap.status != "published":  # the gate's public records (access.datasets_public)
            continue
        parts = [(snap.facility.code, i // PROPOSAL_SPAN)]
        common = (i + 1, str(snap.pid), snap.published_at, tuple(snap.keywords), snap.creators)
        out.append(("proposal", parts[0], *common, None, None))
        for r in snap.related_identifiers:
            if r.relation_type == "IsSupplementTo":
                out.append(("publication", r.identifier.lower(), *common, r.citation,
                            snap.licence.spdx if snap.licence else None))  # fmt: skip
    return out


def build_documents_index(n: int, chunk: int, *, processes: int, es_url: str, prefix: str) -> dict:
    """The PaNOSC documents index for the synthetic catalogue, without database rows: the
    same generator and seeds as the dataset index, then each Document as the portal's
    database path builds it (``selectors.all_documents``, its fill functions and
    ``document_members``), written by ``panosc.index`` into a fresh index behind the alias.
    With rows, ``panosc.index.rebuild()`` (what ``manage.py reindex`` runs) does it."""
    from collections import defaultdict
    from multiprocessing import get_context

    from django.utils import timezone
    from tqdm import tqdm

    from catalogue.demo import content
    from panosc import index, selectors

    started = time.perf_counter()
    facilities = list(dict.fromkeys(fac.code for fac, _n, _s in catalogue_bench._world()[1]))
    spans = -(-n // PROPOSAL_SPAN)
    people = content.PEOPLE
    docs: dict = {}
    parts: dict = defaultdict(lambda: {"ids": [], "pids": [], "released": None,
                                       "keywords": {}, "creators": [], "seen": set(),
                                       "citation": None, "licences": set()})  # fmt: skip
    tasks = [(start, min(chunk, n - start)) for start in range(0, n, chunk)]
    with (
        get_context("fork").Pool(
            processes, initializer=_db_worker, initargs=(es_url, prefix)
        ) as pool,
        tqdm(total=n, unit="datasets", desc="Documents", mininterval=2) as bar,
    ):
        for (start, count), rows in zip(tasks, pool.imap(_documents_chunk, tasks), strict=True):
            del start
            for kind, key, pk, pid, published, keywords, creators, citation, licence in rows:
                slot = parts[(kind, key)]
                slot["ids"].append(pk)
                slot["pids"].append(pid)
                if published and (slot["released"] is None or published < slot["released"]):
                    slot["released"] = published
                for k in keywords:
                    slot["keywords"][k] = slot["keywords"].get(k, 0) + 1
                for c in creators:  # the same person twice adds no member: kept once
                    if c not in slot["seen"]:
                        slot["seen"].add(c)
                        slot["creators"].append(c)
                if kind == "publication":
                    slot["citation"] = slot["citation"] or citation
                    slot["licences"].add(licence)
            bar.update(count)
    when = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)  # load_database's beamtimes

    def top(tally: dict) -> list[str]:
        return sorted(tally, key=lambda k: (-tally[k], k))[: selectors.MAX_DOCUMENT_KEYWORDS]

    for (kind, key), slot in parts.items():
        if kind == "proposal":
            code, span = key
            k = facilities.index(code) * spans + span  # load_database's proposal order
            pid = selectors.proposal_pid(facility_code=code, proposal_id=f"{code}-{span:05d}")
            obj = {"pid": pid, "isPublic": True, "type": "proposal",
                   "title": _proposal_title(code, span), "startDate": when, "endDate": when,
                   "releaseDate": slot["released"], "keywords": top(slot["keywords"]),
                   "score": 0.0}  # fmt: skip
            if obj["releaseDate"] is None:
                del obj["releaseDate"]
            pi = "{1}, {0}".format(*people[(span * 7 + k) % len(people)])
            doc_key = ("proposal", k + 1)
        else:
            pid = key
            licences = slot["licences"]
            obj = {"pid": pid, "isPublic": True, "type": "publication",
                   "title": slot["citation"] or pid, "doi": pid,
                   "keywords": top(slot["keywords"]), "score": 0.0,
                   "license": next(iter(licences)) if len(licences) == 1 else None}  # fmt: skip
            obj = {k: v for k, v in obj.items() if v is not None}
            pi = None
            doc_key = ("publication", pid)
        members = selectors.document_members(pid=pid, pi=pi, creators=slot["creators"])
        docs[pid] = index.document_source(
            key=doc_key, obj=obj, ids=slot["ids"], pids=slot["pids"], members=members
        )
    name = f"{index.alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"
    index.create_index(name)
    written = index.write_sources((docs[p] for p in sorted(docs)), index=name, refresh=False)
    from catalogue.search.connection import get_client

    get_client().indices.refresh(index=name)
    index.swap(name)
    return {"documents": written, "seconds": time.perf_counter() - started}


# ----------------------------------------------------------------------- measure --
def measure(port: int, rounds: int, *, documents: bool = True) -> dict:
    from tqdm import tqdm

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(path: str) -> tuple[float, object]:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        elapsed = (time.perf_counter() - t) * 1000
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}: {data}")
        return elapsed, data

    requests = []
    for category, label, path, params, catalogue in QUERIES:
        if path.startswith("Documents") and not documents:
            continue
        panosc = f"/panosc/api/{path}?{_encode(params)}"
        other = f"/api/v1/search?{urlencode(catalogue, doseq=True)}" if catalogue else None
        requests.append((category, label, panosc, other))
    # Warm up (3 passes), and check both sides return the same datasets in the same order.
    for _ in range(3):
        for _category, label, panosc, other in requests:
            _, a = get(panosc)
            if other is None:
                continue
            _, b = get(other)
            if isinstance(a, dict):  # count
                if a["count"] != b["total"]:
                    raise SystemExit(f"{label}: {a['count']} != {b['total']}")
            elif [d["pid"] for d in a] != [h["doi"] or h["pid"] for h in b["results"]]:
                raise SystemExit(f"{label}: PaNOSC and the catalogue search disagree")
    store: dict = {label: {"panosc": [], "catalogue": [], "hits": 0, "load": []}
                   for _c, label, _p, _o in requests}  # fmt: skip
    for _ in tqdm(range(rounds), desc="Queries", unit="round"):
        for _category, label, panosc, other in requests:
            store[label]["load"].append(os.getloadavg()[0])
            a, body = get(panosc)
            store[label]["panosc"].append(a)
            store[label]["hits"] = body["count"] if isinstance(body, dict) else len(body)
            if other:
                b, _ = get(other)
                store[label]["catalogue"].append(b)
    conn.close()
    return store


def _p(values: list[float], p: float) -> str:
    return f"{catalogue_bench.percentile(values, p):.0f}" if values else "-"


def _documents_note(db: dict) -> str:
    built = db.get("documents")
    if not built:
        return " (kept from an earlier run)"
    how = "from the generator, no rows" if "proposals" in db and not db["proposals"] else (
        "from the rows")  # fmt: skip
    return f" ({built['documents']:,} documents built {how} in {built['seconds']:.0f} s)"


def table(n: int, store: dict, args, db: dict, load_stats: dict, es_info: dict) -> str:
    import statistics

    lines = [
        f"<!-- panosc:n={n} -->",
        f"### {n:,} datasets",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}; Elasticsearch "
        f"{es_info['version']} (heap {es_info['heap']}) on the same machine; load average "
        f"{args.load_before:.2f} before, {os.getloadavg()[0]:.2f} after (the machine was shared "
        f"with other work). gunicorn {args.workers} worker x {args.server_threads} threads; "
        f"{args.rounds} rounds, interleaved; milliseconds over HTTP on loopback. PostgreSQL "
        f"connections kept (CONN_MAX_AGE {os.environ['PORTAL_DB_CONN_MAX_AGE']} s). Database: "
        f"{db.get('proposals', '?')} proposals. Documents are served from the PaNOSC "
        f"documents index{_documents_note(db)}.",
        "",
        "| kind | query | hits | PaNOSC p50 | p95 | catalogue API p50 | p95 | ratio (p50) "
        "| load (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for category, label, _path, _params, _catalogue in QUERIES:
        if label not in store:  # not measured (--no-rows: no Documents)
            lines.append(f"| {category} | {label} | | not measured | | | | | |")
            continue
        slot = store[label]
        a, b = slot["panosc"], slot["catalogue"]
        ratio = f"{statistics.median(a) / statistics.median(b):.2f}x" if b else "-"
        load = f"{min(slot['load']):.1f}-{max(slot['load']):.1f}"
        lines.append(
            f"| {category} | {label} | {slot['hits']:,} | {_p(a, 50)} | {_p(a, 95)} | "
            f"{_p(b, 50)} | {_p(b, 95)} | {ratio} | {load} |"
        )
    every = [v for s in store.values() for v in s["panosc"]]
    paired_a = [v for s in store.values() if s["catalogue"] for v in s["panosc"]]
    paired_b = [v for s in store.values() for v in s["catalogue"]]
    lines += [
        f"| all | every PaNOSC query | | {_p(every, 50)} | {_p(every, 95)} | | | | |",
        f"| all | the paired queries | | {_p(paired_a, 50)} | {_p(paired_a, 95)} | "
        f"{_p(paired_b, 50)} | {_p(paired_b, 95)} | "
        f"{statistics.median(paired_a) / statistics.median(paired_b):.2f}x | |",
        "",
        (
            f"Loaded: {load_stats['docs']:,} documents indexed in {load_stats['seconds']:.0f} s"
            if load_stats
            else "Loaded: the index of an earlier run (same generator, same seeds)"
        )
        + (f", {db['rows']:,} rows in {db['seconds']:.0f} s" if "rows" in db else "")
        + f". Reproduce: `benchmarks/panosc.py --n {n}`.",
        f"<!-- panosc:n={n}:end -->",
    ]
    return "\n".join(lines)


INTRO = """## PaNOSC federated search API (`benchmarks/panosc.py`)

Each PaNOSC request (the spec's example queries adapted to the synthetic catalogue's keys,
and a federated-portal mix of `query` + technique + parameter range + includes) next to the
catalogue search API's equivalent `GET /api/v1/search`, measured in the same run on the same
index, interleaved; the ratio is PaNOSC p50 / catalogue p50."""


def write(n: int, block: str) -> Path:
    section = read_section("panosc")
    blocks = dict(
        (int(m.group(1)), m.group(0))
        for m in re.finditer(r"<!-- panosc:n=(\d+) -->.*?<!-- panosc:n=\1:end -->", section, re.S)
    )
    blocks[n] = block
    # The text before the blocks is kept as written (analysis, before/after comparisons).
    intro = section.split("<!-- panosc:n=", 1)[0].strip() or INTRO
    return write_section("panosc", intro + "\n\n" + "\n\n".join(blocks[k] for k in sorted(blocks)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", "--datasets", dest="n", type=int, default=100_000, help="datasets (100,000)"
    )
    parser.add_argument(
        "--es-url", default=os.environ.get("PORTAL_ELASTICSEARCH_URL", "http://127.0.0.1:29200")
    )
    parser.add_argument("--prefix", default="bench-panosc", help="index prefix")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (15)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server-threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the index and the rows")
    parser.add_argument("--reuse", action="store_true", help="measure what is loaded")
    parser.add_argument(
        "--reuse-index", action="store_true", help="keep the loaded index, reload the rows"
    )
    parser.add_argument(
        "--reuse-db", action="store_true", help="keep the loaded rows, rebuild the index"
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch the docs")
    parser.add_argument(
        "--no-rows",
        action="store_true",
        help="no dataset rows (Datasets and Documents are served from the indices): the "
        "documents index is built from the generator",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="load and keep, measure later with --reuse"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (a free one)")
    args = parser.parse_args()
    database = os.environ.get("PORTAL_DATABASE_URL", "")
    if "bench" not in database.rsplit("/", 1)[-1]:
        raise SystemExit("Set PORTAL_DATABASE_URL to a database of its own (name with 'bench').")
    host = re.match(r"https?://([^:/]+)", args.es_url)
    if not host or host.group(1) not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        raise SystemExit("The benchmark only talks to a loopback Elasticsearch.")
    args.load_before = os.getloadavg()[0]
    # As in production (portal/settings/database.py): persistent connections. The catalogue
    # search API never touches the database; the PaNOSC one loads its page of rows.
    os.environ.setdefault("PORTAL_DB_CONN_MAX_AGE", "60")
    # One client sends thousands of requests a minute: the API's per-client throttle
    # (PORTAL_THROTTLE_ANON) would answer 429 long before the measurement ends.
    os.environ.setdefault("PORTAL_THROTTLE_ENABLED", "false")
    catalogue_bench.setup_django(args.es_url, args.prefix)
    sys.path.insert(0, str(ROOT))
    from django.core.management import call_command

    from catalogue.search.connection import get_client
    from catalogue.search.indexing import drop_index

    call_command("migrate", verbosity=0)
    client = get_client()
    node = next(iter(client.nodes.info(metric="jvm")["nodes"].values()))
    heap = node["jvm"]["mem"]["heap_max_in_bytes"]
    es_info = {"version": node["version"], "heap": f"{heap / 2**30:.0f} GiB"}
    db: dict = {}
    load_stats: dict = {}
    if not args.reuse and not args.reuse_index:
        drop_index()
        load_stats = catalogue_bench.load(
            args.n, processes=args.processes, threads=args.threads, chunk=args.chunk,
            es_url=args.es_url, prefix=args.prefix, body=bulk_body,
        )  # fmt: skip
    if args.no_rows:
        load_context()  # facilities and instruments only
        db = {"proposals": 0}
    elif not args.reuse and not args.reuse_db:
        db = load_database(
            args.n, args.chunk, processes=args.processes, es_url=args.es_url, prefix=args.prefix
        )
    else:
        from catalogue.models import Proposal

        db = {"proposals": Proposal.objects.count()}
    # The PaNOSC documents index (Documents are served from it): from the generator without
    # rows, else from the rows as `manage.py reindex` builds it. Kept with --reuse.
    from panosc import index as documents_index

    if (
        args.no_rows
        and args.reuse
        and get_client().indices.exists_alias(name=documents_index.alias_name())
    ):
        pass  # measure again what an earlier --load-only/--keep run built
    elif args.no_rows:
        db["documents"] = build_documents_index(
            args.n, args.chunk, processes=args.processes, es_url=args.es_url, prefix=args.prefix
        )
    elif not args.reuse:
        started = time.perf_counter()
        count = documents_index.rebuild()
        db["documents"] = {"documents": count, "seconds": time.perf_counter() - started}
    print(f"Documents index: {db.get('documents', 'kept')}")
    if args.load_only:
        print(f"Loaded: {load_stats} {db}")
        return
    port = args.port or catalogue_bench.free_port()
    server = catalogue_bench.start_server(
        port, args.es_url, args.prefix, args.workers, args.server_threads
    )
    try:
        store = measure(port, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    block = table(args.n, store, args, db, load_stats, es_info)
    print(block)
    if not args.no_write:
        print(f"Wrote {write(args.n, block).relative_to(ROOT)}")
    if not args.keep and not (args.reuse or args.reuse_index):
        # Only what this run loaded; a reused dataset index stays (and its documents index).
        drop_index()
        documents_index.drop()


if __name__ == "__main__":
    main()
