// SPDX-License-Identifier: MIT
// An upload's bytes written (and hashed) on the media pool instead of the network thread that
// receives them: a file write blocks for tens of ms when the disk is busy with other uploads,
// and every connection of that network thread would wait behind it (measured: docs/BENCHMARKS.md
// "Files"). At most kHighWater bytes wait in memory; past that the sink asks the connection to
// stop reading until they are written (BodySink::wants_more / on_ready), so a fast client costs
// ~1.5 MiB (the queue and the batch being written), never its whole file.
//
// Threads: write/wants_more/on_ready/close from the connection's thread; the writing itself runs
// as one job at a time on the pool. The state is shared with the running job, so destroying the
// UploadWriter (an aborted upload) never waits: the last job drops the partial file.
#pragma once
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "media/blob_store.hpp"

namespace parley::api {

class UploadWriter {
 public:
  static constexpr std::size_t kHighWater = 512 << 10;  // queued bytes that pause the reader
  static constexpr std::size_t kLowWater = 128 << 10;   // ...and that resume it
  static constexpr std::size_t kReadSlack = 64 << 10;   // one socket read past the high water

  UploadWriter(boost::asio::thread_pool& pool, std::unique_ptr<media::BlobWriter> writer);
  ~UploadWriter();  // abandons the upload: queued bytes dropped, the partial file removed
  UploadWriter(const UploadWriter&) = delete;
  UploadWriter& operator=(const UploadWriter&) = delete;

  // Queues bytes; false once an earlier write failed (disk full).
  bool write(std::string_view bytes);
  std::int64_t size() const { return accepted_; }  // bytes queued or written so far
  bool wants_more() const;
  // `resume` (any thread) once the queue is below kLowWater; at once if it already is.
  void on_ready(std::function<void()> resume);
  // When every queued byte is written: `then` on the pool with the writer, or null after an I/O
  // error. Nothing may be written after close.
  void close(std::function<void(std::shared_ptr<media::BlobWriter>)> then);

 private:
  struct State {
    State(boost::asio::thread_pool& p, std::unique_ptr<media::BlobWriter> w)
        : pool(p), writer(std::move(w)) {}
    boost::asio::thread_pool& pool;
    std::shared_ptr<media::BlobWriter> writer;
    std::mutex mutex;
    std::string queued;  // GUARDED_BY(mutex)
    bool running = false, failed = false, abandoned = false, closed = false;
    std::function<void()> resume;
    std::function<void(std::shared_ptr<media::BlobWriter>)> then;
  };
  static void schedule(const std::shared_ptr<State>& st);  // with st->mutex held
  static void run(std::shared_ptr<State> st);

  std::shared_ptr<State> st_;
  std::int64_t accepted_ = 0;
};

}  // namespace parley::api
