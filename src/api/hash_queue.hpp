// SPDX-License-Identifier: MIT
// The password-hashing threads (Argon2id, ~100 ms and 64 MiB each), fed from two queues. Checks
// of a password someone types to prove who they are (login, password change, deletion) always
// go first; hashes of new passwords (registration, admin create/reset) run only when no check
// waits, and have their own, smaller bound. A registration flood therefore fills its own queue
// and gets 503. New passwords use at most all threads but one, so a login never waits for a
// registration's hash to finish either.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parley::api {

class HashQueue {
 public:
  enum class Lane { kCheck, kNew };

  HashQueue(std::size_t threads, std::size_t max_checks, std::size_t max_new);
  ~HashQueue() { join(); }

  // Queues `work` on `lane`; false (nothing queued) when that lane is full or stopping.
  bool submit(Lane lane, std::function<void()> work);
  // Runs what is queued, then stops the threads.
  void join();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> lanes_[2];  // GUARDED_BY(mutex_)
  std::size_t max_[2];
  std::size_t new_threads_;      // threads that may hash new passwords at once
  std::size_t running_new_ = 0;  // GUARDED_BY(mutex_)
  bool stopping_ = false;        // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;
};

}  // namespace parley::api
