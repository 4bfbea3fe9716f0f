// SPDX-License-Identifier: MIT
#include "api/file_sweeper.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <optional>

#include "util/clock.hpp"

namespace parley::api {

FileSweeper::FileSweeper(store::Store& store, const media::BlobStore& blobs, Options options,
                         std::function<void(store::UserId)> swept_owner)
    : store_(store), blobs_(blobs), options_(options), swept_owner_(std::move(swept_owner)) {}

FileSweeper::~FileSweeper() {
  stop();
}

void FileSweeper::start() {
  if (options_.interval.count() <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void FileSweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileSweeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // The first sweep one interval after start: a node starting takes no extra work at once.
    if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) break;
    lock.unlock();
    sweep();
    lock.lock();
  }
}

// Store calls answer on a store thread; this thread waits for them (it has nothing else to do).
template <typename T, typename Call>
std::optional<T> FileSweeper::ask(Call call) {
  auto done = std::make_shared<std::promise<store::Result<T>>>();
  auto answer = done->get_future();
  call([done](store::Result<T> r) { done->set_value(std::move(r)); });
  auto r = answer.get();
  if (auto* v = std::get_if<T>(&r)) return std::move(*v);
  return std::nullopt;
}

bool FileSweeper::sweep() {
  std::int64_t cutoff = util::now_ms() - options_.grace.count();
  std::size_t records = 0, contents = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
    }
    auto swept = ask<store::SweptFiles>(
        [&](auto cb) { store_.sweep_files(cutoff, options_.batch, std::move(cb)); });
    if (!swept) {
      spdlog::warn("files: sweep failed (store unavailable); trying again next interval");
      return false;
    }
    for (store::UserId owner : swept->owners) swept_owner_(owner);
    for (const auto& sha : swept->unused) remove_content(sha);
    records += swept->ids.size();
    contents += swept->unused.size();
    if (options_.metrics) hub::Metrics::add(options_.metrics->files_swept, swept->ids.size());
    if (swept->ids.size() < options_.batch) break;
  }
  if (records > 0)
    spdlog::info("files: swept {} unreferenced file(s), {} content(s) removed from disk", records,
                 contents);
  return true;
}

// Several nodes share the files folder and the store, and an upload of the same bytes may commit
// its record while this runs. The store said no record has this content (decided atomically with
// the removals). Then:
//   1. park: the blob and thumbnail are renamed aside (atomic; a second sweeper finds nothing),
//   2. re-check the store: does a record have the content now?
//   3. yes: link them back (never over a copy an upload put there meanwhile); no: delete them.
// An upload links its blob in (BlobStore::commit), stores its record, and only then checks that
// the blob (and thumbnail) are still there, restoring them from its own copy in tmp/
// (BlobStore::settle). Take a record committed at time C. A park before the upload's check is
// undone by the upload; a park after it is after C, so step 2 (after the park) sees the record
// and step 3 restores. Either way a stored record ends with its bytes on disk. (A download in the
// instant between park and restore may get a 404: only for a content that was just orphaned.)
void FileSweeper::remove_content(const std::string& sha) {
  if (!media::is_sha256_hex(sha)) return;
  std::string blob = blobs_.path(sha), thumb = blobs_.thumb_path(sha);
  std::string parked_blob = blobs_.park(blob), parked_thumb = blobs_.park(thumb);
  if (parked_blob.empty() && parked_thumb.empty()) return;  // another node has it in hand
  auto in_use = ask<bool>([&](auto cb) { store_.content_in_use(sha, std::move(cb)); });
  bool keep = !in_use || *in_use;  // in doubt (store unavailable): keep
  for (auto [parked, path] : {std::pair{&parked_blob, &blob}, std::pair{&parked_thumb, &thumb}}) {
    if (parked->empty()) continue;
    if (keep) {
      media::BlobStore::restore(*parked, *path);
    } else {
      media::BlobStore::discard(*parked);
    }
  }
  if (!keep && !parked_blob.empty() && options_.metrics)
    hub::Metrics::add(options_.metrics->file_contents_removed);
}

}  // namespace parley::api
