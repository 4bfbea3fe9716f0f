// SPDX-License-Identifier: MIT
#include "protocol/client_frame.hpp"

#include <optional>

#include <boost/json.hpp>

#include "protocol/codes.hpp"

namespace parley::protocol {
namespace json = boost::json;

namespace {

FrameError error(std::string_view code, std::string text, std::string cid = {}) {
  return FrameError{code, std::move(text), std::move(cid)};
}

// A message id: a positive integer (JSON number); 0 when absent or malformed.
std::int64_t message_id(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= std::uint64_t(INT64_MAX))
    return std::int64_t(v->get_uint64());
  return -1;
}

std::int64_t group_field(const json::object& o, bool& bad);

// read, typing, recall, edit: small frames about a conversation or a message.
DecodedFrame decode_state_frame(std::string_view t, const json::object& o,
                                const FrameLimits& limits) {
  ClientFrame f;
  if (const json::value* cid = o.if_contains("cid");
      cid && cid->is_string() && !cid->get_string().empty() &&
      cid->get_string().size() <= limits.max_cid_bytes)
    f.cid.assign(cid->get_string().begin(), cid->get_string().end());
  if (t == "recall" || t == "edit") {
    f.type = t == "recall" ? ClientFrameType::kRecall : ClientFrameType::kEdit;
    f.ref = message_id(o, "id");
    if (f.ref <= 0) return error(frame_error::kBadFrame, "\"id\" must be a message id", f.cid);
    if (f.type == ClientFrameType::kEdit) {
      const json::value* content = o.if_contains("content");
      if (!content || !content->is_string() || content->get_string().empty())
        return error(frame_error::kBadFrame, "\"content\" must be a non-empty string", f.cid);
      if (content->get_string().size() > limits.max_content_bytes)
        return error(frame_error::kTooLarge, "message text too long", f.cid);
      f.content.assign(content->get_string().begin(), content->get_string().end());
    }
    return f;
  }
  f.type = t == "read" ? ClientFrameType::kRead : ClientFrameType::kTyping;
  bool bad = false;
  f.group = group_field(o, bad);
  if (bad) return error(frame_error::kBadFrame, "\"group\" must be a group id", f.cid);
  if (!f.group) {
    // One peer: "with" (read) or "to":[NAME] (typing; "with" accepted too).
    const json::value* with = o.if_contains(t == "read" ? "with" : "to");
    if (t == "typing" && !with) with = o.if_contains("with");
    if (with && with->is_array() && with->get_array().size() == 1) with = &with->get_array()[0];
    if (!with || !with->is_string() || with->get_string().empty() ||
        with->get_string().size() > 256)
      return error(
          frame_error::kBadFrame,
          t == "read" ? "need \"with\":NAME or \"group\":ID" : "need \"to\":[NAME] or \"group\":ID",
          f.cid);
    f.to.emplace_back(with->get_string().begin(), with->get_string().end());
  }
  if (f.type == ClientFrameType::kRead) {
    f.ref = message_id(o, "upto");
    if (f.ref <= 0) return error(frame_error::kBadFrame, "\"upto\" must be a message id", f.cid);
  }
  return f;
}

std::int64_t group_field(const json::object& o, bool& bad) {
  const json::value* group = o.if_contains("group");
  if (!group || group->is_null()) return 0;
  std::int64_t id = 0;
  if (group->is_string()) {
    id = parse_group_id(std::string_view(group->get_string()));
  } else if (group->is_int64() && group->get_int64() > 0) {
    id = group->get_int64();
  }
  bad = id <= 0;
  return id;
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

namespace {

// Consumes `prefix` from `t`.
bool eat(std::string_view& t, std::string_view prefix) {
  if (t.substr(0, prefix.size()) != prefix) return false;
  t.remove_prefix(prefix.size());
  return true;
}

// Up to the closing quote of a JSON string without escapes; empty when there is none (or an
// escape or a control character: the general path decides those).
std::string_view plain_string(std::string_view& t, std::size_t max) {
  for (std::size_t i = 0; i < t.size() && i <= max; ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c == '"') {
      std::string_view s = t.substr(0, i);
      t.remove_prefix(i + 1);
      return s;
    }
    if (c == '\\' || c < 0x20) return {};
  }
  return {};
}

std::int64_t plain_id(std::string_view& t) {
  std::int64_t v = 0;
  std::size_t i = 0;
  for (; i < t.size() && i < 15 && t[i] >= '0' && t[i] <= '9'; ++i) v = v * 10 + (t[i] - '0');
  if (i == 0 || (i < t.size() && t[i] >= '0' && t[i] <= '9')) return 0;
  t.remove_prefix(i);
  return v;
}

// A read marker exactly as clients write it — {"type":"read","with":"NAME","upto":N} or
// {"type":"read","group":"ID","upto":N} — decoded without a JSON DOM: clients send one for
// what they show, so it is the most frequent frame after messages (issue 11: reads must not
// slow messaging). Any other spelling takes the general path, which accepts the same frames.
std::optional<ClientFrame> fast_read_frame(std::string_view t) {
  if (!eat(t, R"({"type":"read",")")) return std::nullopt;
  ClientFrame f;
  f.type = ClientFrameType::kRead;
  if (eat(t, R"(with":")")) {
    std::string_view name = plain_string(t, 256);
    if (name.empty()) return std::nullopt;
    f.to.emplace_back(name);
  } else if (eat(t, R"(group":")")) {
    std::string_view id = plain_string(t, 18);
    f.group = parse_group_id(id);
    if (!f.group) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!eat(t, R"(,"upto":)")) return std::nullopt;
  f.ref = plain_id(t);
  if (f.ref <= 0 || t != "}") return std::nullopt;
  return f;
}

}  // namespace

DecodedFrame decode_client_frame(std::string_view text, const FrameLimits& limits) {
  if (auto read = fast_read_frame(text)) return std::move(*read);
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
  if (t == "read" || t == "typing" || t == "recall" || t == "edit")
    return decode_state_frame(t, o, limits);
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
  if (const json::value* files = o.if_contains("files"); files && !files->is_null()) {
    if (!files->is_array() || files->get_array().size() > kMaxFiles)
      return error(frame_error::kBadFrame, "\"files\" must be an array of at most 10 file ids",
                   f.cid);
    for (const auto& id : files->get_array()) {
      if (!id.is_string() || id.get_string().empty() || id.get_string().size() > 64)
        return error(frame_error::kBadFrame, "\"files\" must hold file ids (strings)", f.cid);
      f.files.emplace_back(id.get_string().begin(), id.get_string().end());
    }
  }
  // With files attached, the text may be empty.
  if (cs.empty() && f.files.empty()) return error(frame_error::kBadFrame, "empty message", f.cid);
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
  if (const json::value* reply = o.if_contains("reply_to"); reply && !reply->is_null()) {
    f.ref = message_id(o, "reply_to");
    if (f.ref <= 0)
      return error(frame_error::kBadFrame, "\"reply_to\" must be a message id", f.cid);
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
