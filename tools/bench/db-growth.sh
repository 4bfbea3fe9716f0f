#!/usr/bin/env bash
# Database growth per group message: a fresh server, one group of MEMBERS (default 1000), then
# two runs of MESSAGES messages each into it; prints the bytes the SQLite files grew per message
# over the second run (users, the group and the first index chunks are paid in the first).
# Usage: tools/bench/db-growth.sh [MEMBERS] [MESSAGES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
server=${PARLEY_BIN:-$root/build/parley}
bench=${PARLEY_BENCH_BIN:-$root/build/tools/bench/parley-bench}
members=${1:-1000}
messages=${2:-2000}
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-growth.XXXXXX")
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
start() {
  "$server" --host 127.0.0.1 --port 0 --data "$work/data" --rate 0 --password-hash fast \
    --max-connections-per-user 0 --login-failures 0 --registrations-per-minute 0 >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/log" | head -1) || true
    [[ -n $port ]] && return 0
    sleep 0.05
  done
  echo "server did not start"; exit 2
}
stop() { kill "$pid"; wait "$pid" || true; }  # a clean stop writes the index: nothing in the WAL
size() { du -cb "$work"/data/*.db* | tail -1 | cut -f1; }
run() { "$bench" group --members "$members" --messages "$messages" --duration 60 --port "$port" >/dev/null; }
start; run; stop
before=$(size)
start; run; stop
after=$(size)
# The second run also creates one more group of the same members (its rows and one event).
echo "members=$members messages=$messages bytes_before=$before bytes_after=$after" \
  "bytes_per_message=$(( (after - before) / messages ))"
