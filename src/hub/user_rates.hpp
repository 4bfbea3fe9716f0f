// SPDX-License-Identifier: MIT
// The per-user message rate: one bucket per user online on this node, shared by all of that
// user's sessions whichever shard they run on, so 64 connections of one account cannot send 64
// times the per-connection rate. Each bucket is a GCRA (a token bucket kept as one "theoretical
// arrival time"): taking a token is a compare-and-swap on one atomic, no lock per message.
// The registry's mutex is taken only when a session authenticates.
//
// Bound: in a cluster each node has its own bucket for a user, so an account connected to N
// nodes can send up to N times the rate.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace parley::hub {

class UserRate {
 public:
  // Any thread, lock-free. False when the user's bucket is empty.
  bool take(std::int64_t now_us, std::int64_t interval_us, std::int64_t tolerance_us);

 private:
  std::atomic<std::int64_t> tat_{0};  // when the bucket is full again, steady-clock µs
};

class UserRates {
 public:
  // `per_second` = 0: unlimited. `burst`: messages a user may send at once.
  UserRates(double per_second, double burst);

  bool unlimited() const { return interval_us_ == 0; }
  // The bucket of `uid`, shared with its other sessions on this node (any thread; a mutex).
  // Null when unlimited. The bucket lives as long as a session holds it.
  std::shared_ptr<UserRate> acquire(std::int64_t uid);
  // Takes one message from `bucket` now (any thread, lock-free).
  bool take(UserRate& bucket) const;
  // A new rate (config reload). Only while no other thread uses this (the shards are parked);
  // sessions that authenticated while the rate was unlimited stay so until they reconnect.
  void set_rate(double per_second, double burst);

 private:
  std::int64_t interval_us_ = 0;   // one message per interval
  std::int64_t tolerance_us_ = 0;  // (burst - 1) intervals
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::weak_ptr<UserRate>> buckets_;  // GUARDED_BY(mutex_)
  std::size_t prune_at_ = 64;                                          // GUARDED_BY(mutex_)
};

}  // namespace parley::hub
