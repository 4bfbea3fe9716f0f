// SPDX-License-Identifier: MIT
#include "api/hash_queue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace parley::api {

HashQueue::HashQueue(std::size_t threads, std::size_t max_checks, std::size_t max_new)
    : max_{max_checks, max_new}, new_threads_(threads > 1 ? threads - 1 : 1) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
    threads_.emplace_back([this] { run(); });
}

bool HashQueue::submit(Lane lane, std::function<void()> work) {
  auto& q = lanes_[int(lane)];
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || q.size() >= max_[int(lane)]) return false;
    q.push_back(std::move(work));
  }
  wake_.notify_one();
  return true;
}

void HashQueue::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void HashQueue::run() {
  for (;;) {
    std::function<void()> work;
    bool is_new = false;
    {
      std::unique_lock lock(mutex_);
      auto new_ready = [&] { return !lanes_[1].empty() && running_new_ < new_threads_; };
      wake_.wait(lock, [&] { return stopping_ || !lanes_[0].empty() || new_ready(); });
      if (!lanes_[0].empty()) {  // checks first
        work = std::move(lanes_[0].front());
        lanes_[0].pop_front();
      } else if (new_ready()) {
        work = std::move(lanes_[1].front());
        lanes_[1].pop_front();
        is_new = true;
        ++running_new_;
      } else {
        return;  // stopping, and nothing this thread may run is left
      }
    }
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("hashing failed: {}", e.what());
    }
    if (is_new) {
      std::lock_guard lock(mutex_);
      --running_new_;
    }
    if (is_new) wake_.notify_all();
  }
}

}  // namespace parley::api
