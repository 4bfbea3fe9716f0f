// SPDX-License-Identifier: MIT
// Brute-force throttling: password checks counted per key (a name, an address, a device) in
// one-minute windows. A check reserves its place before the password is hashed (so a burst of
// parallel tries gets no more checks than the limit) and gives it back when the password was
// right: only failures stay counted. Any thread.
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

  // True when `key` has used up its checks for the current minute.
  bool blocked(const std::string& key, std::int64_t now_ms) const;
  // Takes one check of `key`'s minute; false (nothing taken) when none is left.
  bool try_reserve(const std::string& key, std::int64_t now_ms);
  // Gives back a check taken at `reserved_ms` (the password was right), if its minute lasts.
  void release(const std::string& key, std::int64_t reserved_ms);
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
