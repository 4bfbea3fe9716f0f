// SPDX-License-Identifier: MIT
// Brute-force throttling: failed logins counted per key (a name, an IP) in one-minute windows.
// Successful logins are never counted. Any thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::auth {

class LoginThrottle {
 public:
  explicit LoginThrottle(int failures_per_minute) : limit_(failures_per_minute) {}

  // True when `key` has used up its failures for the current minute.
  bool blocked(const std::string& key, std::int64_t now_ms) const;
  void record_failure(const std::string& key, std::int64_t now_ms);
  // A new limit (config reload), from any thread.
  void set_limit(int failures_per_minute) { limit_.store(failures_per_minute); }

 private:
  struct Window {
    std::int64_t minute = 0;
    int failures = 0;
  };
  std::atomic<int> limit_;  // 0 = unlimited
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::auth
