// SPDX-License-Identifier: MIT
#include "loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parley::bench {

EventLoop::EventLoop() : ep_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (ep_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

EventLoop::~EventLoop() {
  ::close(ep_);
}

void EventLoop::add(int fd, IoHandler* h) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = h;
  if (::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
}

void EventLoop::remove(int fd) {
  ::epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::mark_dirty(IoHandler* h) {
  if (h->dirty_) return;
  h->dirty_ = true;
  dirty_.push_back(h);
}

void EventLoop::poll(int timeout_ms) {
  epoll_event events[256];
  if (!dirty_.empty()) timeout_ms = 0;
  int n = ::epoll_wait(ep_, events, 256, timeout_ms);
  if (n < 0 && errno != EINTR)
    throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
  for (int i = 0; i < n; ++i) static_cast<IoHandler*>(events[i].data.ptr)->on_io(events[i].events);
}

void EventLoop::flush_dirty() {
  // flush() may mark other handlers dirty (a close reaction); the index loop picks them up.
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    IoHandler* h = dirty_[i];
    h->dirty_ = false;
    h->flush();
  }
  dirty_.clear();
}

}  // namespace parley::bench
