// SPDX-License-Identifier: MIT
// A blocking WebSocket client (RFC 6455 client side: masked frames) for tests and tools.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "client/socket.hpp"
#include "protocol/ws_frame.hpp"

namespace parley::client {

struct WsMessage {
  protocol::WsOpcode opcode = protocol::WsOpcode::kText;
  std::string payload;
  std::uint16_t close_code() const;  // for kClose
};

class WsClient {
 public:
  // Connects and upgrades on `path`; throws on failure. `origin` empty = no Origin header.
  static WsClient connect(const std::string& host, std::uint16_t port,
                          const std::string& path = "/api/ws", const std::string& origin = {},
                          const std::string& source_ip = {});

  void send_text(std::string_view text);
  void send_frame(protocol::WsOpcode op, std::string_view payload, bool fin = true);
  void send_raw(std::string_view bytes) { sock_.send_all(bytes); }

  // Next message (control frames included). Throws "timeout" when none arrives in time and
  // "closed" when the peer closed the TCP connection.
  WsMessage read(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Next text message, answering pings on the way.
  std::string read_text(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Waits for the close frame (or TCP close) and returns its code (1006 for none).
  std::uint16_t read_close(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  void close(std::uint16_t code = 1000);
  Socket& socket() { return sock_; }

 private:
  Socket sock_;
  std::string buf_;
};

}  // namespace parley::client
