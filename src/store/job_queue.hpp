// SPDX-License-Identifier: MIT
// The queue in front of a store's writer thread: callers push jobs from any thread; the writer
// takes everything queued at once (up to a cap), which is what turns many small operations into
// one group commit.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace parley::store {

template <typename Job>
class JobQueue {
 public:
  void push(Job job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  // Waits up to `idle` for jobs, then moves up to `max` of them into `out` (which may stay
  // empty on a time-out). Returns false once stop() was called and the queue is drained.
  bool pop_batch(std::vector<Job>& out, std::size_t max, std::chrono::milliseconds idle) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, idle, [&] { return stopping_ || !queue_.empty(); });
    out.clear();
    if (queue_.empty()) return !stopping_;
    if (queue_.size() <= max) {
      // The usual case: swap buffers, so that in a steady state neither side allocates.
      out.swap(queue_);
      return true;
    }
    out.assign(std::make_move_iterator(queue_.begin()),
               std::make_move_iterator(queue_.begin() + std::ptrdiff_t(max)));
    queue_.erase(queue_.begin(), queue_.begin() + std::ptrdiff_t(max));
    return true;
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Job> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;   // GUARDED_BY(mutex_)
};

}  // namespace parley::store
