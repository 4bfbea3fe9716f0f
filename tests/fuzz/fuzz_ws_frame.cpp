// SPDX-License-Identifier: MIT
// WebSocket framing as the server reads it (src/net/connection_ws.cpp, without the I/O): a
// stream of frames is split with protocol::parse_ws_header, unmasked with apply_ws_mask, and
// text is validated with util::is_valid_utf8 (whole messages) or util::Utf8Validator
// (fragments), exactly as Connection::consume_ws does.
//
// Invariants checked:
//  - a parsed header is canonical: append_ws_header re-encodes exactly the bytes read (apart from
//    RSV bits), its length is 2/4/10 (+4 masked) bytes, control frames are final and <= 125 bytes,
//    the length fits in 63 bits, and every shorter prefix of the header is kNeedMore;
//  - masking is an involution and may be applied in pieces (offset);
//  - the incremental validator, fed fragment by fragment, agrees with is_valid_utf8 on the
//    reassembled message, and both agree with an independent reference decoder;
//  - feeding arbitrary bytes in chunks of any size gives the same verdict as one feed.
#include <cstring>
#include <string>

#include "fuzz_check.hpp"
#include "protocol/ws_frame.hpp"
#include "util/utf8.hpp"

using namespace parley;
using protocol::WsHeaderStatus;
using protocol::WsOpcode;

namespace {

constexpr std::size_t kMaxMessage = 64 * 1024;  // the default limits.max_frame_bytes

bool validator_verdict(std::string_view s, std::size_t chunk) {
  util::Utf8Validator v;
  for (std::size_t i = 0; i < s.size(); i += chunk)
    if (!v.feed(s.substr(i, chunk))) return false;
  return v.complete();
}

void check_header(std::string_view buf, const protocol::WsFrameHeader& h) {
  const bool control = static_cast<std::uint8_t>(h.opcode) >= 8;
  FUZZ_CHECK(h.header_len <= buf.size());
  std::size_t expect = 2 + (h.masked ? 4 : 0);
  if (h.payload_len >= 65536) expect += 8;
  else if (h.payload_len >= 126) expect += 2;
  FUZZ_CHECK(h.header_len == expect);
  FUZZ_CHECK(h.payload_len < (std::uint64_t(1) << 63));
  FUZZ_CHECK(h.rsv <= 7);
  if (control) FUZZ_CHECK(h.fin && h.payload_len <= 125);

  std::string enc;
  protocol::append_ws_header(enc, h.opcode, h.payload_len, h.fin, h.masked ? h.mask : nullptr);
  std::string orig(buf.substr(0, h.header_len));
  orig[0] = char(orig[0] & ~0x70);  // RSV bits are reported, not re-encoded
  FUZZ_CHECK(enc == orig);

  for (std::size_t cut = 0; cut < h.header_len; ++cut) {
    protocol::WsFrameHeader p;
    FUZZ_CHECK(protocol::parse_ws_header(buf.substr(0, cut), p) == WsHeaderStatus::kNeedMore);
  }
}

void check_mask(std::string_view raw, const std::uint8_t mask[4]) {
  std::string once(raw), pieces(raw);
  protocol::apply_ws_mask(once.data(), once.size(), mask);
  // In two pieces, as a payload that arrives in two reads would be.
  std::size_t half = pieces.size() / 3;
  protocol::apply_ws_mask(pieces.data(), half, mask, 0);
  protocol::apply_ws_mask(pieces.data() + half, pieces.size() - half, mask, half);
  FUZZ_CHECK(once == pieces);
  for (std::size_t i = 0; i < raw.size(); ++i)
    FUZZ_CHECK(std::uint8_t(once[i]) == (std::uint8_t(raw[i]) ^ mask[i & 3]));
  protocol::apply_ws_mask(once.data(), once.size(), mask);
  FUZZ_CHECK(once == raw);
}

void check_text(std::string_view msg) {
  bool valid = util::is_valid_utf8(msg);
  FUZZ_CHECK(valid == fuzz::reference_utf8(msg));
  if (valid) {
    FUZZ_CHECK(util::count_code_points(msg) <= msg.size());
  }
  (void)util::has_control_chars(msg);
}

// Connection::consume_ws without the connection.
void read_stream(std::string_view buf) {
  bool fragmented = false;
  WsOpcode frag_op = WsOpcode::kText;
  std::string frag;
  util::Utf8Validator frag_utf8;
  bool frag_feed_ok = true;

  while (!buf.empty()) {
    protocol::WsFrameHeader h;
    auto status = protocol::parse_ws_header(buf, h);
    if (status == WsHeaderStatus::kNeedMore) {
      FUZZ_CHECK(buf.size() < 14);
      return;
    }
    if (status == WsHeaderStatus::kInvalid) return;
    check_header(buf, h);
    if (h.rsv != 0 || !h.masked) return;  // the server closes 1002 here
    bool data = h.opcode == WsOpcode::kText || h.opcode == WsOpcode::kBinary ||
                h.opcode == WsOpcode::kContinuation;
    if (data && h.payload_len + frag.size() > kMaxMessage) return;  // closed 1009
    if (buf.size() - h.header_len < h.payload_len) return;          // waits for more
    std::size_t total = h.header_len + std::size_t(h.payload_len);

    std::string payload(buf.substr(h.header_len, std::size_t(h.payload_len)));
    check_mask(payload, h.mask);
    protocol::apply_ws_mask(payload.data(), payload.size(), h.mask);
    buf.remove_prefix(total);

    switch (h.opcode) {
      case WsOpcode::kClose:
        if (payload.size() >= 2) (void)util::is_valid_utf8(std::string_view(payload).substr(2));
        return;
      case WsOpcode::kPing: {
        std::string pong;
        protocol::append_ws_frame(pong, WsOpcode::kPong, payload);
        FUZZ_CHECK(pong.size() == 2 + payload.size());
        continue;
      }
      case WsOpcode::kPong:
        continue;
      case WsOpcode::kText:
      case WsOpcode::kBinary:
        if (fragmented) return;  // closed 1002
        if (h.fin) {
          if (h.opcode == WsOpcode::kText) check_text(payload);
          continue;
        }
        frag_op = h.opcode;
        frag_utf8.reset();
        frag_feed_ok = true;
        frag.assign(payload);
        fragmented = true;
        break;
      case WsOpcode::kContinuation:
        if (!fragmented) return;  // closed 1002
        frag.append(payload);
        break;
    }
    if (frag_op == WsOpcode::kText && !frag_utf8.feed(payload)) {
      frag_feed_ok = false;
      // The server closes 1007 here: no continuation may be able to make the text valid.
      FUZZ_CHECK(!fuzz::reference_utf8_prefix(frag));
      return;
    }
    if (frag_op == WsOpcode::kText) FUZZ_CHECK(fuzz::reference_utf8_prefix(frag));
    if (h.fin) {
      fragmented = false;
      if (frag_op == WsOpcode::kText) {
        bool incremental = frag_feed_ok && frag_utf8.complete();
        FUZZ_CHECK(incremental == util::is_valid_utf8(frag));
        check_text(frag);
      }
      frag.clear();
      frag_utf8.reset();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  read_stream(in);

  // The validator on the raw bytes, whole and in chunks of several sizes.
  bool whole = util::is_valid_utf8(in);
  FUZZ_CHECK(whole == fuzz::reference_utf8(in));
  for (std::size_t chunk : {1, 2, 3, 5, 64}) FUZZ_CHECK(validator_verdict(in, chunk) == whole);
  (void)util::count_code_points(in);
  (void)util::has_control_chars(in);
  return 0;
}
