// SPDX-License-Identifier: MIT
// A minimal edge-triggered epoll loop, one per thread. Handlers are registered once for
// EPOLLIN|EPOLLOUT (edge-triggered, so no epoll_ctl per write). Output queued while handling an
// iteration's events is flushed once at its end: every frame a connection queued goes out in one
// send, which is what keeps the bench's per-message cost low.
#pragma once
#include <cstdint>
#include <vector>

namespace parley::bench {

class EventLoop;

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  virtual void on_io(std::uint32_t events) = 0;
  // Called at the end of the iteration in which mark_dirty() was called.
  virtual void flush() {}

 private:
  friend class EventLoop;
  bool dirty_ = false;
};

// Not thread-safe: owned and driven by one thread.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void add(int fd, IoHandler* h);
  void remove(int fd);
  // Queues h->flush() for the end of this iteration.
  void mark_dirty(IoHandler* h);
  // Waits up to timeout_ms (0 while output is pending) and dispatches events. Handler objects
  // must outlive the loop: a closed connection's object is kept and reused, never freed mid-run.
  void poll(int timeout_ms);
  // Calls flush() on every handler marked dirty since the last call.
  void flush_dirty();

 private:
  int ep_ = -1;
  std::vector<IoHandler*> dirty_;
};

}  // namespace parley::bench
