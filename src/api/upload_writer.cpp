// SPDX-License-Identifier: MIT
#include "api/upload_writer.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

namespace parley::api {
namespace {

// The media pool yields to the network threads: on a box whose cores are busy, hashing and
// writing uploads waits, chat does not (measured: docs/BENCHMARKS.md "Files"). Linux's nice and
// I/O priority are per thread; set once per pool thread, on its first upload job.
void yield_to_network_threads() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  setpriority(PRIO_PROCESS, 0, 10);  // who 0: this thread
  constexpr int kIoprioClassBestEffort = 2, kIoprioWhoProcess = 1, kLowest = 7;
  syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, (kIoprioClassBestEffort << 13) | kLowest);
}

}  // namespace

UploadWriter::UploadWriter(boost::asio::thread_pool& pool,
                           std::unique_ptr<media::BlobWriter> writer)
    : st_(std::make_shared<State>(pool, std::move(writer))) {}

UploadWriter::~UploadWriter() {
  std::shared_ptr<media::BlobWriter> drop;
  {
    std::lock_guard lock(st_->mutex);
    if (st_->closed) return;  // finishing: the job hands the writer to `then`
    st_->abandoned = true;
    st_->queued.clear();
    st_->resume = nullptr;
    if (!st_->running) drop = std::move(st_->writer);
  }
  // `drop` (if any) goes here: its destructor removes the partial file. Otherwise the running
  // job drops it when it sees `abandoned`.
}

void UploadWriter::schedule(const std::shared_ptr<State>& st) {
  if (st->running) return;
  st->running = true;
  boost::asio::post(st->pool, [st] { run(st); });
}

bool UploadWriter::write(std::string_view bytes) {
  std::lock_guard lock(st_->mutex);
  if (st_->failed) return false;
  // Sized once (the queue and the job's batch swap buffers): no doubling past the high water.
  if (st_->queued.capacity() < kHighWater + kReadSlack)
    st_->queued.reserve(kHighWater + kReadSlack);
  st_->queued.append(bytes);
  accepted_ += std::int64_t(bytes.size());
  schedule(st_);
  return true;
}

bool UploadWriter::wants_more() const {
  std::lock_guard lock(st_->mutex);
  return st_->queued.size() < kHighWater;
}

void UploadWriter::on_ready(std::function<void()> resume) {
  {
    std::lock_guard lock(st_->mutex);
    if (st_->queued.size() >= kLowWater) {
      st_->resume = std::move(resume);
      return;
    }
  }
  resume();
}

void UploadWriter::close(std::function<void(std::shared_ptr<media::BlobWriter>)> then) {
  std::lock_guard lock(st_->mutex);
  st_->closed = true;
  st_->then = std::move(then);
  schedule(st_);
}

// One job at a time per upload (schedule): takes what is queued, writes it outside the lock,
// and ends when the queue is empty — handing the writer to `then` once closed.
void UploadWriter::run(std::shared_ptr<State> st) {
  yield_to_network_threads();
  std::string batch;
  for (;;) {
    std::function<void()> resume;
    std::function<void(std::shared_ptr<media::BlobWriter>)> then;
    std::shared_ptr<media::BlobWriter> done;
    bool stop = false;
    {
      std::lock_guard lock(st->mutex);
      batch.clear();
      if (!st->abandoned) batch.swap(st->queued);
      if (batch.size() < kLowWater && st->resume) resume = std::move(st->resume);
      if (st->abandoned) {
        st->running = false;
        done = std::move(st->writer);  // the partial file, removed below outside the lock
        stop = true;
      } else if (batch.empty()) {
        st->running = false;
        stop = true;
        if (st->then) {
          then = std::move(st->then);
          done = st->failed ? nullptr : std::move(st->writer);
        }
      }
    }
    if (resume) resume();
    if (then) then(std::move(done));
    if (stop) return;
    if (!st->writer->write(batch)) {
      std::lock_guard lock(st->mutex);
      st->failed = true;
    }
  }
}

}  // namespace parley::api
