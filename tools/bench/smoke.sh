#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke test of parley-bench against the real server: every scenario at a tiny size. Passes when
# each run exits 0 (nothing lost, duplicated or failed); no timing thresholds.
# Usage: smoke.sh PATH/TO/parley PATH/TO/parley-bench
set -euo pipefail
server_bin=$1
bench_bin=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-smoke.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the server picks a free port and logs it.
: >"$work/server.log"
"$server_bin" --host 127.0.0.1 --port 0 --data "$work/data" --rate 0 --password-hash fast \
  --max-connections-per-user 0 --max-connections-per-ip 0 --login-failures 0 --registrations-per-minute 0 >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -1) || true
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

failed=0
run() {
  echo "== parley-bench $*"
  local out
  if out=$(timeout 60 "$bench_bin" "$@" --port "$port" 2>&1); then
    echo "$out" | tail -1
  else
    echo "$out"
    echo "FAILED (exit $?): $*"
    failed=1
  fi
}

run pairs --users 16 --duration 1 --messages 400
run pairs --users 16 --duration 1 --rate 300 --threads 2
run pairs --users 10 --duration 1 --messages 300 --extended
run pairs --users 10 --duration 1 --messages 300 --reads --prefix bpr
run fanout --recipients 20 --duration 1 --messages 30
run offline --messages 300
run offline --messages 300 --extended
run connections --connections 60 --sources 2 --server-pid "$server_pid"
run connections --connections 40 --procs 2
run churn --connections 8 --duration 1 --cycles 300
run files --uploaders 3 --file-bytes 300000 --files 6 --duration 5

kill -0 "$server_pid" 2>/dev/null || { echo "server died"; cat "$work/server.log"; failed=1; }
if [[ $failed -ne 0 ]]; then
  echo "bench smoke: FAILED"
  exit 1
fi
echo "bench smoke: all scenarios passed"
