#!/usr/bin/env python3
"""Elasticsearch CPU per search: the load mix's searches replayed against ``make prod``.

    make prod                                        # the stack (3 nodes, 100,000 datasets)
    .venv/bin/python benchmarks/search_es_cpu.py     # the stack's portal, 2 rounds of 45 s
    .venv/bin/python benchmarks/search_es_cpu.py \\
        --portal main=http://127.0.0.1:28080 --portal mine=http://127.0.0.1:29901

The four search requests of ``benchmarks/load.py`` (search page, search page with facets,
API search, API search with conditions: the same weights, query strings and credentials)
are sent at a fixed rate (``--rate`` searches/s, open loop), while one ingestor writes at
the load mix's pace (``--write-rate`` drafts/s, each created, given 20 files and
PATCHed: three index updates), so the index refreshes as it does under the load run.

Each ``--portal`` (a name and a base URL: e.g. the stack's gunicorn and another gunicorn
started from another tree with the stack's PORTAL_* lines) runs for ``--seconds`` per round,
the portals alternating, so they are measured side by side under the same machine load.
For each phase: the CPU time (user + system, /proc) of the stack's Elasticsearch
processes per search (the writes' indexing included, as in the load run's figure), and
from ``_nodes/stats`` the shard queries, the shard request cache's hits and misses and
the refreshes. ``--refresh NAME=5s`` sets the live index's refresh interval during NAME's
phases (and puts the one found back at the end), to compare intervals side by side.
Results go to docs/performance.md, section ``es-search-cpu`` (``--section``; ``--no-write``
prints only).
"""

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("PORTAL_LOAD_NO_LOCUST", "1")  # load.py's scenario data, not Locust

import load  # noqa: E402

# (weight, name, path maker, authenticated): load.PortalUser's search tasks.
SEARCHES = [
    (6, "search page", lambda: f"/search/?q={random.choice(load.QUERIES)}", False),
    (4, "search page, facets", lambda: f"/search/?{random.choice(load.FACETED)}", False),
    (3, "API search, conditions", lambda: f"/api/v1/search?{random.choice(load.CONDITIONS)}",
     True),
    (5, "API search", lambda: f"/api/v1/search?q={random.choice(load.QUERIES)}", True),
]  # fmt: skip
STAT_KEYS = ("query_total", "rc_hit", "rc_miss", "refresh", "index_total")


def es_stats(es_url: str) -> dict[str, int]:
    url = f"{es_url}/_nodes/stats/indices"  # the stack's own http:// URL
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        nodes = json.load(response)["nodes"].values()
    total = dict.fromkeys(STAT_KEYS, 0)
    for node in nodes:
        indices = node["indices"]
        total["query_total"] += indices["search"]["query_total"]
        total["rc_hit"] += indices["request_cache"]["hit_count"]
        total["rc_miss"] += indices["request_cache"]["miss_count"]
        total["refresh"] += indices["refresh"]["external_total"]
        total["index_total"] += indices["indexing"]["index_total"]
    return total


def _es(es_url: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    # The stack's own http:// URL.
    request = urllib.request.Request(es_url + path, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response)


def refresh_interval(es_url: str) -> str | None:
    """The live index's refresh interval (None: Elasticsearch's default, 1 s)."""
    body = _es(es_url, "GET", "/portal-datasets/_settings")
    return next(iter(body.values()))["settings"]["index"].get("refresh_interval")


def set_refresh_interval(es_url: str, interval: str | None) -> None:
    _es(es_url, "PUT", "/portal-datasets/_settings", {"index": {"refresh_interval": interval}})


def es_cpu(prod_dir: str | None) -> float:
    return load.cpu_seconds(prod_dir).get("elasticsearch", 0.0)


class Phase:
    """One portal for ``seconds``: paced searches on ``clients`` threads, one writer."""

    def __init__(self, base: str, token: str, group: str, args):
        import requests

        self.base, self.args = base.rstrip("/"), args
        self.auth = {"Authorization": f"Bearer {token}"}
        self.group = group
        self.sessions = threading.local()
        self.requests = requests
        self.lock = threading.Lock()
        self.done: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.writes = 0

    def _session(self):
        if not hasattr(self.sessions, "s"):
            self.sessions.s = self.requests.Session()
        return self.sessions.s

    def _count(self, table: dict, name: str) -> None:
        with self.lock:
            table[name] = table.get(name, 0) + 1

    def _searcher(self, start: float, n_clients: int, index: int) -> None:
        weights = [w for w, *_ in SEARCHES]
        interval = n_clients / self.args.rate
        due = start + index * interval / n_clients
        while due < start + self.args.seconds:
            time.sleep(max(0.0, due - time.time()))
            _, name, path, authenticated = random.choices(SEARCHES, weights)[0]
            try:
                r = self._session().get(
                    self.base + path(), headers=self.auth if authenticated else {}, timeout=30
                )
                self._count(self.done if r.status_code == 200 else self.failed, name)
            except self.requests.RequestException:
                self._count(self.failed, name)
            due += interval

    def _writer(self, start: float) -> None:
        if self.args.write_rate <= 0:
            return
        s = self._session()
        due = start
        while due < start + self.args.seconds:
            time.sleep(max(0.0, due - time.time()))
            n = random.getrandbits(48)
            body = {
                "title": f"Load test scan {n}",
                "description": "A draft written by the search CPU benchmark.",
                "owner_group": self.group,
                "storage_folder": f"load-writes/{n}",
                "scientific_metadata": {"temperature": {"value": 293, "unit": "K"}},
            }
            try:
                r = s.post(f"{self.base}/api/v1/datasets", json=body, headers=self.auth, timeout=30)
                if r.status_code == 201:
                    pid = r.json()["pid"]
                    files = [{"path": f"raw/frame_{i:05d}.h5", "size": 104_857_600}
                             for i in range(20)]  # fmt: skip
                    s.post(f"{self.base}/api/v1/datasets/{pid}/files", json={"files": files},
                           headers=self.auth, timeout=30)  # fmt: skip
                    got = s.get(f"{self.base}/api/v1/datasets/{pid}", headers=self.auth, timeout=30)
                    s.patch(f"{self.base}/api/v1/datasets/{pid}", json={"keywords": ["load"]},
                            headers={**self.auth, "If-Match": got.headers.get("ETag", "")},
                            timeout=30)  # fmt: skip
                    self.writes += 1
            except self.requests.RequestException:
                pass
            due += 1 / self.args.write_rate

    def run(self) -> None:
        start = time.time() + 0.5
        threads = [
            threading.Thread(target=self._searcher, args=(start, self.args.clients, i))
            for i in range(self.args.clients)
        ] + [threading.Thread(target=self._writer, args=(start,))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def run(args) -> str:
    env = load.stack_env(args.prod_dir)
    es_url = env["PORTAL_ELASTICSEARCH_URL"].split(",")[0]
    portals = [p.split("=", 1) for p in args.portal] or [["stack", env["PORTAL_BASE_URL"]]]
    intervals = dict(r.split("=", 1) for r in args.refresh)
    token, group = load.write_token(env)
    rows = []
    load_start = os.getloadavg()[0]
    interval_before = refresh_interval(es_url)
    try:
        for round_no in range(args.rounds):
            for name, base in portals:
                interval = intervals.get(name, interval_before)
                if args.refresh:
                    set_refresh_interval(es_url, interval)
                rows.append(_phase(args, es_url, name, base, token, group, round_no, interval))
    finally:
        if args.refresh:
            set_refresh_interval(es_url, interval_before)
    return _report(args, rows, portals, load_start)


def _phase(args, es_url, name, base, token, group, round_no, interval) -> dict:
    phase = Phase(base, token, group, args)
    cpu0, stats0, t0 = es_cpu(args.prod_dir), es_stats(es_url), time.time()
    phase.run()
    time.sleep(2)  # the last writes' index updates (Celery) land in this phase
    cpu = es_cpu(args.prod_dir) - cpu0
    stats = {k: v - stats0[k] for k, v in es_stats(es_url).items()}
    searches = sum(phase.done.values())
    looked = stats["rc_hit"] + stats["rc_miss"]
    row = {
        "round": round_no + 1, "portal": name, "seconds": time.time() - t0,
        "searches": searches, "failed": sum(phase.failed.values()),
        "writes": phase.writes, "es_cpu": cpu, "load": os.getloadavg()[0],
        "ms_per_search": 1000 * cpu / max(searches, 1),
        "hit_rate": stats["rc_hit"] / looked if looked else 0.0, **stats,
        "interval": interval or "1s (default)",
    }  # fmt: skip
    print(
        f"[es-cpu] round {row['round']} {name}: {searches} searches"
        f" ({row['failed']} failed), {phase.writes} writes, ES {cpu:.1f} core-s ="
        f" {row['ms_per_search']:.1f} ms/search; request cache {stats['rc_hit']} hits"
        f" / {stats['rc_miss']} misses ({100 * row['hit_rate']:.0f} %),"
        f" {stats['refresh']} refreshes (interval {row['interval']}),"
        f" load {row['load']:.1f}",
        flush=True,
    )
    return row


def _report(args, rows, portals, load_start) -> str:
    from perfdoc import machine, write_section

    lines = [
        "## Elasticsearch CPU per search (the load mix's searches, replayed)",
        "",
        "`.venv/bin/python benchmarks/search_es_cpu.py "
        + " ".join(f"--portal {n}={b}" for n, b in portals)
        + "".join(f" --refresh {r}" for r in args.refresh)
        + f" --rate {args.rate:g} --write-rate {args.write_rate:g} --seconds {args.seconds:g}"
        f" --rounds {args.rounds}` on {time.strftime('%Y-%m-%d %H:%M UTC')} against"
        f" `make prod` — {machine()}. 1-minute load average {load_start:.1f} at the start."
        " Searches of the four kinds of `load.py` at a fixed rate, with an ingestor writing"
        " drafts (three index updates each) meanwhile; CPU of every Elasticsearch process"
        " (the writes' indexing included) divided by the searches answered.",
        "",
        "| round | portal | refresh interval | searches | failed | drafts written | ES core-s"
        " | ES ms CPU per search | request cache hits / misses | hit rate | shard queries"
        " | refreshes | load |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['round']} | {r['portal']} | {r['interval']} | {r['searches']} | {r['failed']} |"
            f" {r['writes']} |"
            f" {r['es_cpu']:.1f} | **{r['ms_per_search']:.1f}** | {r['rc_hit']} / {r['rc_miss']}"
            f" | {100 * r['hit_rate']:.0f} % | {r['query_total']} | {r['refresh']} |"
            f" {r['load']:.1f} |"
        )
    section = "\n".join(lines)
    if not args.no_write:
        write_section(args.section, section)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prod-dir", help="the stack (default: make prod's)")
    parser.add_argument(
        "--portal",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="a portal to measure (repeat to compare side by side; default: the stack's)",
    )
    parser.add_argument(
        "--refresh",
        action="append",
        default=[],
        metavar="NAME=INTERVAL",
        help="the live index's refresh interval during NAME's phases (e.g. es20=5s; the others"
        " and the end: the interval found at the start)",
    )
    parser.add_argument("--rate", type=float, default=6.0, help="searches per second")
    parser.add_argument("--write-rate", type=float, default=0.5, help="drafts per second")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--section", default="es-search-cpu")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    print(run(parser.parse_args()))


if __name__ == "__main__":
    main()
