#!/usr/bin/env bash
# Verifies deploy/parley.service with systemd-analyze (the binary path pointed at this build's),
# then runs its ExecStart command line against a temporary state folder and stops it with the
# unit's KillSignal, as systemd would: it must serve /healthz, survive its ExecReload (SIGHUP)
# and exit 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:?usage: systemd_unit.sh PARLEY_BINARY}")
pid=
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
sed "s|/usr/local/bin/parley|$bin|" "$root/deploy/parley.service" >"$work/parley.service"
systemd-analyze verify "$work/parley.service"
cmd=$(sed -n 's/^ExecStart=//p' "$work/parley.service")
cmd=${cmd//\/var\/lib\/parley/$work/state}
cmd=${cmd//\/usr\/local\/share\/parley\/web/$root/web/dist}
port=$((20000 + RANDOM % 20000))
$cmd --port "$port" --host 127.0.0.1 --password-hash fast >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/healthz"
# ExecReload: SIGHUP reloads and the server goes on serving.
kill -HUP "$pid"
sleep 0.3
curl -fs "http://127.0.0.1:$port/healthz"
grep -q "limits reloaded" "$work/log" || { echo "no reload in the log"; cat "$work/log"; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || { echo "exit status $status"; cat "$work/log"; exit 1; }
echo "unit verified; started and stopped cleanly"
