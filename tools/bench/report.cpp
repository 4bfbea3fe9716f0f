// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "stats.hpp"
#include "util/json_text.hpp"

namespace parley::bench {

namespace {

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// 1234567.8 -> "1,234,568" (decimals 0) or "1,234,567.80" (decimals 2).
std::string grouped(double v, int decimals) {
  std::string s = fixed(v, decimals), out;
  std::size_t end = std::min(s.find('.'), s.size());
  std::size_t start = s[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > start && i < end && (end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

}  // namespace

Report::Report(std::string title) : title_(std::move(title)) {}

void Report::add(const std::string& key, double value, int decimals) {
  rows_.push_back({key, grouped(value, decimals), fixed(value, decimals)});
}

void Report::add(const std::string& key, const std::string& value) {
  std::string j;
  util::append_json_string(j, value);
  rows_.push_back({key, value, j});
}

void Report::add_latency(const std::string& prefix, const Histogram& h) {
  auto ms = [](std::int64_t ns) { return double(ns) / 1e6; };
  add(prefix + "_p50_ms", ms(h.percentile(50)), 3);
  add(prefix + "_p90_ms", ms(h.percentile(90)), 3);
  add(prefix + "_p99_ms", ms(h.percentile(99)), 3);
  add(prefix + "_max_ms", ms(h.max()), 3);
}

void Report::fail(const std::string& why) {
  failures_.push_back(why);
}

void Report::print(std::ostream& out) const {
  std::size_t width = 6;
  for (const auto& r : rows_) width = std::max(width, r.key.size());
  out << title_ << "\n";
  for (const auto& r : rows_)
    out << "  " << r.key << std::string(width - r.key.size() + 2, ' ') << r.shown << "\n";
  out << "  result" << std::string(width - 6 + 2, ' ') << (ok() ? "OK" : "FAILED") << "\n";
  for (const auto& f : failures_) out << "    - " << f << "\n";

  std::string j = "{";
  for (const auto& r : rows_) {
    util::append_json_string(j, r.key);
    j += ':' + r.json + ',';
  }
  j += ok() ? "\"ok\":true" : "\"ok\":false";
  j += ",\"failures\":[";
  for (std::size_t i = 0; i < failures_.size(); ++i) {
    if (i) j += ',';
    util::append_json_string(j, failures_[i]);
  }
  j += "]}";
  out << j << std::endl;
}

}  // namespace parley::bench
