// SPDX-License-Identifier: MIT
// Open connections per client IP, capped (0 = no cap). Any thread: one small mutex, taken once
// when a connection opens and once when it closes.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::net {

class IpLimiter {
 public:
  explicit IpLimiter(std::size_t max_per_ip) : max_(max_per_ip) {}

  // Counts a connection from `ip`; false (nothing counted) when the IP is at its cap.
  bool acquire(const std::string& ip) {
    if (max_ == 0) return true;
    std::lock_guard lock(mutex_);
    auto& n = counts_[ip];
    if (n >= max_) return false;
    ++n;
    return true;
  }

  // A new cap (config reload), only while the shards are parked. Connections opened while the
  // cap was 0 (unlimited) were not counted.
  void set_max(std::size_t max_per_ip) { max_ = max_per_ip; }
  void release(const std::string& ip) {
    if (max_ == 0) return;
    std::lock_guard lock(mutex_);
    auto it = counts_.find(ip);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }

 private:
  std::size_t max_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> counts_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::net
