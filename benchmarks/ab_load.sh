#!/usr/bin/env bash
# A/B load runs: the same `make prod` stack (same data, same ports) started from two commits
# in turn, each followed by one benchmarks/load.py run, in the order A B B A so that drift of
# the machine during the runs falls on both. Each run starts the stack afresh (cold caches,
# as after a deployment) and writes its own section of docs/performance.md
# (scratch-ab-<n>-<commit>), which this script prints and then removes again; the table at
# the end is what to quote.
#
# Usage: benchmarks/ab_load.sh [--minutes M] [--users U] [--warmup W] [--order ABBA] COMMIT_A COMMIT_B
#   --warmup: minutes of the mix before each measured run, not counted (load.py's, default 1)
#   Run from a checkout whose .venv has the bench extras (pip install -e ".[bench]").
#   The stack is the one the PORTAL_PROD_DIR / port variables of scripts/prod.sh name (set
#   them as for make prod, e.g. a 1-node stack: PORTAL_ES_NODES=1 PORTAL_PROD_DIR=...), and
#   it must hold its data already (make prod once, benchmarks/load.py --seed 100000).
#   Each commit runs from a detached worktree below $PORTAL_PROD_DIR/ab/ that shares this
#   checkout's .venv, built viewer and compiled translations; PYTHONPATH puts the worktree's
#   code first. Both commits must take the same dependencies and the newer one's migrations
#   must be harmless to the older code (make prod migrates forward only).
#   Loopback only; bounded by --minutes plus --warmup per run plus the stack's start (~1 minute).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
minutes=3
users=50
warmup=1
order=ABBA
while [[ $# -gt 2 ]]; do
    case $1 in
        --minutes) minutes=$2; shift 2 ;;
        --users) users=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --order) order=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[[ $# -eq 2 ]] || { sed -n '2,20p' "$0" >&2; exit 2; }
[[ $order =~ ^[AB]+$ ]] || { echo "--order: letters A and B only" >&2; exit 2; }

prod_dir=$(realpath -m "${PORTAL_PROD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/prod}")
[[ -r $prod_dir/portal.env ]] || { echo "no stack in $prod_dir: run make prod first" >&2; exit 1; }
export PORTAL_PROD_DIR=$prod_dir
declare -A commit tree
commit[A]=$(git -C "$ROOT" rev-parse --verify "$1^{commit}")
commit[B]=$(git -C "$ROOT" rev-parse --verify "$2^{commit}")

for side in A B; do
    short=${commit[$side]:0:10}
    dir=$prod_dir/ab/$short
    if [[ ! -d $dir ]]; then
        git -C "$ROOT" worktree add --detach "$dir" "${commit[$side]}" >&2
    fi
    ln -sfn "$ROOT/.venv" "$dir/.venv"
    [[ -d $ROOT/static/build ]] && ln -sfn "$ROOT/static/build" "$dir/static/build"
    for mo in "$ROOT"/locale/*/LC_MESSAGES/django.mo; do
        [[ -e $mo ]] && cp "$mo" "$dir/${mo#"$ROOT/"}"
    done
    tree[$side]=$dir
done

results=$(mktemp)
trap 'rm -f "$results"' EXIT
n=0
for (( i = 0; i < ${#order}; i++ )); do
    side=${order:i:1}
    n=$((n + 1))
    dir=${tree[$side]}
    short=${commit[$side]:0:10}
    section=scratch-ab-$n-$short
    echo "== run $n/${#order}: $side = $short ($(git -C "$dir" log -1 --format=%s | cut -c1-70))" >&2
    "$dir/scripts/prod.sh" stop >/dev/null 2>&1 || true
    PYTHONPATH=$dir "$dir/scripts/prod.sh" start >"$prod_dir/ab/start-$n.log" 2>&1 \
        || { echo "the stack did not start from $short: $prod_dir/ab/start-$n.log" >&2; exit 1; }
    "$ROOT/.venv/bin/python" "$ROOT/benchmarks/load.py" --users "$users" --minutes "$minutes" \
        --warmup "$warmup" --prod-dir "$prod_dir" --section "$section" --pg-top 0 >"$prod_dir/ab/run-$n.md"
    # The summary numbers of the run's section, one line per run.
    "$ROOT/.venv/bin/python" - "$prod_dir/ab/run-$n.md" "$n" "$side" "$short" >>"$results" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
n, side, short = sys.argv[2:5]
agg = re.search(r"\| Aggregated \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([\d.]+) \|", text)
cpu = dict(re.findall(r"(\w+) (\d+) s", text.split("CPU time the stack used", 1)[-1].split(";")[0]))
per_core = re.search(r"\*\*([\d.]+) requests per busy core-second\*\*", text)
req, fail, p50, p95, p99, rps = agg.groups() if agg else ("?",) * 6
print(f"| {n} | {side} {short} | {rps} | {fail} | {p50} | {p95} | {p99} | "
      f"{per_core.group(1) if per_core else '?'} | {cpu.get('gunicorn', '?')} | "
      f"{cpu.get('postgres', '?')} | {cpu.get('elasticsearch', '?')} | {cpu.get('celery', '?')} |")
PY
    tail -1 "$results" >&2
    # load.py wrote its section into the running tree's docs/performance.md: take it out again.
    "$ROOT/.venv/bin/python" - "$ROOT/docs/performance.md" "$section" <<'PY'
import re, sys
path, name = sys.argv[1:3]
text = open(path).read()
# The section was appended after a blank line (perfdoc.write_section): take both, so the file
# is byte for byte what it was before the run.
text = re.sub(rf"\n?<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->\n", "",
              text, flags=re.S)
open(path, "w").write(text if text.endswith("\n") else text + "\n")
PY
done
"${tree[B]}/scripts/prod.sh" stop >/dev/null 2>&1 || true

echo
echo "A/B load runs, $(date -u '+%Y-%m-%d %H:%M') UTC, $users users, $minutes min each, stack $prod_dir"
echo "A = ${commit[A]:0:10} $(git -C "$ROOT" log -1 --format=%s "${commit[A]}" | cut -c1-80)"
echo "B = ${commit[B]:0:10} $(git -C "$ROOT" log -1 --format=%s "${commit[B]}" | cut -c1-80)"
echo
echo "| run | commit | req/s | failures | p50 ms | p95 ms | p99 ms | req per busy core-s | gunicorn core-s | postgres core-s | ES core-s | celery core-s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
cat "$results"
echo "(Full sections of each run: $prod_dir/ab/run-<n>.md; stack logs: start-<n>.log.)"
