#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Do uploads stall messaging? Per run, against a fresh server on a fresh data folder (free port):
#   1. `pairs` alone;
#   2. the same `pairs` while a second parley-bench process runs `files` (U uploaders of B bytes
#      each, uploading for the whole pairs run, then downloading everything back);
# then a table of pairs msgs/s and latency both ways, and the files numbers (median of the runs).
#
# Usage: tools/bench/files-stall.sh [--server PATH] [--bench PATH] [--runs N] [--out DIR]
#          [--users N] [--rate R] [--duration S] [--uploaders U] [--file-bytes B]
#          [--server-args "ARGS"]   (more server flags, e.g. "--sync-full false" to rule the disk out)
#   defaults: 3 runs, pairs --users 200 --rate 10000 --duration 10 (--rate 0: closed loop),
#             files --uploaders 10 --file-bytes 26214400 (25 MiB)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
server_bin=${PARLEY_BIN:-$root/build/parley}
bench_bin=${PARLEY_BENCH_BIN:-$root/build/tools/bench/parley-bench}
server_args= runs=3 out= users=200 rate=10000 duration=10 uploaders=10 file_bytes=26214400
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server_bin=$2; shift 2 ;;
    --bench) bench_bin=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --uploaders) uploaders=$2; shift 2 ;;
    --file-bytes) file_bytes=$2; shift 2 ;;
    --server-args) server_args=$2; shift 2 ;;
    -h|--help) sed -n '3,14p' "$0"; exit 0 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
[[ -x $server_bin ]] || { echo "no server binary at $server_bin (--server)"; exit 2; }
[[ -x $bench_bin ]] || { echo "no parley-bench at $bench_bin (--bench)"; exit 2; }
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/parley-files-stall.XXXXXX")}
mkdir -p "$out"

server_pid= files_pid= work=
stop_server() {
  [[ -n $files_pid ]] && { kill "$files_pid" 2>/dev/null || true; wait "$files_pid" 2>/dev/null || true; }
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  files_pid= server_pid=
  [[ -n $work ]] && rm -rf "$work"
  work=
}
trap stop_server EXIT

# A fresh server whose limits let the bench upload as fast as it can: no uploads-a-minute limit,
# a quota far above what a run writes, files of the run's size.
start_server() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/parley-files-stall-server.XXXXXX")
  printf 'limits:\n  uploads_per_minute: 0\n' >"$work/config.yaml"
  : >"$work/server.log"
  "$server_bin" --config "$work/config.yaml" --host 127.0.0.1 --port 0 --data "$work/data" \
    --rate 0 --password-hash fast --max-connections-per-user 0 --max-connections-per-ip 0 \
    --login-failures 0 --registrations-per-minute 0 \
    --max-file-bytes "$((file_bytes > 26214400 ? file_bytes : 26214400))" \
    --user-quota-bytes 1099511627776 $server_args >"$work/server.log" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -1) || true
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start"; cat "$work/server.log"; exit 2
}

# The store's group-commit histogram (each commit is an fsync): slow commits while files upload
# point at the disk, not the network threads.
commits() { curl -s "http://127.0.0.1:$port/metrics" | grep '^parley_store_commit_seconds' >"$1" || true; }

pairs_args=(pairs --users "$users" --rate "$rate" --duration "$duration")
files_args=(files --uploaders "$uploaders" --file-bytes "$file_bytes")
for run in $(seq "$runs"); do
  start_server
  echo "== run $run/$runs: load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load-$run.txt"
  commits "$out/commits-alone-$run.before"
  "$bench_bin" "${pairs_args[@]}" --port "$port" >"$out/pairs-alone-$run.txt" 2>&1 || true
  commits "$out/commits-alone-$run.after"
  tail -1 "$out/pairs-alone-$run.txt" >"$out/pairs-alone-$run.json"
  # The uploads start first and go on past the end of pairs (its set-up included); the
  # downloads come after pairs has finished.
  "$bench_bin" "${files_args[@]}" --duration "$((duration + 5))" --port "$port" \
    >"$out/files-$run.txt" 2>&1 &
  files_pid=$!
  sleep 1
  commits "$out/commits-files-$run.before"
  "$bench_bin" "${pairs_args[@]}" --port "$port" --prefix bq_ >"$out/pairs-files-$run.txt" 2>&1 || true
  commits "$out/commits-files-$run.after"
  tail -1 "$out/pairs-files-$run.txt" >"$out/pairs-files-$run.json"
  wait "$files_pid" || true
  files_pid=
  tail -1 "$out/files-$run.txt" >"$out/files-$run.json"
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load-$run.txt"
  stop_server
done

python3 - "$out" "$runs" "$uploaders" <<'EOF'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(name):
    rows = []
    for i in range(1, runs + 1):
        try:
            rows.append(json.load(open(f"{out}/{name}-{i}.json")))
        except (OSError, ValueError):
            rows.append({"ok": False, "failures": ["no JSON line"]})
    return rows
def col(rows, key):
    vals = [r[key] for r in rows if key in r]
    return vals, (statistics.median(vals) if vals else float("nan"))
def fmt(v, d=1):
    return f"{v:,.{d}f}"
alone, mixed, files = load("pairs-alone"), load("pairs-files"), load("files")
print(f"\nresults in {out}; median of {runs} run(s), each run's value in brackets\n")
print("| pairs | delivered msgs/s | p50 ms | p99 ms | max ms | lost / dup | ok |")
print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
for label, rows in (("alone", alone), ("while files upload", mixed)):
    cells = []
    for key, d in (("delivered_per_s", 0), ("latency_p50_ms", 2), ("latency_p99_ms", 2),
                   ("latency_max_ms", 1)):
        vals, med = col(rows, key)
        cells.append(f"{fmt(med, d)} ({' / '.join(fmt(v, d) for v in vals)})")
    lost = sum(r.get("lost", 0) for r in rows)
    dup = sum(r.get("duplicated", 0) for r in rows)
    ok = sum(1 for r in rows if r.get("ok"))
    print(f"| {label} | " + " | ".join(cells) + f" | {lost:.0f} / {dup:.0f} | {ok}/{runs} |")
print("\n| files (beside pairs) | uploads | upload MB/s | upload p50 / p99 ms | download MB/s"
      " | download p50 / p99 ms | errors / mismatches | ok |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
cells = []
for key, d in (("uploads", 0), ("upload_mb_per_s", 1)):
    vals, med = col(files, key)
    cells.append(f"{fmt(med, d)} ({' / '.join(fmt(v, d) for v in vals)})")
cells.append(f"{fmt(col(files, 'upload_p50_ms')[1], 0)} / {fmt(col(files, 'upload_p99_ms')[1], 0)}")
vals, med = col(files, "download_mb_per_s")
cells.append(f"{fmt(med, 1)} ({' / '.join(fmt(v, 1) for v in vals)})")
cells.append(f"{fmt(col(files, 'download_p50_ms')[1], 0)} / {fmt(col(files, 'download_p99_ms')[1], 0)}")
errs = sum(r.get("upload_errors", 0) + r.get("download_errors", 0) for r in files)
mism = sum(r.get("mismatches", 0) for r in files)
ok = sum(1 for r in files if r.get("ok"))
print(f"| {sys.argv[3]} uploaders | " + " | ".join(cells) + f" | {errs:.0f} / {mism:.0f} | {ok}/{runs} |")
def commit_delta(kind, i):
    def read(suffix):
        d = {}
        try:
            for line in open(f"{out}/commits-{kind}-{i}.{suffix}"):
                k, v = line.rsplit(" ", 1)
                d[k] = float(v)
        except OSError:
            pass
        return d
    a, b = read("before"), read("after")
    g = lambda k: b.get(k, 0) - a.get(k, 0)
    n = g("parley_store_commit_seconds_count")
    le = lambda t: g('parley_store_commit_seconds_bucket{le="%s"}' % t)
    if n <= 0:
        return None
    return n, g("parley_store_commit_seconds_sum") / n * 1e3, (n - le("0.025000")) / n * 100, \
        (n - le("0.100000")) / n * 100
print("\n| store commits during pairs | commits | mean ms | > 25 ms | > 100 ms |")
print("| --- | ---: | ---: | ---: | ---: |")
for kind, label in (("alone", "alone"), ("files", "while files upload")):
    rows = [c for c in (commit_delta(kind, i) for i in range(1, runs + 1)) if c]
    if not rows:
        continue
    med = lambda j: statistics.median(r[j] for r in rows)
    print(f"| {label} | {med(0):,.0f} | {med(1):.2f} | {med(2):.1f} % | {med(3):.1f} % |")
for name, rows in (("pairs alone", alone), ("pairs with files", mixed), ("files", files)):
    for i, r in enumerate(rows, 1):
        for f in r.get("failures", []):
            print(f"  {name} run {i}: {f}")
EOF
