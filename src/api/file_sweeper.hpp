// SPDX-License-Identifier: MIT
// Clean-up of files no message references any more (never sent, recalled; see Store::
// create_file): every `interval`, the records unreferenced for longer than `grace` are removed
// from the store (Store::sweep_files), and then the blob and thumbnail of each content that no
// remaining record of any owner has are deleted from the files folder. Quota frees with the
// records (file_usage counts what the store keeps).
//
// Threads: one of its own (sweeping does file-system work and waits for the store; never a
// network thread, never the store's). Owned by app::Server, stopped before the store goes.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "hub/metrics.hpp"
#include "media/blob_store.hpp"
#include "store/store.hpp"

namespace parley::api {

class FileSweeper {
 public:
  struct Options {
    std::chrono::milliseconds grace{24 * 3600 * 1000};
    std::chrono::milliseconds interval{600 * 1000};
    std::size_t batch = 500;  // records per store step (a sweep runs steps until none is due)
    hub::Metrics* metrics = nullptr;  // counts what is removed, if set
  };
  // `swept_owner` hears (on the sweeper's thread) of each user whose files were removed.
  FileSweeper(store::Store& store, const media::BlobStore& blobs, Options options,
              std::function<void(store::UserId)> swept_owner);
  ~FileSweeper();  // stop()
  FileSweeper(const FileSweeper&) = delete;
  FileSweeper& operator=(const FileSweeper&) = delete;

  void start();
  void stop();  // waits for a sweep in progress to finish its current step

  // One sweep on the caller's thread: true when it finished (false: stopping or the store
  // failed). The thread calls it every interval; tests call it directly.
  bool sweep();
  // The content's blob and thumbnail go unless a record has it again (see the .cpp). Called by
  // sweep() for each content the store reports unused; public for tests of the race.
  void remove_content(const std::string& sha256);

 private:
  void run();
  template <typename T, typename Call>
  std::optional<T> ask(Call call);

  store::Store& store_;
  const media::BlobStore& blobs_;
  Options options_;
  std::function<void(store::UserId)> swept_owner_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::api
