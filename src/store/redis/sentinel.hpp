// SPDX-License-Identifier: MIT
// Redis Sentinel: which server is the master now. `redis+sentinel://` URLs name sentinels and a
// master; each connection asks them at connect time (SENTINEL get-master-addr-by-name, then
// ROLE on the answer, since a sentinel may not have seen a failover yet), and a process-wide
// watcher subscribed to `+switch-master` tells connections to reconnect when the master moves.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::store::redis {

struct Endpoint {
  std::string host;
  int port = 0;
};

// Asks each sentinel in turn for `master`'s address; throws RedisError when none answers.
Endpoint ask_sentinels(const std::vector<Endpoint>& sentinels, const std::string& master,
                       std::chrono::milliseconds timeout);

// One background thread per (sentinels, master) in the process; started on first use and kept
// for the process's life. `epoch()` rises on every `+switch-master` for the master.
class SentinelWatch {
 public:
  static SentinelWatch& of(const std::vector<Endpoint>& sentinels, const std::string& master);
  std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

 private:
  SentinelWatch(std::vector<Endpoint> sentinels, std::string master);
  void run();

  std::vector<Endpoint> sentinels_;
  std::string master_;
  std::atomic<std::uint64_t> epoch_{0};
};

}  // namespace parley::store::redis
