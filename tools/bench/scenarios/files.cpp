// SPDX-License-Identifier: MIT
// files: U uploaders (--uploaders) each POST /api/files raw bodies of --file-bytes random bytes
// (distinct per upload) for --duration seconds or until --files uploads in all; then every
// uploader downloads its files back at once (from --download-port, another node, if given) and
// checks each byte. Measures upload and download MB/s (10^6 bytes), per-transfer latency,
// errors and mismatches.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "accounts.hpp"
#include "file_http.hpp"
#include "scenarios/scenarios.hpp"
#include "stats.hpp"

namespace parley::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Uploaded {
  std::string id;
  std::uint64_t seed;
};

// What one uploader's thread saw.
struct Lane {
  std::vector<Uploaded> files;
  Histogram up_latency, down_latency;
  std::uint64_t up_bytes = 0, down_bytes = 0, up_errors = 0, down_errors = 0, mismatches = 0;
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::int64_t nanos_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

std::uint64_t run_nonce() {
  std::random_device rd;
  return (std::uint64_t(rd()) << 32) ^ rd() ^
         std::uint64_t(Clock::now().time_since_epoch().count());
}

// Runs body(i) on one thread per lane and returns the wall time until the last one ends.
template <class F>
double on_every_lane(std::size_t lanes, F body) {
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < lanes; ++i) threads.emplace_back([&, i] { body(i); });
  for (auto& t : threads) t.join();
  return seconds_since(start);
}

}  // namespace

void run_files(const Options& o, Report& r) {
  std::size_t n = o.uploaders;
  if (n == 0) throw std::runtime_error("files needs at least one uploader");
  if (o.file_bytes == 0) throw std::runtime_error("--file-bytes must be at least 1");
  std::uint16_t down_port = o.download_port ? o.download_port : o.port;
  r.add("uploaders", double(n));
  r.add("file_bytes", double(o.file_bytes));
  if (o.files) r.add("files_limit", double(o.files));
  if (down_port != o.port) r.add("download_port", double(down_port));
  auto accounts = prepare_accounts(o, n);
  std::vector<Lane> lanes(n);
  std::mutex mu;
  std::vector<std::string> errors;  // the first few, for the report
  auto note = [&](const std::string& e) {
    std::lock_guard lock(mu);
    if (errors.size() < 5) errors.push_back(e);
  };
  const std::uint64_t nonce = run_nonce();
  std::atomic<std::uint64_t> next{0};
  auto start = Clock::now();

  double up_wall = on_every_lane(n, [&](std::size_t i) {
    Lane& lane = lanes[i];
    for (;;) {
      if (seconds_since(start) >= o.duration_s) break;
      std::uint64_t k = next.fetch_add(1);
      if (o.files && k >= o.files) break;
      std::uint64_t seed = nonce ^ (k * 0xD1B54A32D192ED03ull);
      auto t0 = Clock::now();
      Transfer t = upload_file(o.host, o.port, accounts[i].token,
                               "bench-" + std::to_string(k) + ".bin", Payload(seed), o.file_bytes);
      lane.up_latency.record(nanos_since(t0));
      if (!t.error.empty()) {
        ++lane.up_errors;
        note(t.error);
        continue;
      }
      lane.up_bytes += t.bytes;
      lane.files.push_back({t.id, seed});
      if (o.verbose)
        std::fprintf(stderr, "uploaded %s (%s)\n", t.id.c_str(), accounts[i].name.c_str());
    }
  });

  double down_wall = on_every_lane(n, [&](std::size_t i) {
    Lane& lane = lanes[i];
    for (const auto& f : lane.files) {
      auto t0 = Clock::now();
      Transfer t =
          download_file(o.host, down_port, accounts[i].token, f.id, Payload(f.seed), o.file_bytes);
      lane.down_latency.record(nanos_since(t0));
      lane.down_bytes += t.bytes;
      if (t.mismatch) ++lane.mismatches;
      if (!t.error.empty()) {
        ++lane.down_errors;
        note(t.error);
      }
    }
  });

  Lane all;
  std::uint64_t uploads = 0;
  for (const auto& l : lanes) {
    uploads += l.files.size();
    all.up_latency.merge(l.up_latency);
    all.down_latency.merge(l.down_latency);
    all.up_bytes += l.up_bytes;
    all.down_bytes += l.down_bytes;
    all.up_errors += l.up_errors;
    all.down_errors += l.down_errors;
    all.mismatches += l.mismatches;
  }
  r.add("uploads", double(uploads));
  r.add("upload_errors", double(all.up_errors));
  r.add("upload_s", up_wall, 2);
  r.add("upload_mb_per_s", double(all.up_bytes) / 1e6 / up_wall, 1);
  r.add_latency("upload", all.up_latency);
  r.add("downloads", double(all.down_latency.count() - all.down_errors));
  r.add("download_errors", double(all.down_errors));
  r.add("mismatches", double(all.mismatches));
  r.add("download_s", down_wall, 2);
  r.add("download_mb_per_s", down_wall > 0 ? double(all.down_bytes) / 1e6 / down_wall : 0, 1);
  r.add_latency("download", all.down_latency);
  if (uploads == 0) r.fail("no upload succeeded");
  if (all.up_errors) r.fail(std::to_string(all.up_errors) + " uploads failed");
  if (all.down_errors) r.fail(std::to_string(all.down_errors) + " downloads failed");
  if (all.mismatches)
    r.fail(std::to_string(all.mismatches) + " downloads differ from their upload");
  for (const auto& e : errors) r.fail("first errors: " + e);
}

}  // namespace parley::bench
