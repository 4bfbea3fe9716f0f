// SPDX-License-Identifier: MIT
// A run's result: printed as an aligned table for people, then as exactly one JSON object on the
// last line of stdout for scripts (same keys, plain numbers).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace parley::bench {

class Histogram;

class Report {
 public:
  explicit Report(std::string title);

  void add(const std::string& key, double value, int decimals = 0);
  void add(const std::string& key, const std::string& value);
  // p50/p90/p99/max in milliseconds under `prefix`.
  void add_latency(const std::string& prefix, const Histogram& h);
  // Marks the run as failed; the reason is listed and `ok` is false.
  void fail(const std::string& why);
  bool ok() const { return failures_.empty(); }

  void print(std::ostream& out) const;

 private:
  struct Row {
    std::string key, shown, json;
  };
  std::string title_;
  std::vector<Row> rows_;
  std::vector<std::string> failures_;
};

}  // namespace parley::bench
