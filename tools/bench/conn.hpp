// SPDX-License-Identifier: MIT
// One non-blocking WebSocket client connection driven by an EventLoop: TCP connect (optionally
// from a chosen source address), the HTTP upgrade, RFC 6455 framing (masked client frames, pings
// answered, fragments reassembled) and a graceful close. Knows nothing about chat.
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "loop.hpp"
#include "protocol/ws_frame.hpp"

namespace parley::bench {

class WsConn;

// Callbacks run on the loop's thread. A callback may send, close or abort the connection.
class WsListener {
 public:
  virtual ~WsListener() = default;
  virtual void on_open(WsConn& c) = 0;                         // upgrade accepted
  virtual void on_text(WsConn& c, std::string_view text) = 0;  // one whole text message
  // The connection is gone (socket closed). `clean`: after a close handshake or a close() we
  // asked for; otherwise `why` says what happened.
  virtual void on_closed(WsConn& c, bool clean, const char* why) = 0;
};

// Owned by one loop thread. The object outlives its sockets: start() may be called again after
// on_closed (churn reconnects the same object).
class WsConn final : public IoHandler {
 public:
  enum class State { kIdle, kConnecting, kUpgrading, kOpen, kClosing };

  WsConn(EventLoop& loop, WsListener& listener, std::uint32_t seed);
  ~WsConn() override;
  WsConn(const WsConn&) = delete;
  WsConn& operator=(const WsConn&) = delete;

  // Starts connecting; on failure calls on_closed before returning false.
  bool start(const sockaddr_in& server, const sockaddr_in* source, std::string_view host_header,
             std::string_view path = "/api/ws");
  // Queues one text frame; it is sent at the end of the loop iteration with everything else
  // queued on this connection.
  void send_text(std::string_view payload);
  // Sends a close frame and waits for the server to close TCP (so TIME_WAIT lands on the
  // server side, not on our ephemeral ports).
  void close(std::uint16_t code = 1000);
  // Closes the socket now; `reset` sends RST (no TIME_WAIT at all). Calls on_closed.
  void abort(const char* why, bool reset = false);

  State state() const { return state_; }
  bool open() const { return state_ == State::kOpen; }
  std::size_t queued_bytes() const { return out_.size() - out_off_; }
  // Close code the server sent (0: none).
  std::uint16_t close_code() const { return close_code_; }

  void on_io(std::uint32_t events) override;
  void flush() override;

  int tag = -1;  // the owner's index for this connection

 private:
  void on_connected();
  void read_ready(std::uint32_t events);
  // Consumes as many complete frames from `data` as possible; returns bytes consumed, or
  // npos when the connection was closed during the callbacks.
  std::size_t consume(std::string_view data);
  // Parses the 101 answer from pending_; false when the connection is gone.
  bool handle_upgrade();
  void handle_frame(std::uint8_t opcode, bool fin, std::string_view payload);
  void queue_frame(protocol::WsOpcode op, std::string_view payload);
  void make_room();
  void finish(bool clean, const char* why, bool reset = false);
  std::uint32_t next_random();

  EventLoop& loop_;
  WsListener& listener_;
  int fd_ = -1;
  State state_ = State::kIdle;
  std::uint32_t rng_;
  std::string key_;  // Sec-WebSocket-Key sent in the upgrade
  std::string out_;  // queued bytes not yet written
  std::size_t out_off_ = 0;
  std::string pending_;    // received bytes not yet forming a whole frame
  std::string frag_;       // a fragmented text message being reassembled
  std::size_t want_ = 0;   // size of the partial frame at the start of pending_
  std::uint32_t gen_ = 0;  // bumped on every close: callers holding views check it
  bool writable_ = false;
  bool we_closed_ = false;
  bool in_text_fragments_ = false;
  std::uint16_t close_code_ = 0;
};

}  // namespace parley::bench
