#!/usr/bin/env python3
"""Where PostgreSQL's time goes during a run: pg_stat_statements and table statistics, as the
difference between two snapshots (no reset, so no superuser is needed).

    .venv/bin/python benchmarks/pgstatements.py --prod-dir DIR snapshot before.json
    ... run something ...
    .venv/bin/python benchmarks/pgstatements.py --prod-dir DIR report before.json [--top 15]

``benchmarks/load.py`` takes the two snapshots itself and prints the report after the run
(``--pg-top N``). The stack's PostgreSQL must load pg_stat_statements (``make prod`` does:
shared_preload_libraries in its portal.conf, the extension in the portal database).
"""

import argparse
import json
import sys
from pathlib import Path

STATEMENTS = """
SELECT queryid::text, query, calls, total_exec_time, rows, shared_blks_hit, shared_blks_read,
       total_plan_time
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
TABLES = """
SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd,
       n_tup_hot_upd, n_tup_del, autovacuum_count, autoanalyze_count, n_live_tup
FROM pg_stat_user_tables
"""
DATABASE = """
SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated,
       tup_deleted FROM pg_stat_database WHERE datname = current_database()
"""
TABLE_FIELDS = ("seq_scan", "seq_tup_read", "idx_scan", "ins", "upd", "hot_upd", "del",
                "autovacuum", "autoanalyze", "live")  # fmt: skip
DB_FIELDS = ("commits", "rollbacks", "tup_returned", "tup_fetched", "inserted", "updated",
             "deleted")  # fmt: skip


def snapshot(dsn: str) -> dict:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            statements = {
                qid: [query, calls, total, rows, hit, read, plan]
                for qid, query, calls, total, rows, hit, read, plan in conn.execute(STATEMENTS)
            }
        except psycopg.Error:  # the extension is not there: tables only
            statements = None
        tables = {name: list(values) for name, *values in conn.execute(TABLES)}
        database = list(conn.execute(DATABASE).fetchone())
    return {"statements": statements, "tables": tables, "database": database}


def _minus(after: list, before: list) -> list:
    return [a - b for a, b in zip(after, before, strict=True)]


def _short(query: str, width: int = 150) -> str:
    text = " ".join(query.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def report(before: dict, after: dict, *, top: int = 15, requests: int | None = None) -> list[str]:
    lines: list[str] = []
    if after["statements"] is None:
        return ["pg_stat_statements is not loaded in this PostgreSQL (start it with `make prod`)."]
    old = before["statements"] or {}
    rows = []
    planning = 0.0
    for qid, (query, calls, total, nrows, hit, read, plan) in after["statements"].items():
        _, calls0, total0, rows0, hit0, read0, plan0 = old.get(qid, [query, 0, 0.0, 0, 0, 0, 0])
        planning += plan - plan0
        if calls - calls0 > 0:
            rows.append((query, calls - calls0, total - total0, nrows - rows0,
                         hit - hit0 + read - read0))  # fmt: skip
    busy = sum(r[2] for r in rows)
    calls = sum(r[1] for r in rows)
    per = (
        f", {calls / requests:.1f} statements and {busy / requests:.2f} ms per request"
        if (requests)
        else ""
    )
    blocks = sum(r[4] for r in rows)
    plan = (
        f", {planning / 1000:.1f} s of planning"
        if planning
        else " (planning not tracked: pg_stat_statements.track_planning is off)"
    )
    lines += [
        f"PostgreSQL statements during the run: {calls:,} calls, {busy / 1000:.1f} s of "
        f"execution{plan}, {blocks:,} buffer visits{per} (pg_stat_statements; times are wall "
        "time inside PostgreSQL, longer on a busy machine).",
        "",
    ]
    head = ["| total ms | % | calls | ms/call | rows/call | blocks/call | statement |",
            "|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip

    def table(ordered):
        out = list(head)
        for query, n, total, nrows, blocks in ordered[:top]:
            out.append(f"| {total:,.0f} | {100 * total / max(busy, 1e-9):.1f} | {n:,} | "
                       f"{total / n:.3f} | {nrows / n:.1f} | {blocks / n:.0f} | "
                       f"`{_short(query)}` |")  # fmt: skip
        return out

    lines += ["Top statements by total execution time:", ""]
    lines += table(sorted(rows, key=lambda r: -r[2]))
    lines += ["", "Top statements by calls:", ""]
    lines += table(sorted(rows, key=lambda r: -r[1]))
    tables = []
    for name, values in after["tables"].items():
        base = before["tables"].get(name, [0] * len(values))
        delta = dict(zip(TABLE_FIELDS, _minus(values, base), strict=True))
        delta["live"] = values[-1]
        if any(delta[k] for k in TABLE_FIELDS[:-1]):
            tables.append((name, delta))
    tables.sort(key=lambda t: -(t[1]["seq_tup_read"] + t[1]["ins"] + t[1]["upd"]))
    lines += [
        "",
        "Tables touched (sequential scans, rows they read, index scans, writes):",
        "",
        "| table | live rows | seq scans | rows seq-read | index scans | ins | upd (HOT) | del "
        "| autovacuum/analyze |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, d in tables[:top]:
        lines.append(f"| {name} | {d['live']:,} | {d['seq_scan']:,} | {d['seq_tup_read']:,} | "
                     f"{d['idx_scan']:,} | {d['ins']:,} | {d['upd']:,} ({d['hot_upd']:,}) | "
                     f"{d['del']:,} | {d['autovacuum']}/{d['autoanalyze']} |")  # fmt: skip
    db = dict(zip(DB_FIELDS, _minus(after["database"], before["database"]), strict=True))
    per_request = f"; {db['commits'] / requests:.1f} commits per request" if requests else ""
    lines += ["", "Database: " + ", ".join(f"{k} {v:,}" for k, v in db.items()) + per_request]
    return lines


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from load import stack_env

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prod-dir", help="the stack's PORTAL_PROD_DIR (default: make prod's)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--requests", type=int, help="requests served, for per-request figures")
    parser.add_argument("action", choices=["snapshot", "report"])
    parser.add_argument("file", help="the snapshot file (written by snapshot, read by report)")
    args = parser.parse_args()
    dsn = stack_env(args.prod_dir)["PORTAL_DATABASE_URL"]
    if args.action == "snapshot":
        Path(args.file).write_text(json.dumps(snapshot(dsn)), encoding="utf-8")
    else:
        before = json.loads(Path(args.file).read_text(encoding="utf-8"))
        print("\n".join(report(before, snapshot(dsn), top=args.top, requests=args.requests)))


if __name__ == "__main__":
    main()
