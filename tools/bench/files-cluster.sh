#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files across a cluster: one fresh redis-server (AOF, fsync always) and three parley nodes on it
# sharing one --files-dir; `files` uploads through node A and downloads everything back through
# node B. RUNS runs, each on fresh nodes; prints each run's JSON line and the medians.
#
# Usage: tools/bench/files-cluster.sh [--server PATH] [--bench PATH] [--runs N] [--out DIR]
#          [--duration S] [--uploaders U] [--file-bytes B]
#   defaults: 3 runs, files --uploaders 10 --file-bytes 26214400 --duration 10
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
server_bin=${PARLEY_BIN:-$root/build/parley}
bench_bin=${PARLEY_BENCH_BIN:-$root/build/tools/bench/parley-bench}
runs=3 out= duration=10 uploaders=10 file_bytes=26214400
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server_bin=$2; shift 2 ;;
    --bench) bench_bin=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --uploaders) uploaders=$2; shift 2 ;;
    --file-bytes) file_bytes=$2; shift 2 ;;
    -h|--help) sed -n '3,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
command -v redis-server >/dev/null || { echo "needs redis-server"; exit 2; }
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/parley-files-cluster.XXXXXX")}
mkdir -p "$out"

pids=() work=
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  [[ -n $work ]] && rm -rf "$work"
  work=
}
trap stop_all EXIT

# launch_node NAME: a node on a free port (port_of NAME tells which, once it listens).
launch_node() {
  : >"$work/$1.log"
  "$server_bin" --config "$work/config.yaml" --host 127.0.0.1 --port 0 --data "$work/$1" \
    --redis "redis://127.0.0.1:$rport" --files-dir "$work/files" \
    --rate 0 --password-hash fast --max-connections-per-user 0 --max-connections-per-ip 0 \
    --login-failures 0 --registrations-per-minute 0 \
    --max-file-bytes "$((file_bytes > 26214400 ? file_bytes : 26214400))" \
    --user-quota-bytes 1099511627776 >"$work/$1.log" 2>&1 &
  pids+=($!)
}
port_of() {
  local port
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/$1.log" | head -1) || true
    [[ -n $port ]] && { echo "$port"; return 0; }
    sleep 0.05
  done
  echo "node $1 did not start:" >&2; cat "$work/$1.log" >&2; return 1
}

for run in $(seq "$runs"); do
  work=$(mktemp -d "${TMPDIR:-/tmp}/parley-files-cluster-run.XXXXXX")
  printf 'limits:\n  uploads_per_minute: 0\n' >"$work/config.yaml"
  rport=$((20000 + RANDOM % 20000))
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --appendonly yes \
    --appendfsync always --save '' >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
  launch_node a; launch_node b; launch_node c
  a=$(port_of a) && b=$(port_of b) && c=$(port_of c) || exit 2
  echo "== run $run/$runs: nodes $a (upload) $b (download) $c; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bench_bin" files --uploaders "$uploaders" --file-bytes "$file_bytes" --duration "$duration" \
    --port "$a" --download-port "$b" >"$out/files-$run.txt" 2>&1 || true
  tail -1 "$out/files-$run.txt" | tee "$out/files-$run.json"
  stop_all
done

python3 - "$out" "$runs" <<'EOF'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, runs + 1):
    try:
        rows.append(json.load(open(f"{out}/files-{i}.json")))
    except (OSError, ValueError):
        rows.append({"ok": False})
def med(key):
    vals = [r[key] for r in rows if key in r]
    return (statistics.median(vals) if vals else float("nan")), vals
print(f"\nresults in {out}; median of {runs} run(s)")
for key in ("uploads", "upload_mb_per_s", "upload_p50_ms", "upload_p99_ms", "download_mb_per_s",
            "download_p50_ms", "download_p99_ms", "upload_errors", "download_errors", "mismatches"):
    m, vals = med(key)
    print(f"  {key:20} {m:12,.1f}   ({' / '.join(f'{v:,.1f}' for v in vals)})")
print(f"  ok                   {sum(1 for r in rows if r.get('ok'))}/{runs}")
EOF
