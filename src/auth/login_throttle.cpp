// SPDX-License-Identifier: MIT
#include "auth/login_throttle.hpp"

namespace parley::auth {

bool LoginThrottle::blocked(const std::string& key, std::int64_t now_ms) const {
  if (limit_ <= 0) return false;
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  return it != windows_.end() && it->second.minute == now_ms / 60000 &&
         it->second.failures >= limit_;
}

void LoginThrottle::record_failure(const std::string& key, std::int64_t now_ms) {
  if (limit_ <= 0) return;
  std::int64_t minute = now_ms / 60000;
  std::lock_guard lock(mutex_);
  if (windows_.size() > 100000)  // bound memory under a spray of names
    std::erase_if(windows_, [&](const auto& kv) { return kv.second.minute != minute; });
  auto& w = windows_[key];
  if (w.minute != minute) w = Window{minute, 0};
  ++w.failures;
}

}  // namespace parley::auth
