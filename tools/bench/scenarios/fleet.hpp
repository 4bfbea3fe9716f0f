// SPDX-License-Identifier: MIT
// What every scenario shares: where to connect, the accounts, and the worker threads. A Worker
// is one thread with one EventLoop and a slice of the chat clients; it connects them (a bounded
// number of handshakes at a time), authenticates them, answers the classic frames every client
// must handle, and hands the rest to the scenario through virtual hooks. The main thread only
// flips atomics and waits.
#pragma once
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accounts.hpp"
#include "conn.hpp"
#include "loop.hpp"
#include "options.hpp"
#include "report.hpp"
#include "stats.hpp"

namespace parley::bench {

// Where connections go and come from. Read-only once built.
struct Target {
  explicit Target(const Options& o);
  sockaddr_in server{};
  std::vector<sockaddr_in> sources;  // empty: let the kernel choose
  std::string host_header;
  const sockaddr_in* source(std::size_t i) const {
    return sources.empty() ? nullptr : &sources[i % sources.size()];
  }
};

// Error counts and the first few distinct reasons, from any thread.
class Errors {
 public:
  void add(const std::string& kind, const std::string& why);
  std::uint64_t total() const { return total_.load(std::memory_order_relaxed); }
  // Adds `errors` and the reasons to the report; fails it when there were any.
  void report(Report& r) const;
  std::vector<std::pair<std::string, std::uint64_t>> reasons() const;
  void add_reason(const std::string& key, std::uint64_t n);

 private:
  std::atomic<std::uint64_t> total_{0};
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::uint64_t>> reasons_;  // "kind: why" -> count
};

struct Client {
  enum class Phase { kOff, kConnecting, kAuthing, kLive, kClosing };
  std::unique_ptr<WsConn> ws;
  std::size_t account = 0;  // index into the accounts
  Phase phase = Phase::kOff;
  std::int64_t started_ns = 0;  // connect() called
  std::int64_t auth_sent_ns = 0;
  std::int64_t live_ns = 0;                // `ok` received
  std::int64_t head_seq = -1;              // `seq` of the ok frame (extension), -1 if absent
  std::optional<std::int64_t> resume_seq;  // send "seq" in auth (extension)
};

// State shared by the workers of one run.
struct Fleet {
  Fleet(const Options& o, std::vector<Account> accounts);
  const Options& opts;
  Target target;
  std::vector<Account> accounts;
  std::uint32_t run_id;  // tags this run's messages
  Errors errors;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> live{0};             // clients whose auth succeeded (ever)
  std::atomic<std::uint64_t> handshakes_done{0};  // handshakes that ended, live or failed
  std::atomic<std::int64_t> last_frame_ns{0};     // any frame received (for "quiet" checks)
  std::atomic<std::uint64_t> loginlist_frames{0};
  std::atomic<std::uint64_t> bytes_in{0};
};

class Worker : public WsListener {
 public:
  Worker(Fleet& fleet, unsigned index);
  ~Worker() override;

  // Clients are added before the thread starts; the worker owns them.
  Client& add_client(std::size_t account);
  void start();
  void join();
  // Queues every client of this worker for connect+auth (thread-safe: before start()).
  void connect_all();

  std::vector<std::unique_ptr<Client>>& clients() { return clients_; }
  Histogram& handshake() { return handshake_; }
  unsigned index() const { return index_; }
  // Latest `ok` on this worker (for the connect rate), readable from any thread.
  std::atomic<std::int64_t> last_live_ns{0};

 protected:
  // Hooks, on the worker thread.
  virtual void on_live(Client& c) {}
  virtual void on_frame(Client& c, std::string_view type, std::string_view text) {}
  virtual void on_error_frame(Client& c, std::string_view text);
  virtual void on_gone(Client& c, bool clean, const char* why);
  virtual void on_tick(std::int64_t now) {}
  // Milliseconds epoll may sleep when nothing happens; smaller = finer pacing.
  virtual int tick_ms() const { return 5; }

  // Starts connecting `c` now (counts against nothing: the caller paces).
  void connect(Client& c);
  // Handshakes started and not yet live or failed.
  unsigned handshaking() const { return handshaking_; }

  Fleet& fleet_;
  EventLoop loop_;
  unsigned index_;
  std::uint64_t rng_;
  std::uint64_t random();

 private:
  void run();
  void teardown();
  void on_open(WsConn& c) override;
  void on_text(WsConn& c, std::string_view text) override;
  void on_closed(WsConn& c, bool clean, const char* why) override;
  void end_handshake(Client& c);

  std::vector<std::unique_ptr<Client>> clients_;
  std::deque<Client*> to_connect_;
  unsigned handshaking_ = 0;
  std::size_t connects_ = 0;  // connect() calls, to spread source addresses
  unsigned max_handshaking_;
  Histogram handshake_;  // connect() to `ok`
  std::thread thread_;
};

// Polls `pred` every millisecond until it holds or `timeout_s` passes; true if it held.
template <typename Pred>
bool wait_for(Pred pred, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// With --verbose: a timestamped progress line on stderr.
void note(const Options& o, const std::string& what);

// Reads VmRSS of `pid` in bytes (0 if unreadable).
std::uint64_t rss_bytes(int pid);

// Starts the workers, connects every client and waits for them to be live (or fail), then for
// presence pushes to calm down. Returns seconds from the first connect to the last `ok`.
double connect_fleet(Fleet& fleet, std::vector<std::unique_ptr<Worker>>& workers,
                     double timeout_s = 60);

}  // namespace parley::bench
