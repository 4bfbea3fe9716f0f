// SPDX-License-Identifier: MIT
#include "stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <new>
#include <sstream>

namespace parley::bench {

int Histogram::index_of(std::uint64_t v) {
  if (v < std::uint64_t(kSub)) return int(v);
  int e = 63 - std::countl_zero(v);  // >= kSubBits
  int block = e - kSubBits + 1;
  int sub = int((v >> (e - kSubBits)) - kSub);
  return block * kSub + sub;
}

std::int64_t Histogram::value_of(int index) {
  int block = index / kSub, sub = index % kSub;
  if (block == 0) return sub;
  std::int64_t low = std::int64_t(kSub + sub) << (block - 1);
  std::int64_t width = std::int64_t(1) << (block - 1);
  return low + width / 2;
}

void Histogram::record(std::int64_t ns) {
  if (ns < 0) ns = 0;
  ++counts_[std::size_t(index_of(std::uint64_t(ns)))];
  ++count_;
  sum_ += ns;
  max_ = std::max(max_, ns);
}

void Histogram::merge(const Histogram& o) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
}

std::int64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  auto rank = std::uint64_t(std::ceil(p / 100.0 * double(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(value_of(int(i)), max_);
  }
  return max_;
}

std::string Histogram::serialize() const {
  std::ostringstream s;
  s << count_ << ' ' << max_ << ' ' << sum_;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i]) s << ' ' << i << ':' << counts_[i];
  return s.str();
}

Histogram Histogram::parse(const std::string& text) {
  Histogram h;
  std::istringstream s(text);
  s >> h.count_ >> h.max_ >> h.sum_;
  std::string item;
  while (s >> item) {
    auto colon = item.find(':');
    if (colon == std::string::npos) continue;
    std::size_t i = std::stoul(item.substr(0, colon));
    if (i < h.counts_.size()) h.counts_[i] = std::stoull(item.substr(colon + 1));
  }
  return h;
}

DeliveryTracker::DeliveryTracker(std::uint64_t capacity)
    : capacity_(capacity),
      expected_(static_cast<std::uint16_t*>(std::calloc(capacity, sizeof(std::uint16_t)))),
      received_(static_cast<std::uint16_t*>(std::calloc(capacity, sizeof(std::uint16_t)))) {
  if (!expected_ || !received_) throw std::bad_alloc();
}

DeliveryTracker::~DeliveryTracker() {
  std::free(expected_);
  std::free(received_);
}

bool DeliveryTracker::claim(std::uint16_t recipients, std::uint64_t& index) {
  index = next_.fetch_add(1, std::memory_order_relaxed);
  if (index >= capacity_) return false;
  std::atomic_ref<std::uint16_t>(expected_[index]).store(recipients, std::memory_order_relaxed);
  return true;
}

void DeliveryTracker::cancel(std::uint64_t index) {
  if (index < capacity_)
    std::atomic_ref<std::uint16_t>(expected_[index]).store(0, std::memory_order_relaxed);
}

std::uint32_t DeliveryTracker::delivered(std::uint64_t index) {
  if (index >= capacity_ || expected(index) == 0) return 0;
  auto& slot = received_[index];
  // Saturate instead of wrapping: a runaway duplicate storm must not look like a clean count.
  std::uint16_t old = std::atomic_ref<std::uint16_t>(slot).load(std::memory_order_relaxed);
  while (old != 0xFFFF && !std::atomic_ref<std::uint16_t>(slot).compare_exchange_weak(
                              old, std::uint16_t(old + 1), std::memory_order_relaxed)) {
  }
  return std::uint32_t(old) + 1;
}

std::uint16_t DeliveryTracker::expected(std::uint64_t index) const {
  if (index >= capacity_) return 0;
  return std::atomic_ref<std::uint16_t>(expected_[index]).load(std::memory_order_relaxed);
}

std::uint64_t DeliveryTracker::claimed() const {
  return std::min(next_.load(std::memory_order_relaxed), capacity_);
}

DeliveryTracker::Tally DeliveryTracker::tally() const {
  Tally t;
  std::uint64_t n = claimed();
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t e = expected_[i], r = received_[i];
    if (e == 0) continue;
    ++t.messages;
    t.expected += e;
    t.delivered += std::min(e, r);
    if (r < e) t.lost += e - r;
    if (r > e) t.duplicated += r - e;
  }
  return t;
}

}  // namespace parley::bench
