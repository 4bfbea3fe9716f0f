// SPDX-License-Identifier: MIT
// churn: --connections loops, each connect -> upgrade -> auth -> `ok` -> close (close frame,
// then the server closes TCP) -> again. Measures cycles/s and cycle time; every failure or
// stuck step (10 s) is an error.
#include <iostream>

#include "chat.hpp"
#include "scenarios/fleet.hpp"
#include "scenarios/scenarios.hpp"

namespace parley::bench {
namespace {

constexpr std::int64_t kStuckNs = 10'000'000'000;

struct Shared {
  std::atomic<bool> running{false};
  std::atomic<std::uint64_t> cycles_started{0};
  std::uint64_t max_cycles = 0;  // 0 = unbounded
};

class ChurnWorker final : public Worker {
 public:
  ChurnWorker(Fleet& f, unsigned i, Shared& s) : Worker(f, i), s_(s) {}

  std::atomic<std::uint64_t> cycles{0};
  std::atomic<bool> busy{false};  // any loop between connect and closed
  Histogram cycle;                // connect() to TCP closed

 private:
  int tick_ms() const override { return 1; }

  void on_tick(std::int64_t now) override {
    bool any = false;
    for (auto& c : clients()) {
      if (c->phase == Client::Phase::kOff) {
        if (!s_.running.load(std::memory_order_relaxed)) continue;
        if (s_.max_cycles &&
            s_.cycles_started.fetch_add(1, std::memory_order_relaxed) >= s_.max_cycles)
          continue;
        connect(*c);
        any = true;
      } else {
        any = true;
        if (now - c->started_ns > kStuckNs) {
          fleet_.errors.add("churn", "a cycle took over 10 s");
          c->phase = Client::Phase::kClosing;
          c->ws->abort("stuck", true);
        }
      }
    }
    busy.store(any, std::memory_order_relaxed);
  }

  void on_live(Client& c) override {
    c.phase = Client::Phase::kClosing;
    c.ws->close();
  }

  void on_gone(Client& c, bool clean, const char* why) override {
    bool done = clean && c.phase == Client::Phase::kClosing;
    Worker::on_gone(c, clean, why);
    if (done) {
      cycle.record(now_ns() - c.started_ns);
      cycles.store(cycles.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    // kOff now: the next tick starts the loop again (never from inside this callback).
  }

  Shared& s_;
};

}  // namespace

void run_churn(const Options& o, Report& r) {
  const std::size_t loops = o.connections ? o.connections : 50;
  const std::size_t users = o.users ? std::min(o.users, loops) : loops;
  r.add("loops", double(loops));
  r.add("users", double(users));
  Fleet fleet(o, prepare_accounts(o, users));
  Shared s;
  s.max_cycles = o.cycles;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<ChurnWorker*> cw;
  for (unsigned t = 0; t < o.threads; ++t) {
    auto w = std::make_unique<ChurnWorker>(fleet, t, s);
    cw.push_back(w.get());
    workers.push_back(std::move(w));
  }
  for (std::size_t i = 0; i < loops; ++i) workers[i % workers.size()]->add_client(i % users);

  std::int64_t t0 = now_ns();
  s.running.store(true);
  for (auto& w : workers) w->start();
  auto total = [&] {
    std::uint64_t n = 0;
    for (auto* w : cw) n += w->cycles.load();
    return n;
  };
  wait_for([&] { return o.cycles && total() >= o.cycles; }, o.duration_s);
  s.running.store(false);
  // Let the loops in progress finish their cycle.
  wait_for(
      [&] {
        for (auto* w : cw)
          if (w->busy.load()) return false;
        return true;
      },
      o.drain_s);
  std::int64_t t1 = now_ns();
  fleet.stop.store(true);
  Histogram cycle, handshake;
  for (auto* w : cw) {
    w->join();
    cycle.merge(w->cycle);
    handshake.merge(w->handshake());
  }
  std::uint64_t n = total();
  double secs = std::max(1e-9, double(t1 - t0) / 1e9);
  r.add("cycles", double(n));
  r.add("elapsed_s", secs, 2);
  r.add("cycles_per_s", double(n) / secs);
  r.add_latency("auth", handshake);
  r.add_latency("cycle", cycle);
  if (n == 0) r.fail("no cycle completed");
  fleet.errors.report(r);
}

}  // namespace parley::bench
