// SPDX-License-Identifier: MIT
#include "protocol/client_frame.hpp"

#include <boost/json.hpp>

#include "protocol/codes.hpp"

namespace parley::protocol {
namespace json = boost::json;

namespace {

FrameError error(std::string_view code, std::string text, std::string cid = {}) {
  return FrameError{code, std::move(text), std::move(cid)};
}

}  // namespace

std::int64_t parse_group_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return 0;
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    id = id * 10 + (c - '0');
  }
  return id;
}

DecodedFrame decode_client_frame(std::string_view text, const FrameLimits& limits) {
  json::error_code ec;
  // A small stack buffer serves most frames without touching the heap.
  unsigned char scratch[4096];
  json::monotonic_resource mr(scratch, sizeof scratch);
  json::parse_options opts;
  opts.max_depth = 8;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, &mr, opts);
  if (ec || !v.is_object()) return error(frame_error::kBadJson, "frame is not a JSON object");
  const json::object& o = v.get_object();

  const json::value* type = o.if_contains("type");
  if (!type || !type->is_string()) return error(frame_error::kBadFrame, "missing \"type\"");
  std::string_view t = type->get_string();

  ClientFrame f;
  if (t == "ping") {
    f.type = ClientFrameType::kPing;
    return f;
  }
  if (t != "auth" && t != "normal") return error(frame_error::kUnknownType, "unknown frame type");

  // cid first, so later errors can name the message they refuse.
  if (const json::value* cid = o.if_contains("cid"); cid && !cid->is_null()) {
    if (!cid->is_string() || cid->get_string().empty() ||
        cid->get_string().size() > limits.max_cid_bytes)
      return error(frame_error::kBadFrame, "\"cid\" must be a string of 1-64 bytes");
    f.cid.assign(cid->get_string().begin(), cid->get_string().end());
  }

  const json::value* content = o.if_contains("content");
  if (!content || !content->is_string())
    return error(frame_error::kBadFrame, "\"content\" must be a string", f.cid);
  const json::string& cs = content->get_string();

  if (t == "auth") {
    f.type = ClientFrameType::kAuth;
    if (cs.size() > 4096) return error(frame_error::kBadFrame, "token too long");
    f.content.assign(cs.begin(), cs.end());
    if (const json::value* seq = o.if_contains("seq"); seq && !seq->is_null()) {
      if (seq->is_int64() && seq->get_int64() >= 0) {
        f.seq = seq->get_int64();
      } else if (seq->is_uint64() && seq->get_uint64() <= uint64_t(INT64_MAX)) {
        f.seq = std::int64_t(seq->get_uint64());
      } else {
        return error(frame_error::kBadFrame, "\"seq\" must be a non-negative integer");
      }
    }
    return f;
  }

  f.type = ClientFrameType::kNormal;
  if (cs.empty()) return error(frame_error::kBadFrame, "empty message", f.cid);
  if (cs.size() > limits.max_content_bytes)
    return error(frame_error::kTooLarge, "message text too long", f.cid);
  if (const json::value* group = o.if_contains("group"); group && !group->is_null()) {
    if (group->is_string()) {
      f.group = parse_group_id(std::string_view(group->get_string()));
    } else if (group->is_int64() && group->get_int64() > 0) {
      f.group = group->get_int64();
    }
    if (f.group <= 0)
      return error(frame_error::kBadFrame, "\"group\" must be a group id (a string of digits)",
                   f.cid);
  }
  const json::value* to = o.if_contains("to");
  if (f.group && (!to || to->is_null() || (to->is_array() && to->get_array().empty()))) {
    f.content.assign(cs.begin(), cs.end());
    return f;
  }
  if (f.group) return error(frame_error::kBadFrame, "a group message has no \"to\"", f.cid);
  if (!to || !to->is_array())
    return error(frame_error::kBadFrame, "\"to\" must be an array of names", f.cid);
  const json::array& arr = to->get_array();
  if (arr.size() > limits.max_recipients)
    return error(frame_error::kTooManyRecipients, "too many recipients", f.cid);
  f.to.reserve(arr.size());
  for (const auto& n : arr) {
    if (!n.is_string()) return error(frame_error::kBadFrame, "\"to\" must hold strings", f.cid);
    f.to.emplace_back(n.get_string().begin(), n.get_string().end());
  }
  f.content.assign(cs.begin(), cs.end());
  return f;
}

}  // namespace parley::protocol
