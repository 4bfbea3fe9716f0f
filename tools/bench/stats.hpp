// SPDX-License-Identifier: MIT
// Measurement: a log-linear latency histogram (HDR-style, ~3 % resolution, constant memory)
// and the delivery tracker that counts every message's deliveries to find loss and duplicates.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace parley::bench {

// Not thread-safe: one per thread, merged at the end.
class Histogram {
 public:
  void record(std::int64_t ns);
  void merge(const Histogram& o);
  std::uint64_t count() const { return count_; }
  std::int64_t max() const { return max_; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0; }
  // Value at percentile p (0..100]; 0 when empty. Within ~3 % of the true value.
  std::int64_t percentile(double p) const;

  // Compact text form for passing between processes.
  std::string serialize() const;
  static Histogram parse(const std::string& s);

 private:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits) * kSub;
  static int index_of(std::uint64_t v);
  static std::int64_t value_of(int index);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
  std::int64_t sum_ = 0;
};

// Delivery counts per message index, shared by all threads (relaxed atomics: each slot is only
// counted; the totals are read after the threads are joined). Memory comes from calloc, so
// untouched slots cost nothing.
class DeliveryTracker {
 public:
  explicit DeliveryTracker(std::uint64_t capacity);
  ~DeliveryTracker();
  DeliveryTracker(const DeliveryTracker&) = delete;
  DeliveryTracker& operator=(const DeliveryTracker&) = delete;

  // A fresh message index expecting `recipients` deliveries; false when the capacity is used up.
  bool claim(std::uint16_t recipients, std::uint64_t& index);
  // Takes back a claimed index whose frame could not be sent.
  void cancel(std::uint64_t index);
  // Counts one delivery; returns the new count, or 0 for an index never claimed (foreign).
  std::uint32_t delivered(std::uint64_t index);
  std::uint16_t expected(std::uint64_t index) const;
  std::uint64_t claimed() const;

  struct Tally {
    std::uint64_t messages = 0;    // messages sent
    std::uint64_t expected = 0;    // deliveries expected
    std::uint64_t delivered = 0;   // distinct deliveries seen (up to expected per message)
    std::uint64_t lost = 0;        // expected but not seen
    std::uint64_t duplicated = 0;  // seen more often than expected
  };
  Tally tally() const;

 private:
  std::uint64_t capacity_;
  std::uint16_t* expected_;
  std::uint16_t* received_;
  std::atomic<std::uint64_t> next_{0};
};

}  // namespace parley::bench
