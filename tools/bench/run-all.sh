#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reproduces the tables of docs/BENCHMARKS.md: every case RUNS times (default 3), each run
# against a fresh server on a fresh data folder (durability on: the default --sync-full true),
# then prints the median of each number as a Markdown table. Raw JSON lines are kept in OUT.
#
# Usage: tools/bench/run-all.sh [--server PATH] [--bench PATH] [--runs N] [--out DIR]
#                               [--duration S] [--redis] [CASE...]
#        --redis: every run's server stores in a fresh local redis-server (AOF, fsync always)
#        tools/bench/run-all.sh --report DIR [CASE...]   (tables from an earlier OUT, no runs)
# Cases (default: all but the opt-in ones):
#   pairs-max pairs-50k pairs-20k pairs-extended pairs-reads pairs-ring-10 fanout-1000 fanout-100
#   group-1000 group-100x100 group-change-10k
#   offline-10k offline-10k-extended connections-19k connections-5k-distinct churn
#   opt-in: connections-19k-distinct (19,000 users coming online: GBs of presence traffic)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
server_bin=${PARLEY_BIN:-$root/build/parley}
bench_bin=${PARLEY_BENCH_BIN:-$root/build/tools/bench/parley-bench}
runs=3
duration=8
out=
report_only=0
redis=0
cases=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --server) server_bin=$2; shift 2 ;;
    --bench) bench_bin=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --report) out=$2; report_only=1; shift 2 ;;
    --redis) redis=1; shift ;;
    -h|--help) sed -n '3,13p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
[[ ${#cases[@]} -gt 0 ]] || cases=(pairs-max pairs-50k pairs-20k pairs-extended pairs-reads pairs-ring-10
                                   fanout-1000 fanout-100 group-1000 group-100x100
                                   group-change-10k offline-10k offline-10k-extended
                                   connections-19k connections-5k-distinct churn)
if [[ $report_only -eq 0 ]]; then
  [[ -x $server_bin ]] || { echo "no server binary at $server_bin (--server)"; exit 2; }
  [[ -x $bench_bin ]] || { echo "no parley-bench at $bench_bin (--bench)"; exit 2; }
fi
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-results.XXXXXX")}
mkdir -p "$out"

server_pid=
redis_pid=
work=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n $redis_pid ]]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  server_pid=
  redis_pid=
  [[ -n $work ]] && rm -rf "$work"
  work=
}
trap stop_server EXIT

# start_server [extra server args...]: a fresh server on a free port; sets $port and $server_pid.
start_server() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-server.XXXXXX")
  printf 'limits:\n  max_recipients: 1000\n  max_group_members: 10001\n' >"$work/config.yaml"
  : >"$work/server.log"
  local store_args=()
  if [[ $redis -eq 1 ]]; then
    local rport=$((20000 + RANDOM % 20000))
    redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --appendonly yes \
      --appendfsync always --save '' >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do
      redis-cli -p "$rport" ping >/dev/null 2>&1 && break
      sleep 0.05
    done
    store_args=(--redis "redis://127.0.0.1:$rport")
  fi
  "$server_bin" --config "$work/config.yaml" --host 127.0.0.1 --port 0 --data "$work/data" \
    --rate 0 --password-hash fast --max-connections-per-user 0 --max-connections-per-ip 0 \
    --login-failures 0 --registrations-per-minute 0 \
    "${store_args[@]}" "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -1) || true
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "server did not start:"; cat "$work/server.log"; exit 2
}

# bench_case NAME BENCH-ARGS...: RUNS runs, one fresh server each; JSON lines to OUT/NAME.jsonl.
bench_case() {
  local name=$1; shift
  : >"$out/$name.jsonl"
  for r in $(seq "$runs"); do
    start_server
    local args=("$@")
    args=("${args[@]//@PID@/$server_pid}")
    echo "== $name run $r: parley-bench ${args[*]}  (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    local rc=0
    echo "# load average before: $(cat /proc/loadavg)" >"$out/$name.$r.txt"
    "$bench_bin" "${args[@]}" --port "$port" >>"$out/$name.$r.txt" 2>&1 || rc=$?
    tail -1 "$out/$name.$r.txt" >>"$out/$name.jsonl"
    [[ $rc -eq 0 ]] || echo "   exit $rc (see $out/$name.$r.txt)" >&2
    stop_server
    sleep 1  # let TIME_WAIT and the page cache calm down between runs
  done
}

for c in "${cases[@]}"; do
  [[ $report_only -eq 1 ]] && break
  case $c in
    pairs-max) bench_case "$c" pairs --users 1000 --duration "$duration" ;;
    pairs-50k) bench_case "$c" pairs --users 1000 --rate 50000 --duration "$duration" ;;
    pairs-20k) bench_case "$c" pairs --users 1000 --rate 20000 --duration "$duration" ;;
    # The only shape the original goim-websocket survives (see BENCHMARKS.md): 10 users in a
    # ring, one sender per socket, connected one at a time.
    pairs-ring-10) bench_case "$c" pairs --users 10 --ring --inflight 1 --duration "$duration" ;;
    pairs-extended) bench_case "$c" pairs --users 1000 --duration "$duration" --extended ;;
    # Issue 11's target: with every recipient reading each message, >= 80 % of pairs-extended.
    pairs-reads) bench_case "$c" pairs --users 1000 --duration "$duration" --reads ;;
    fanout-1000) bench_case "$c" fanout --recipients 1000 --duration "$duration" ;;
    fanout-100) bench_case "$c" fanout --recipients 100 --duration "$duration" ;;
    group-1000) bench_case "$c" group --members 1000 --duration "$duration" ;;
    group-100x100) bench_case "$c" group --groups 100 --members 100 --group-senders 10 \
      --duration "$duration" ;;
    group-change-10k) bench_case "$c" group-change --members 10000 --messages 20 ;;
    offline-10k) bench_case "$c" offline --messages 10000 ;;
    offline-10k-extended) bench_case "$c" offline --messages 10000 --extended ;;
    # 19,000 connections of 100 users (19 devices each): the memory of a connection, without the
    # presence traffic of 19,000 distinct users coming online.
    connections-19k) bench_case "$c" connections --connections 19000 --users 100 --procs 2 \
                       --sources 8 --inflight 512 --server-pid @PID@ ;;
    connections-5k-distinct) bench_case "$c" connections --connections 5000 --sources 8 \
                       --inflight 512 --server-pid @PID@ ;;
    connections-19k-distinct) bench_case "$c" connections --connections 19000 --procs 2 \
                       --sources 8 --inflight 512 --server-pid @PID@ ;;
    churn) bench_case "$c" churn --connections 100 --sources 8 --duration "$duration" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done

echo "raw results: $out" >&2
python3 - "$out" "${cases[@]}" <<'PY'
import json, os, statistics, sys
out, cases = sys.argv[1], sys.argv[2:]
keys = {
    "pairs": ["delivered_per_s", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms",
              "latency_max_ms", "lost", "duplicated"],
    "fanout": ["delivered_per_s", "messages_sent", "latency_p50_ms", "latency_p99_ms", "lost",
               "duplicated"],
    "offline": ["auth_to_ok_ms", "auth_to_last_ms", "stored_per_s", "delivered", "lost",
                "duplicated", "out_of_order"],
    "connections": ["live", "connect_auth_per_s", "handshake_p99_ms", "server_rss_per_conn_bytes",
                    "loginlist_frames", "received_mib", "kernel_slab_per_conn_bytes"],
    "churn": ["cycles_per_s", "cycle_p50_ms", "cycle_p99_ms", "errors"],
    "group": ["delivered_per_s", "messages_sent", "latency_p50_ms", "latency_p99_ms", "lost",
              "duplicated"],
    "group-change": ["add_p50_ms", "add_p99_ms", "add_max_ms", "remove_p50_ms", "remove_max_ms"],
}
for case in cases:
    runs = []
    if not os.path.exists(f"{out}/{case}.jsonl"):
        continue
    with open(f"{out}/{case}.jsonl") as f:
        for line in f:
            try:
                runs.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    if not runs:
        print(f"\n### {case}: no result")
        continue
    ks = keys.get(runs[0].get("scenario"), [])
    ks = [k for k in ks if k in runs[0]]
    if runs[0].get("protocol") == "extended" and runs[0].get("scenario") == "pairs":
        ks += ["ack_latency_p50_ms", "ack_latency_p99_ms"]
    print(f"\n### {case} ({len(runs)} runs, {sum(r.get('ok', False) for r in runs)} ok)\n")
    print("| " + " | ".join(["run"] + ks) + " |")
    print("|" + "---|" * (len(ks) + 1))
    for i, r in enumerate(runs, 1):
        print("| " + " | ".join([str(i)] + [str(r.get(k, "")) for k in ks]) + " |")
    med = [statistics.median([r[k] for r in runs if k in r]) for k in ks]
    print("| **median** | " + " | ".join(f"**{m:g}**" for m in med) + " |")
PY
