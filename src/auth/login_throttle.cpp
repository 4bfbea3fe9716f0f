// SPDX-License-Identifier: MIT
#include "auth/login_throttle.hpp"

namespace parley::auth {

bool LoginThrottle::blocked(const std::string& key, std::int64_t now_ms) const {
  int limit = limit_.load();
  if (limit <= 0) return false;
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  return it != windows_.end() && it->second.minute == now_ms / 60000 &&
         it->second.failures >= limit;
}

bool LoginThrottle::try_reserve(const std::string& key, std::int64_t now_ms) {
  int limit = limit_.load();
  if (limit <= 0) return true;
  std::int64_t minute = now_ms / 60000;
  std::lock_guard lock(mutex_);
  if (windows_.size() > 100000)  // bound memory under a spray of names
    std::erase_if(windows_, [&](const auto& kv) { return kv.second.minute != minute; });
  auto& w = windows_[key];
  if (w.minute != minute) w = Window{minute, 0};
  if (w.failures >= limit) return false;
  ++w.failures;
  return true;
}

void LoginThrottle::release(const std::string& key, std::int64_t reserved_ms) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  if (it != windows_.end() && it->second.minute == reserved_ms / 60000 && it->second.failures > 0)
    --it->second.failures;
}

}  // namespace parley::auth
