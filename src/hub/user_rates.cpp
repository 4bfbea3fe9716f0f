// SPDX-License-Identifier: MIT
#include "hub/user_rates.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace parley::hub {

bool UserRate::take(std::int64_t now, std::int64_t interval, std::int64_t tolerance) {
  std::int64_t tat = tat_.load(std::memory_order_relaxed);
  for (;;) {
    std::int64_t start = std::max(tat, now);
    if (start - now > tolerance) return false;  // more than `burst` ahead of the clock
    if (tat_.compare_exchange_weak(tat, start + interval, std::memory_order_relaxed)) return true;
  }
}

UserRates::UserRates(double per_second, double burst) {
  set_rate(per_second, burst);
}

void UserRates::set_rate(double per_second, double burst) {
  interval_us_ = tolerance_us_ = 0;
  if (per_second <= 0) return;
  interval_us_ = std::max<std::int64_t>(1, std::llround(1e6 / per_second));
  tolerance_us_ = std::llround((std::max(burst, 1.0) - 1) * double(interval_us_));
}

std::shared_ptr<UserRate> UserRates::acquire(std::int64_t uid) {
  if (unlimited()) return nullptr;
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= prune_at_) {
    std::erase_if(buckets_, [](const auto& kv) { return kv.second.expired(); });
    prune_at_ = std::max<std::size_t>(64, buckets_.size() * 2);
  }
  auto& slot = buckets_[uid];
  auto bucket = slot.lock();
  if (!bucket) {
    bucket = std::make_shared<UserRate>();
    slot = bucket;
  }
  return bucket;
}

bool UserRates::take(UserRate& bucket) const {
  using namespace std::chrono;
  auto now = duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  return bucket.take(now, interval_us_, tolerance_us_);
}

}  // namespace parley::hub
