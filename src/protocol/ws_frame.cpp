// SPDX-License-Identifier: MIT
#include "protocol/ws_frame.hpp"

#include <openssl/sha.h>

#include <cstring>

#include "util/base64.hpp"

namespace parley::protocol {

WsHeaderStatus parse_ws_header(std::string_view buf, WsFrameHeader& out) {
  if (buf.size() < 2) return WsHeaderStatus::kNeedMore;
  auto b0 = static_cast<std::uint8_t>(buf[0]);
  auto b1 = static_cast<std::uint8_t>(buf[1]);
  out.fin = b0 & 0x80;
  out.rsv = (b0 >> 4) & 0x7;
  auto op = b0 & 0x0F;
  if ((op > 2 && op < 8) || op > 10) return WsHeaderStatus::kInvalid;
  out.opcode = static_cast<WsOpcode>(op);
  out.masked = b1 & 0x80;
  std::uint64_t len = b1 & 0x7F;
  std::size_t pos = 2;
  if (len == 126) {
    if (buf.size() < 4) return WsHeaderStatus::kNeedMore;
    len = (std::uint64_t(std::uint8_t(buf[2])) << 8) | std::uint8_t(buf[3]);
    if (len < 126) return WsHeaderStatus::kInvalid;
    pos = 4;
  } else if (len == 127) {
    if (buf.size() < 10) return WsHeaderStatus::kNeedMore;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | std::uint8_t(buf[2 + i]);
    if (len < 65536 || (len >> 63)) return WsHeaderStatus::kInvalid;
    pos = 10;
  }
  bool control = op >= 8;
  if (control && (!out.fin || len > 125)) return WsHeaderStatus::kInvalid;
  if (out.masked) {
    if (buf.size() < pos + 4) return WsHeaderStatus::kNeedMore;
    std::memcpy(out.mask, buf.data() + pos, 4);
    pos += 4;
  }
  out.payload_len = len;
  out.header_len = pos;
  return WsHeaderStatus::kOk;
}

void apply_ws_mask(char* data, std::size_t n, const std::uint8_t mask[4], std::size_t offset) {
  for (std::size_t i = 0; i < n; ++i) data[i] = char(data[i] ^ mask[(i + offset) & 3]);
}

void append_ws_header(std::string& out, WsOpcode op, std::uint64_t len, bool fin,
                      const std::uint8_t* mask) {
  char h[14];
  std::size_t n = 0;
  h[n++] = char((fin ? 0x80 : 0) | static_cast<std::uint8_t>(op));
  std::uint8_t m = mask ? 0x80 : 0;
  if (len < 126) {
    h[n++] = char(m | len);
  } else if (len <= 0xFFFF) {
    h[n++] = char(m | 126);
    h[n++] = char(len >> 8);
    h[n++] = char(len & 0xFF);
  } else {
    h[n++] = char(m | 127);
    for (int i = 7; i >= 0; --i) h[n++] = char((len >> (8 * i)) & 0xFF);
  }
  if (mask) {
    std::memcpy(h + n, mask, 4);
    n += 4;
  }
  out.append(h, n);
}

void append_ws_frame(std::string& out, WsOpcode op, std::string_view payload,
                     const std::uint8_t* mask) {
  append_ws_header(out, op, payload.size(), true, mask);
  std::size_t at = out.size();
  out.append(payload);
  if (mask) apply_ws_mask(out.data() + at, payload.size(), mask);
}

std::string ws_close_payload(std::uint16_t code, std::string_view reason) {
  std::string p;
  p += char(code >> 8);
  p += char(code & 0xFF);
  p.append(reason.substr(0, 123));
  return p;
}

std::string ws_accept_key(std::string_view client_key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string in(client_key);
  in.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  return util::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace parley::protocol
