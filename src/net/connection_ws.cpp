// SPDX-License-Identifier: MIT
// WebSocket framing for a connection (RFC 6455): masking, fragmentation, control frames, size
// limits and UTF-8 checks. Complete text messages go to the chat session (hub::Session).
#include <spdlog/spdlog.h>

#include "hub/metrics.hpp"
#include "hub/services.hpp"
#include "hub/session.hpp"
#include "net/connection.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"

namespace parley::net {
using protocol::WsHeaderStatus;
using protocol::WsOpcode;
namespace close_code = protocol::close_code;
namespace frame_error = protocol::frame_error;

void Connection::fail_ws(std::uint16_t code, std::string_view error_code, std::string_view text) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  send_error(error_code, text);
  close(code, text);
}

std::size_t Connection::consume_ws(std::string_view buf) {
  protocol::WsFrameHeader h;
  auto status = protocol::parse_ws_header(buf, h);
  if (status == WsHeaderStatus::kNeedMore) return 0;
  if (status == WsHeaderStatus::kInvalid || h.rsv != 0 || !h.masked) {
    // Whatever follows cannot be framed: answer, close, and discard the rest.
    fail_ws(close_code::kProtocolError, frame_error::kBadFrame, "malformed WebSocket frame");
    return buf.size();
  }
  if (state_ == State::kClosing && h.opcode != WsOpcode::kClose) {
    // After our close frame only the peer's close matters; skip without buffering payloads.
    if (buf.size() < h.header_len + h.payload_len) return h.payload_len > 4096 ? buf.size() : 0;
    return h.header_len + std::size_t(h.payload_len);
  }
  const std::size_t limit = svc_.config.limits.max_frame_bytes;
  bool data = h.opcode == WsOpcode::kText || h.opcode == WsOpcode::kBinary ||
              h.opcode == WsOpcode::kContinuation;
  // Refuse oversized messages from the header alone: never buffer them.
  if (data && h.payload_len + frag_.size() > limit) {
    fail_ws(close_code::kTooBig, frame_error::kTooLarge, "frame too large");
    return buf.size();
  }
  if (buf.size() < h.header_len + h.payload_len) return 0;
  std::size_t total = h.header_len + std::size_t(h.payload_len);

  thread_local std::string payload;
  payload.assign(buf.substr(h.header_len, std::size_t(h.payload_len)));
  protocol::apply_ws_mask(payload.data(), payload.size(), h.mask);
  hub::Metrics::add(svc_.metrics->frames_in);

  if (state_ == State::kClosing) {
    if (h.opcode == WsOpcode::kClose) hard_close();
    return total;
  }

  switch (h.opcode) {
    case WsOpcode::kClose: {
      std::uint16_t code = close_code::kNormal;
      if (payload.size() >= 2)
        code = std::uint16_t((std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1]));
      close(code == 1005 || code == 1006 || code == 1015 ? close_code::kNormal : code, "");
      return total;
    }
    case WsOpcode::kPing:
      append_frame(WsOpcode::kPong, payload);
      return total;
    case WsOpcode::kPong:
      return total;
    case WsOpcode::kText:
    case WsOpcode::kBinary:
      if (fragmented_) {
        fail_ws(close_code::kProtocolError, frame_error::kBadFrame,
                "expected a continuation frame");
        return total;
      }
      if (h.fin) {
        if (h.opcode == WsOpcode::kBinary) {
          send_error(frame_error::kBinaryUnsupported,
                     "binary frames are not supported; send JSON text");
          return total;
        }
        if (!util::is_valid_utf8(payload)) {
          fail_ws(close_code::kInvalidPayload, frame_error::kBadJson, "invalid UTF-8");
          return total;
        }
        session_->on_text(payload);
        return total;
      }
      frag_op_ = h.opcode;
      frag_utf8_.reset();
      frag_.assign(payload);
      fragmented_ = true;
      break;
    case WsOpcode::kContinuation:
      if (!fragmented_) {
        fail_ws(close_code::kProtocolError, frame_error::kBadFrame,
                "unexpected continuation frame");
        return total;
      }
      frag_.append(payload);
      break;
  }
  if (frag_op_ == WsOpcode::kText && !frag_utf8_.feed(payload)) {
    fail_ws(close_code::kInvalidPayload, frame_error::kBadJson, "invalid UTF-8");
    return total;
  }
  if (h.fin) {
    std::string message = std::move(frag_);
    std::string().swap(frag_);
    fragmented_ = false;
    bool complete = frag_utf8_.complete();
    frag_utf8_.reset();
    if (frag_op_ == WsOpcode::kBinary) {
      send_error(frame_error::kBinaryUnsupported,
                 "binary frames are not supported; send JSON text");
    } else if (!complete) {
      fail_ws(close_code::kInvalidPayload, frame_error::kBadJson, "invalid UTF-8");
    } else {
      session_->on_text(message);
    }
  }
  return total;
}

}  // namespace parley::net
