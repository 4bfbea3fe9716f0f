// SPDX-License-Identifier: MIT
// connections: N idle authenticated connections. Measures the connect+auth rate and, with
// --server-pid, the server's resident memory per connection (VmRSS after minus before, over N).
// A process may hold at most ~20k sockets (open-files hard limit), so --procs K forks K worker
// processes holding N/K connections each; they report back over pipes.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "chat.hpp"
#include "scenarios/fleet.hpp"
#include "scenarios/scenarios.hpp"

namespace parley::bench {
namespace {

struct Slice {
  std::uint64_t clients = 0, live = 0;
  std::uint64_t loginlist_frames = 0, bytes_in = 0;  // presence traffic the clients received
  std::int64_t last_live_ns = 0;
  Histogram handshake;
  std::vector<std::pair<std::string, std::uint64_t>> reasons;
  std::uint64_t errors = 0;

  std::string serialize() const {
    std::ostringstream s;
    s << "slice " << clients << ' ' << live << ' ' << last_live_ns << ' ' << errors << ' '
      << loginlist_frames << ' ' << bytes_in << '\n'
      << handshake.serialize() << '\n';
    for (const auto& [why, n] : reasons) s << n << ' ' << why << '\n';
    s << "end\n";
    return s.str();
  }
  static Slice parse(std::istream& in) {
    Slice s;
    std::string word, line;
    in >> word >> s.clients >> s.live >> s.last_live_ns >> s.errors >> s.loginlist_frames >>
        s.bytes_in;
    std::getline(in, line);
    std::getline(in, line);
    s.handshake = Histogram::parse(line);
    while (std::getline(in, line) && line != "end") {
      auto sp = line.find(' ');
      if (sp != std::string::npos)
        s.reasons.emplace_back(line.substr(sp + 1), std::stoull(line.substr(0, sp)));
    }
    return s;
  }
};

// Connects clients [begin, end) (client i logs in as account i % accounts), calls `ready` once
// every client is live or failed and presence pushes calmed down, holds the connections open
// until `release` returns, then closes them.
Slice hold_slice(const Options& o, const std::vector<Account>& accounts, std::size_t begin,
                 std::size_t end, const std::function<void()>& ready,
                 const std::function<void()>& release) {
  Fleet fleet(o, accounts);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < o.threads; ++t) workers.push_back(std::make_unique<Worker>(fleet, t));
  for (std::size_t i = begin; i < end; ++i)
    workers[i % workers.size()]->add_client(i % accounts.size());
  connect_fleet(fleet, workers, 120);
  Slice s;
  s.clients = end - begin;
  s.live = fleet.live.load();
  ready();
  release();
  fleet.stop.store(true);
  for (auto& w : workers) {
    w->join();
    s.handshake.merge(w->handshake());
    s.last_live_ns = std::max(s.last_live_ns, w->last_live_ns.load());
  }
  s.errors = fleet.errors.total();
  s.loginlist_frames = fleet.loginlist_frames.load();
  s.bytes_in = fleet.bytes_in.load();
  s.reasons = fleet.errors.reasons();
  return s;
}

std::int64_t meminfo_kb(const char* key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  std::int64_t v = 0;
  std::string unit;
  while (in >> k >> v) {
    std::getline(in, unit);
    if (k == key) return v;
  }
  return 0;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += std::size_t(n);
  }
}

// Reads one line from fd (blocking, byte by byte: tiny control messages only).
std::string read_line(int fd) {
  std::string line;
  char ch;
  while (::read(fd, &ch, 1) == 1 && ch != '\n') line += ch;
  return line;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, std::size_t(n));
  return out;
}

}  // namespace

void run_connections(const Options& o, Report& r) {
  const std::size_t n = o.connections ? o.connections : 1000;
  const std::size_t users = o.users ? std::min(o.users, n) : n;
  r.add("connections", double(n));
  r.add("users", double(users));
  r.add("procs", double(o.procs));
  r.add("sources", double(o.sources));
  std::vector<Account> accounts = prepare_accounts(o, users);

  // Let the server settle after the logins before taking the baseline.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::uint64_t rss_before = o.server_pid ? rss_bytes(o.server_pid) : 0;
  std::int64_t slab_before = meminfo_kb("Slab:");
  std::uint64_t rss_after = 0;
  std::int64_t slab_after = 0;
  auto measure = [&] {
    rss_after = o.server_pid ? rss_bytes(o.server_pid) : 0;
    slab_after = meminfo_kb("Slab:");
  };
  auto hold = [&] {
    if (o.hold_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(o.hold_s));
  };

  std::vector<Slice> slices;
  const std::int64_t t0 = now_ns();
  if (o.procs <= 1) {
    slices.push_back(hold_slice(o, accounts, 0, n, measure, hold));
  } else {
    struct Child {
      pid_t pid;
      int from;  // child -> parent: "quiet" line, then the slice
      int to;    // parent -> child: closed = release
    };
    std::vector<Child> children;
    std::cout.flush();
    for (unsigned k = 0; k < o.procs; ++k) {
      int up[2], down[2];
      if (::pipe(up) != 0 || ::pipe(down) != 0) throw std::runtime_error("pipe failed");
      std::size_t begin = n * k / o.procs, end = n * (k + 1) / o.procs;
      pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error("fork failed");
      if (pid == 0) {
        ::close(up[0]);
        ::close(down[1]);
        for (const auto& c : children) {
          ::close(c.from);
          ::close(c.to);
        }
        int code = 0;
        try {
          Slice s = hold_slice(
              o, accounts, begin, end, [&] { write_all(up[1], "quiet\n"); },
              [&] { read_all(down[0]); });
          write_all(up[1], s.serialize());
        } catch (const std::exception& e) {
          std::cerr << "worker process: " << e.what() << "\n";
          code = 2;
        }
        std::_Exit(code);  // no atexit handlers or stdio flushes copied from the parent
      }
      ::close(up[1]);
      ::close(down[0]);
      children.push_back({pid, up[0], down[1]});
    }
    for (auto& c : children) read_line(c.from);  // every slice live and quiet
    measure();
    hold();
    for (auto& c : children) ::close(c.to);
    for (auto& c : children) {
      std::istringstream in(read_all(c.from));
      ::close(c.from);
      int status = 0;
      ::waitpid(c.pid, &status, 0);
      if (in.str().empty()) {
        r.fail("worker process " + std::to_string(c.pid) + " reported nothing");
        continue;
      }
      slices.push_back(Slice::parse(in));
    }
  }

  Slice all;
  Errors errors;
  for (auto& s : slices) {
    all.clients += s.clients;
    all.live += s.live;
    all.last_live_ns = std::max(all.last_live_ns, s.last_live_ns);
    all.loginlist_frames += s.loginlist_frames;
    all.bytes_in += s.bytes_in;
    all.handshake.merge(s.handshake);
    for (auto& [why, count] : s.reasons) errors.add_reason(why, count);
  }
  double connect_s = std::max(1e-9, double(all.last_live_ns - t0) / 1e9);
  r.add("live", double(all.live));
  r.add("connect_s", connect_s, 3);
  r.add("connect_auth_per_s", double(all.live) / connect_s);
  r.add_latency("handshake", all.handshake);
  if (o.server_pid) {
    r.add("server_rss_before_mib", double(rss_before) / (1 << 20), 1);
    r.add("server_rss_after_mib", double(rss_after) / (1 << 20), 1);
    r.add("server_rss_per_conn_bytes",
          all.live ? (double(rss_after) - double(rss_before)) / double(all.live) : 0);
  }
  r.add("loginlist_frames", double(all.loginlist_frames));
  r.add("received_mib", double(all.bytes_in) / (1 << 20), 1);
  r.add("kernel_slab_per_conn_bytes",
        all.live ? double(slab_after - slab_before) * 1024 / double(all.live) : 0);
  if (all.live < n)
    r.fail("only " + std::to_string(all.live) + " of " + std::to_string(n) + " connected");
  errors.report(r);
}

}  // namespace parley::bench
