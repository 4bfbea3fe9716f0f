// SPDX-License-Identifier: MIT
#include "client/ws_client.hpp"

#include <sodium.h>

#include <stdexcept>

#include "util/base64.hpp"

namespace parley::client {
using protocol::WsOpcode;

std::uint16_t WsMessage::close_code() const {
  if (payload.size() < 2) return 1005;
  return std::uint16_t((std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1]));
}

WsClient WsClient::connect(const std::string& host, std::uint16_t port, const std::string& path,
                           const std::string& origin, const std::string& source_ip) {
  WsClient c;
  c.sock_ = Socket::connect(host, port, source_ip);
  unsigned char nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  std::string key = util::base64_encode(std::string_view(reinterpret_cast<char*>(nonce), 16));
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                    "\r\nSec-WebSocket-Version: 13\r\n";
  if (!origin.empty()) req += "Origin: " + origin + "\r\n";
  req += "\r\n";
  c.sock_.send_all(req);
  while (c.buf_.find("\r\n\r\n") == std::string::npos) {
    std::string chunk = c.sock_.read_some(std::chrono::milliseconds(5000));
    if (chunk.empty()) throw std::runtime_error("closed during handshake");
    c.buf_ += chunk;
  }
  auto end = c.buf_.find("\r\n\r\n");
  std::string head = c.buf_.substr(0, end);
  c.buf_.erase(0, end + 4);
  if (head.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("upgrade refused: " + head);
  if (head.find(protocol::ws_accept_key(key)) == std::string::npos)
    throw std::runtime_error("bad Sec-WebSocket-Accept");
  return c;
}

void WsClient::send_frame(WsOpcode op, std::string_view payload, bool fin) {
  std::uint8_t mask[4];
  randombytes_buf(mask, sizeof mask);
  std::string out;
  protocol::append_ws_header(out, op, payload.size(), fin, mask);
  std::size_t at = out.size();
  out.append(payload);
  protocol::apply_ws_mask(out.data() + at, payload.size(), mask);
  sock_.send_all(out);
}

void WsClient::send_text(std::string_view text) {
  send_frame(WsOpcode::kText, text);
}

WsMessage WsClient::read(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    protocol::WsFrameHeader h;
    auto st = protocol::parse_ws_header(buf_, h);
    if (st == protocol::WsHeaderStatus::kInvalid) throw std::runtime_error("bad frame from server");
    if (st == protocol::WsHeaderStatus::kOk && buf_.size() >= h.header_len + h.payload_len) {
      WsMessage m{h.opcode, buf_.substr(h.header_len, std::size_t(h.payload_len))};
      buf_.erase(0, h.header_len + std::size_t(h.payload_len));
      return m;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("timeout");
    std::string chunk = sock_.read_some(left);
    if (chunk.empty()) throw std::runtime_error("closed");
    buf_ += chunk;
  }
}

std::string WsClient::read_text(std::chrono::milliseconds timeout) {
  for (;;) {
    WsMessage m = read(timeout);
    if (m.opcode == WsOpcode::kText) return m.payload;
    if (m.opcode == WsOpcode::kPing) send_frame(WsOpcode::kPong, m.payload);
    if (m.opcode == WsOpcode::kClose)
      throw std::runtime_error("closed with code " + std::to_string(m.close_code()));
  }
}

std::uint16_t WsClient::read_close(std::chrono::milliseconds timeout) {
  try {
    for (;;) {
      WsMessage m = read(timeout);
      if (m.opcode == WsOpcode::kClose) return m.close_code();
    }
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()) == "closed") return 1006;
    throw;
  }
}

void WsClient::close(std::uint16_t code) {
  try {
    send_frame(WsOpcode::kClose, protocol::ws_close_payload(code, ""));
  } catch (const std::exception&) {
  }
  sock_.close();
}

}  // namespace parley::client
