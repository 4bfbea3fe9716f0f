// SPDX-License-Identifier: MIT
#include "conn.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "protocol/ws_frame.hpp"
#include "util/base64.hpp"

namespace parley::bench {
using protocol::WsOpcode;

namespace {

constexpr std::size_t kScratch = 256 * 1024;
constexpr std::size_t kKeepCapacity = 64 * 1024;  // larger idle buffers are given back

// One receive buffer per thread: most reads hold only whole frames and never touch the
// connection's own buffer, so 20k idle connections cost no buffer memory.
char* scratch() {
  thread_local std::unique_ptr<char[]> buf(new char[kScratch]);
  return buf.get();
}

void release_if_big(std::string& s) {
  if (s.empty() && s.capacity() > kKeepCapacity) std::string().swap(s);
}

}  // namespace

WsConn::WsConn(EventLoop& loop, WsListener& listener, std::uint32_t seed)
    : loop_(loop), listener_(listener), rng_(seed ? seed : 0x9e3779b9u) {}

WsConn::~WsConn() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint32_t WsConn::next_random() {
  // xorshift32: masks and handshake keys need to vary, not to be secret.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 17;
  rng_ ^= rng_ << 5;
  return rng_;
}

bool WsConn::start(const sockaddr_in& server, const sockaddr_in* source,
                   std::string_view host_header, std::string_view path) {
  out_.clear();
  out_off_ = 0;
  pending_.clear();
  frag_.clear();
  writable_ = false;
  we_closed_ = false;
  close_code_ = 0;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    finish(false, std::strerror(errno));
    return false;
  }
  state_ = State::kConnecting;
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source) {
    // Port chosen at connect(), per destination: each source address has its own ~28k ports.
    ::setsockopt(fd_, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0) {
      finish(false, std::strerror(errno));
      return false;
    }
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 &&
      errno != EINPROGRESS) {
    finish(false, std::strerror(errno));
    return false;
  }
  loop_.add(fd_, this);

  std::uint32_t nonce[4] = {next_random(), next_random(), next_random(), next_random()};
  key_ = util::base64_encode(std::string_view(reinterpret_cast<const char*>(nonce), 16));
  out_.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header);
  out_.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ");
  out_.append(key_).append("\r\n\r\n");
  return true;
}

void WsConn::on_io(std::uint32_t events) {
  if (fd_ < 0) return;
  if (state_ == State::kConnecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return finish(false, std::strerror(err));
    state_ = State::kUpgrading;
    writable_ = true;
    flush();
    if (fd_ < 0) return;
  } else if (events & EPOLLOUT) {
    writable_ = true;
    if (queued_bytes() > 0) flush();
    if (fd_ < 0) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_ready(events);
}

void WsConn::read_ready(std::uint32_t events) {
  const std::uint32_t gen = gen_;
  char* buf = scratch();
  for (;;) {
    ssize_t n = ::recv(fd_, buf, kScratch, 0);
    if (n == 0) return finish(we_closed_ || close_code_ != 0, "closed by server");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      return finish(false, std::strerror(errno));
    }
    std::string_view chunk(buf, std::size_t(n));
    if (pending_.empty() && (state_ == State::kOpen || state_ == State::kClosing)) {
      std::size_t used = consume(chunk);
      if (used == std::string_view::npos || gen != gen_) return;
      if (used < chunk.size()) {
        pending_.assign(chunk.substr(used));
        make_room();
      }
    } else {
      pending_.append(chunk);
      if (state_ == State::kUpgrading && !handle_upgrade()) return;
      if (gen != gen_) return;
      if (state_ == State::kOpen || state_ == State::kClosing) {
        std::size_t used = consume(pending_);
        if (used == std::string_view::npos || gen != gen_) return;
        pending_.erase(0, used);
        release_if_big(pending_);
        make_room();
      }
    }
    // Edge-triggered: a short read drained the socket, and new data raises a new edge. Keep
    // reading only to see a pending FIN.
    if (std::size_t(n) < kScratch && !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
  }
}

void WsConn::make_room() {
  // A big frame (a long online list) arrives in many reads: grow once, not step by step.
  if (!pending_.empty() && want_ > pending_.capacity()) pending_.reserve(want_);
  want_ = 0;
}

bool WsConn::handle_upgrade() {
  auto end = pending_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (pending_.size() > 16384) finish(false, "upgrade answer too long");
    return pending_.size() <= 16384;
  }
  std::string_view head(pending_.data(), end);
  if (head.substr(0, 12) != "HTTP/1.1 101") {
    finish(false, "upgrade refused");
    return false;
  }
  if (head.find(protocol::ws_accept_key(key_)) == std::string_view::npos) {
    finish(false, "bad Sec-WebSocket-Accept");
    return false;
  }
  pending_.erase(0, end + 4);
  state_ = State::kOpen;
  const std::uint32_t gen = gen_;
  listener_.on_open(*this);
  return gen == gen_;
}

std::size_t WsConn::consume(std::string_view data) {
  const std::uint32_t gen = gen_;
  std::size_t pos = 0;
  want_ = 0;
  for (;;) {
    protocol::WsFrameHeader h;
    std::string_view rest = data.substr(pos);
    auto st = protocol::parse_ws_header(rest, h);
    if (st == protocol::WsHeaderStatus::kNeedMore) break;
    if (st == protocol::WsHeaderStatus::kInvalid || h.masked) {
      finish(false, "bad frame from server");
      return std::string_view::npos;
    }
    if (rest.size() - h.header_len < h.payload_len) {
      want_ = h.header_len + std::size_t(h.payload_len);
      break;
    }
    std::string_view payload = rest.substr(h.header_len, std::size_t(h.payload_len));
    pos += h.header_len + std::size_t(h.payload_len);
    handle_frame(static_cast<std::uint8_t>(h.opcode), h.fin, payload);
    if (gen != gen_) return std::string_view::npos;
  }
  return pos;
}

void WsConn::handle_frame(std::uint8_t opcode, bool fin, std::string_view payload) {
  switch (static_cast<WsOpcode>(opcode)) {
    case WsOpcode::kText:
      if (fin) return listener_.on_text(*this, payload);
      frag_.assign(payload);
      in_text_fragments_ = true;
      return;
    case WsOpcode::kContinuation:
      if (!in_text_fragments_) return;  // continuation of a binary message: ignored
      frag_.append(payload);
      if (!fin) return;
      in_text_fragments_ = false;
      listener_.on_text(*this, frag_);
      frag_.clear();
      release_if_big(frag_);
      return;
    case WsOpcode::kBinary:
      return;
    case WsOpcode::kPing:
      return queue_frame(WsOpcode::kPong, payload);
    case WsOpcode::kPong:
      return;
    case WsOpcode::kClose:
      close_code_ = payload.size() >= 2
                        ? std::uint16_t((std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1]))
                        : 1005;
      if (state_ == State::kOpen) {
        queue_frame(WsOpcode::kClose, payload.substr(0, 2));
        state_ = State::kClosing;
      }
      return;
  }
}

void WsConn::send_text(std::string_view payload) {
  if (state_ != State::kOpen) return;
  queue_frame(WsOpcode::kText, payload);
}

void WsConn::queue_frame(WsOpcode op, std::string_view payload) {
  std::uint32_t m = next_random();
  std::uint8_t mask[4];
  std::memcpy(mask, &m, 4);
  protocol::append_ws_header(out_, op, payload.size(), true, mask);
  std::size_t at = out_.size();
  out_.append(payload);
  protocol::apply_ws_mask(out_.data() + at, payload.size(), mask);
  loop_.mark_dirty(this);
}

void WsConn::close(std::uint16_t code) {
  we_closed_ = true;
  if (state_ == State::kOpen) {
    char p[2] = {char(code >> 8), char(code & 0xFF)};
    queue_frame(WsOpcode::kClose, std::string_view(p, 2));
    state_ = State::kClosing;
  } else if (state_ != State::kClosing && state_ != State::kIdle) {
    finish(true, "closed before open");
  }
}

void WsConn::abort(const char* why, bool reset) {
  finish(true, why, reset);
}

void WsConn::flush() {
  if (fd_ < 0 || !writable_) return;
  while (out_off_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (n > 0) {
      out_off_ += std::size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writable_ = false;  // EPOLLOUT's next edge resumes
      return;
    }
    return finish(false, std::strerror(errno));
  }
  out_.clear();
  out_off_ = 0;
  release_if_big(out_);
}

void WsConn::finish(bool clean, const char* why, bool reset) {
  if (fd_ >= 0) {
    if (reset) {
      linger l{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd_);  // also leaves the epoll set
  }
  fd_ = -1;
  state_ = State::kIdle;
  ++gen_;
  // Buffers are cleared by the next start(): a caller up the stack may still hold views.
  listener_.on_closed(*this, clean, why);
}

}  // namespace parley::bench
