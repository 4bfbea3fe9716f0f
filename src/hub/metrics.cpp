// SPDX-License-Identifier: MIT
#include "hub/metrics.hpp"

namespace parley::hub {

void Metrics::observe_commit_us(std::uint64_t us) {
  std::size_t i = 0;
  while (i < kCommitBucketsUs.size() && us > kCommitBucketsUs[i]) ++i;
  commit_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  commit_sum_us_.fetch_add(us, std::memory_order_relaxed);
  commit_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_error(std::string_view code) {
  std::size_t i = 0;
  while (i + 1 < kErrorCodes.size() && kErrorCodes[i] != code) ++i;
  errors_[i].fetch_add(1, std::memory_order_relaxed);
  error_frames.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(std::int64_t users_online) const {
  std::string out;
  auto line = [&](const char* name, const char* type, auto value) {
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  line("parley_connections_total", "counter", get(connections_total));
  line("parley_connections_open", "gauge", get(connections_open));
  line("parley_users_online", "gauge", users_online);
  line("parley_revoked_tokens", "gauge", get(revoked_tokens));
  line("parley_frames_in_total", "counter", get(frames_in));
  line("parley_frames_out_total", "counter", get(frames_out));
  line("parley_messages_stored_total", "counter", get(messages_stored));
  line("parley_messages_delivered_total", "counter", get(messages_delivered));
  line("parley_messages_rejected_total", "counter", get(messages_rejected));
  line("parley_slow_consumer_drops_total", "counter", get(slow_consumer_drops));
  line("parley_error_frames_total", "counter", get(error_frames));
  line("parley_http_requests_total", "counter", get(http_requests));
  line("parley_files_swept_total", "counter", get(files_swept));
  line("parley_file_contents_removed_total", "counter", get(file_contents_removed));
  out += "# TYPE parley_errors_total counter\n";
  for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
    out += "parley_errors_total{code=\"";
    out += kErrorCodes[i];
    out += "\"} " + std::to_string(get(errors_[i])) + "\n";
  }
  out += "# TYPE parley_store_commit_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kCommitBucketsUs.size(); ++i) {
    cumulative += get(commit_buckets_[i]);
    out += "parley_store_commit_seconds_bucket{le=\"";
    out += i < kCommitBucketsUs.size() ? std::to_string(double(kCommitBucketsUs[i]) / 1e6) : "+Inf";
    out += "\"} " + std::to_string(cumulative) + "\n";
  }
  out +=
      "parley_store_commit_seconds_sum " + std::to_string(double(get(commit_sum_us_)) / 1e6) + "\n";
  out += "parley_store_commit_seconds_count " + std::to_string(get(commit_count_)) + "\n";
  return out;
}

}  // namespace parley::hub
