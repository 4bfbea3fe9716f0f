// SPDX-License-Identifier: MIT
// WebSocket framing (RFC 6455 section 5) for both ends: header parsing, masking, frame building
// and the handshake's accept key. Pure functions over bytes; the connection owns the I/O.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::protocol {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

struct WsFrameHeader {
  bool fin = false;
  std::uint8_t rsv = 0;  // must be 0: parley negotiates no extension
  WsOpcode opcode = WsOpcode::kText;
  bool masked = false;
  std::uint8_t mask[4] = {};
  std::uint64_t payload_len = 0;
  std::size_t header_len = 0;
};

enum class WsHeaderStatus { kOk, kNeedMore, kInvalid };

// Parses the frame header at the start of `buf`. kInvalid for reserved opcodes, a non-minimal
// or 64-bit-overflowing length, or a control frame that is fragmented or longer than 125 bytes.
WsHeaderStatus parse_ws_header(std::string_view buf, WsFrameHeader& out);

// XORs `data` with `mask`, where `offset` is the position of data[0] within the payload.
void apply_ws_mask(char* data, std::size_t n, const std::uint8_t mask[4], std::size_t offset = 0);

// Appends a header for a frame of `len` bytes. With `mask` (client side) the caller must mask
// the payload it appends after.
void append_ws_header(std::string& out, WsOpcode op, std::uint64_t len, bool fin = true,
                      const std::uint8_t* mask = nullptr);

// Appends a whole frame; with `mask` the payload is masked as a client must.
void append_ws_frame(std::string& out, WsOpcode op, std::string_view payload,
                     const std::uint8_t* mask = nullptr);

// Close frame payload: 2-byte code + UTF-8 reason (truncated to fit 125 bytes).
std::string ws_close_payload(std::uint16_t code, std::string_view reason);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string ws_accept_key(std::string_view client_key);

}  // namespace parley::protocol
