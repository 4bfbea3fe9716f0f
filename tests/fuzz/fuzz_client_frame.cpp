// SPDX-License-Identifier: MIT
// protocol::decode_client_frame on arbitrary text (one WebSocket text message): the classic
// `auth`/`normal` frames and the extensions (`cid`, `seq`, `ping`). Decoded fields are then
// relayed the way the server relays them (server_frame.hpp builders) and parsed back.
//
// Invariants checked, with the default limits and with small ones:
//  - never throws (a C++ exception escaping is reported by libFuzzer as a crash);
//  - a decoded `normal` frame has non-empty content <= max_content_bytes, <= max_recipients
//    names, a cid of at most max_cid_bytes; an `auth` token is <= 4096 bytes and `seq` >= 0;
//  - every decoded string is valid UTF-8 (so relaying it never breaks a recipient's WebSocket);
//  - an error carries one of the documented codes, and echoes a cid only when one was valid;
//  - the frames the server builds from the decoded fields are JSON that parses back to the same
//    strings (message frame, ack, error with cid).
#include <boost/json.hpp>
#include <string>

#include "fuzz_check.hpp"
#include "protocol/client_frame.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "util/utf8.hpp"

using namespace parley;
namespace json = boost::json;
using protocol::ClientFrame;
using protocol::ClientFrameType;
using protocol::FrameError;

namespace {

bool known_code(std::string_view c) {
  namespace fe = protocol::frame_error;
  return c == fe::kBadJson || c == fe::kBadFrame || c == fe::kUnknownType ||
         c == fe::kTooLarge || c == fe::kTooManyRecipients;
}

json::object parse_object(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(v.is_object());
  return std::move(v.get_object());
}

void check_relay(const ClientFrame& f) {
  // As delivered to a recipient and to the sender's other devices.
  protocol::MessageView m{.id = 42, .ts = 1700000000000, .from = "张三", .to = &f.to,
                          .content = f.content, .cid = f.cid};
  std::string frame;
  protocol::append_message_head(frame, 7);
  frame += protocol::message_tail(m);
  json::object o = parse_object(frame);
  FUZZ_CHECK(o.at("content").as_string() == f.content);
  const auto& to = o.at("to").as_array();
  FUZZ_CHECK(to.size() == f.to.size());
  for (std::size_t i = 0; i < to.size(); ++i) FUZZ_CHECK(to[i].as_string() == f.to[i]);
  if (!f.cid.empty()) {
    FUZZ_CHECK(o.at("cid").as_string() == f.cid);
    json::object ack = parse_object(protocol::ack_frame(f.cid, 42, 7, 1, f.to));
    FUZZ_CHECK(ack.at("cid").as_string() == f.cid);
  }
  std::string http;
  protocol::append_message_object(http, m);
  FUZZ_CHECK(parse_object(http).at("content").as_string() == f.content);
}

void check(std::string_view text, const protocol::FrameLimits& limits) {
  auto decoded = protocol::decode_client_frame(text, limits);
  if (auto* e = std::get_if<FrameError>(&decoded)) {
    FUZZ_CHECK(known_code(e->code));
    FUZZ_CHECK(!e->text.empty());
    FUZZ_CHECK(e->cid.size() <= limits.max_cid_bytes);
    FUZZ_CHECK(util::is_valid_utf8(e->cid));
    json::object o = parse_object(protocol::error_frame(e->code, e->text, e->cid));
    FUZZ_CHECK(o.at("code").as_string() == e->code);
    if (!e->cid.empty()) FUZZ_CHECK(o.at("cid").as_string() == e->cid);
    return;
  }
  const ClientFrame& f = std::get<ClientFrame>(decoded);
  // Whatever was accepted came from a JSON object: the text must be one.
  FUZZ_CHECK(util::is_valid_utf8(text));
  switch (f.type) {
    case ClientFrameType::kPing:
      FUZZ_CHECK(f.content.empty() && f.to.empty() && f.cid.empty() && !f.seq);
      return;
    case ClientFrameType::kAuth:
      FUZZ_CHECK(f.content.size() <= 4096);
      FUZZ_CHECK(!f.seq || *f.seq >= 0);
      FUZZ_CHECK(f.to.empty());
      FUZZ_CHECK(util::is_valid_utf8(f.content));
      return;
    case ClientFrameType::kNormal:
      FUZZ_CHECK(!f.content.empty());
      FUZZ_CHECK(f.content.size() <= limits.max_content_bytes);
      FUZZ_CHECK(f.to.size() <= limits.max_recipients);
      FUZZ_CHECK(f.cid.size() <= limits.max_cid_bytes);
      FUZZ_CHECK(!f.seq);
      FUZZ_CHECK(util::is_valid_utf8(f.content));
      FUZZ_CHECK(util::is_valid_utf8(f.cid));
      for (const auto& n : f.to) FUZZ_CHECK(util::is_valid_utf8(n));
      check_relay(f);
      return;
    case ClientFrameType::kRead:
    case ClientFrameType::kTyping:
    case ClientFrameType::kRecall:
    case ClientFrameType::kEdit:
      // About one conversation or message: a peer or a group, a positive id where one is due.
      FUZZ_CHECK(f.to.size() <= 1);
      FUZZ_CHECK(f.group >= 0 && f.ref >= 0);
      FUZZ_CHECK(f.type == ClientFrameType::kTyping || f.type == ClientFrameType::kRead ||
                 f.ref > 0);
      FUZZ_CHECK(f.content.size() <= limits.max_content_bytes);
      FUZZ_CHECK(util::is_valid_utf8(f.content));
      return;
  }
  FUZZ_CHECK(false && "unknown frame type");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text = fuzz::as_view(data, size);
  check(text, protocol::FrameLimits{});
  check(text, protocol::FrameLimits{.max_content_bytes = 8, .max_recipients = 2,
                                    .max_cid_bytes = 4});
  return 0;
}
