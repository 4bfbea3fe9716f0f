// SPDX-License-Identifier: MIT
// Decoding of the frames a client sends (classic `auth`/`normal` plus parley's extensions). All
// validation of client input happens here, so the rest of the server sees only well-formed frames.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::protocol {

enum class ClientFrameType { kAuth, kNormal, kPing, kRead, kTyping, kRecall, kEdit };

struct ClientFrame {
  ClientFrameType type = ClientFrameType::kPing;
  std::string content;              // auth: the token; normal: the text
  std::vector<std::string> to;      // normal: recipient names, as sent
  std::string cid;                  // normal: client message id, empty when absent
  std::optional<std::int64_t> seq;  // auth: resume after this inbox sequence number
  std::int64_t group = 0;           // normal, read, typing: a group conversation
  // normal: reply_to (0 none); read: upto; recall, edit: the message id
  std::int64_t ref = 0;
  std::vector<std::string> files;  // normal: ids of uploaded files it carries
};

inline constexpr std::size_t kMaxFiles = 10;  // files on one message

struct FrameError {
  std::string_view code;  // one of protocol::frame_error
  std::string text;
  std::string cid;  // echoed when the refused frame carried one
};

struct FrameLimits {
  std::size_t max_content_bytes = 16 * 1024;
  std::size_t max_recipients = 100;
  std::size_t max_cid_bytes = 64;
};

using DecodedFrame = std::variant<ClientFrame, FrameError>;

// A group id as the wire spells it: a string of 1-18 digits (or a positive JSON integer); 0 when
// malformed.
std::int64_t parse_group_id(std::string_view text);

// Decodes one text frame. Never throws.
DecodedFrame decode_client_frame(std::string_view text, const FrameLimits& limits);

}  // namespace parley::protocol
