// SPDX-License-Identifier: MIT
// Counters exported at /metrics in the Prometheus text format. Relaxed atomics: they are
// statistics, read by a scraper, never used for control. Any thread.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::hub {

class Metrics {
 public:
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> messages_stored{0};
  std::atomic<std::uint64_t> messages_delivered{0};
  std::atomic<std::uint64_t> messages_rejected{0};
  std::atomic<std::uint64_t> slow_consumer_drops{0};
  std::atomic<std::uint64_t> error_frames{0};  // total; by code below
  std::atomic<std::uint64_t> http_requests{0};
  // Clean-up (api/file_sweeper.hpp): file records removed, contents deleted from disk.
  std::atomic<std::uint64_t> files_swept{0};
  std::atomic<std::uint64_t> file_contents_removed{0};
  // Revoked token ids held in memory until their tokens expire; sampled when they are pruned.
  std::atomic<std::int64_t> revoked_tokens{0};

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  // Store group-commit latency histogram, microseconds.
  static constexpr std::array<std::uint64_t, 10> kCommitBucketsUs = {
      100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000};
  void observe_commit_us(std::uint64_t us);
  // Counts an `error` frame by its code (protocol::frame_error).
  void count_error(std::string_view code);

  std::string render(std::int64_t users_online) const;

 private:
  std::array<std::atomic<std::uint64_t>, kCommitBucketsUs.size() + 1> commit_buckets_{};
  std::atomic<std::uint64_t> commit_sum_us_{0};
  std::atomic<std::uint64_t> commit_count_{0};
  static constexpr std::array<std::string_view, 19> kErrorCodes = {"bad_json",
                                                                   "bad_frame",
                                                                   "unknown_type",
                                                                   "not_authenticated",
                                                                   "already_authenticated",
                                                                   "no_recipients",
                                                                   "too_many_recipients",
                                                                   "too_large",
                                                                   "rate_limited",
                                                                   "binary_unsupported",
                                                                   "store_unavailable",
                                                                   "not_a_member",
                                                                   "not_found",
                                                                   "not_yours",
                                                                   "too_late",
                                                                   "recalled",
                                                                   "feature_off",
                                                                   "bad_reply",
                                                                   "other"};
  std::array<std::atomic<std::uint64_t>, kErrorCodes.size()> errors_{};
};

}  // namespace parley::hub
