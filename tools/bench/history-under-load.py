#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Issue 15, item 1: do commits keep flowing while users read long histories? One user ("big")
# gets an inbox of --messages messages of --size bytes (written straight into the log, which
# the server replays into its index at start); then --readers threads loop on
# GET /api/history?with=rare (the one message with "rare" is the oldest, so the old store walked
# the whole inbox, on its writer thread, for each request) while parley-bench runs `pairs`.
# Prints pairs' msgs/s and ack latency, the store's commit latency p99 from /metrics over the
# same window, and how many history reads answered and how fast.
#
#   tools/bench/history-under-load.py --bin build/parley --bench build/tools/bench/parley-bench
import argparse, json, os, shutil, signal, socket, sqlite3, subprocess, tempfile, threading, time
import http.client

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def request(port, method, path, body=None, token=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token: headers["w-token"] = token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data

def start(binary, port, data):
    p = subprocess.Popen([binary, "--password-hash", "fast", "--rate", "0", "--host", "127.0.0.1",
                          "--registrations-per-minute", "0", "--max-connections-per-ip", "0",
                          "--port", str(port), "--data", data],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "log"), "a"))
    for _ in range(600):
        try:
            if request(port, "GET", "/healthz")[0] == 200: return p
        except OSError: pass
        time.sleep(0.1)
    raise SystemExit("server did not start")

def stop(p):
    p.send_signal(signal.SIGTERM); p.wait(60)

def login(port, name):
    cred = {"name": name, "password": "pw-" + name}
    request(port, "POST", "/api/register", cred)
    return json.loads(request(port, "POST", "/api/login", cred)[1])["token"]

def commit_buckets(port):
    text = request(port, "GET", "/metrics")[1].decode()
    out = []
    for line in text.splitlines():
        if line.startswith("parley_store_commit_seconds_bucket"):
            le = line.split('le="')[1].split('"')[0]
            out.append((float("inf") if le == "+Inf" else float(le), int(float(line.split()[-1]))))
    return out

def p99(before, after):
    counts = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
    total = counts[-1][1]
    for le, n in counts:
        if n >= 0.99 * total: return le, total
    return float("inf"), total

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/parley")
    ap.add_argument("--bench", default="build/tools/bench/parley-bench")
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--size", type=int, default=16384)
    ap.add_argument("--readers", type=int, default=10)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--rate", type=int, default=5000, help="pairs' offered msgs/s")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="parley-hist-")
    port = free_port()
    try:
        srv = start(a.bin, port, data)
        big, rare = login(port, "big"), login(port, "rare")
        login(port, "sink")
        stop(srv)
        db = sqlite3.connect(os.path.join(data, "parley.db"))
        ids = dict(db.execute("SELECT name, id FROM users"))
        now = int(time.time() * 1000)
        body = "x" * a.size
        # The oldest entry: rare -> big. Then big -> sink, --messages times (big's own copies).
        db.execute("INSERT INTO messages(sender, ts, sender_seq, recipients, content) "
                   "VALUES(?, ?, 1, ?, 'hello')", (ids["rare"], now, str(ids["big"])))
        db.executemany("INSERT INTO messages(sender, ts, sender_seq, recipients, content) "
                       "VALUES(?, ?, ?, ?, ?)",
                       ((ids["big"], now, i + 1, str(ids["sink"]), body) for i in range(a.messages)))
        db.commit(); db.close()
        srv = start(a.bin, port, data)
        time.sleep(3)  # the replayed index is written within a second or two
        stop_reading = threading.Event()
        lat, errors = [], [0]
        def reader():
            while not stop_reading.is_set():
                t = time.time()
                st, _ = request(port, "GET", "/api/history?with=rare&limit=50", token=big)
                if st == 200: lat.append(time.time() - t)
                else: errors[0] += 1
        before = commit_buckets(port)
        threads = [threading.Thread(target=reader) for _ in range(a.readers)]
        if a.readers:
            for t in threads: t.start()
        out = subprocess.run([a.bench, "pairs", "--port", str(port), "--users", "200",
                              "--rate", str(a.rate), "--duration", str(a.duration)],
                             capture_output=True, text=True)
        after = commit_buckets(port)
        stop_reading.set()
        for t in threads: t.join()
        le, commits = p99(before, after)
        print(out.stdout.strip())
        if out.returncode: print(out.stderr.strip())
        print(f"commits in window: {commits}, commit p99 <= {le * 1000:g} ms (histogram bucket)")
        lat.sort()
        if lat:
            print(f"history reads: {len(lat)} answered ({errors[0]} errors), "
                  f"p50 {lat[len(lat) // 2] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms")
        stop(srv)
    finally:
        shutil.rmtree(data, ignore_errors=True)

if __name__ == "__main__":
    main()
