// SPDX-License-Identifier: MIT
// What the store suites share: a blocking call helper and a sink that records what the store
// reports.
#pragma once
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace parley::store {

// Calls an asynchronous store method and waits for its result; a StoreError throws.
template <typename T>
T wait(std::function<void(Callback<T>)> call) {
  std::promise<Result<T>> p;
  call([&](Result<T> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  if (auto* e = std::get_if<StoreError>(&r))
    throw std::runtime_error("store error " + std::to_string(int(*e)));
  return std::get<T>(std::move(r));
}

struct Sink : CommitSink {
  std::mutex m;
  std::condition_variable cv;
  // Waits until at least `c` commits and `r` rejections arrived (Redis delivers via pub/sub).
  void wait_for(std::size_t c, std::size_t r = 0) {
    std::unique_lock l(m);
    cv.wait_for(l, std::chrono::seconds(5),
                [&] { return committed.size() >= c && rejected.size() >= r; });
  }
  std::vector<Committed> committed;
  std::vector<Rejected> rejected;
  void on_committed(std::vector<Committed> b) override {
    std::lock_guard l(m);
    for (auto& c : b) committed.push_back(std::move(c));
    cv.notify_all();
  }
  void on_rejected(std::vector<Rejected> b) override {
    std::lock_guard l(m);
    for (auto& r : b) rejected.push_back(std::move(r));
    cv.notify_all();
  }
  std::vector<std::string> revoked;
  std::vector<std::pair<UserId, std::int64_t>> generations;
  void on_token_revoked(UserId, const std::string& jti, std::int64_t) override {
    std::lock_guard l(m);
    revoked.push_back(jti);
  }
  void on_generation(UserId u, std::int64_t g) override {
    std::lock_guard l(m);
    generations.emplace_back(u, g);
  }
  void on_resync() override {}
  void on_cluster_presence(std::vector<std::string>) override {}
  std::vector<std::pair<UserId, std::string>> notices;
  void on_notice(UserId u, const std::string& content, std::int64_t) override {
    std::lock_guard l(m);
    notices.emplace_back(u, content);
    cv.notify_all();
  }
};

}  // namespace parley::store
