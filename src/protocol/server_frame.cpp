// SPDX-License-Identifier: MIT
#include "protocol/server_frame.hpp"

#include "util/json_text.hpp"

namespace parley::protocol {

using util::append_json_string;
using util::append_json_string_array;

std::string message_tail(const MessageView& m) {
  std::string out;
  out.reserve(64 + m.from.size() + m.content.size());
  out += "\"id\":";
  out += std::to_string(m.id);
  out += ",\"ts\":";
  out += std::to_string(m.ts);
  out += ",\"from\":";
  append_json_string(out, m.from);
  if (m.recalled) {
    out += ",\"recalled\":true";  // and no content: it is gone from the store
  } else {
    out += ",\"content\":";
    append_json_string(out, m.content);
  }
  out += ",\"to\":";
  if (m.to) {
    append_json_string_array(out, *m.to);
  } else {
    out += "[]";
  }
  if (!m.cid.empty()) {
    out += ",\"cid\":";
    append_json_string(out, m.cid);
  }
  if (m.group) append_group_id(out, m.group);
  if (m.reply_to) out += ",\"reply_to\":" + std::to_string(m.reply_to);
  if (m.edited) out += ",\"edited\":true";
  if (!m.files.empty() && !m.recalled) {
    out += ",\"files\":";
    out += m.files;
  }
  out += '}';
  return out;
}

void append_change_head(std::string& out, bool recall, std::int64_t seq) {
  out += recall ? "{\"type\":\"recall\",\"seq\":" : "{\"type\":\"edit\",\"seq\":";
  out += std::to_string(seq);
  out += ',';
}

std::string change_tail(std::int64_t target, std::int64_t eid, std::int64_t ts,
                        std::string_view from, const std::string* content, std::int64_t group) {
  std::string out = "\"id\":" + std::to_string(target) + ",\"eid\":" + std::to_string(eid) +
                    ",\"ts\":" + std::to_string(ts) + ",\"from\":";
  append_json_string(out, from);
  if (content) {
    out += ",\"content\":";
    append_json_string(out, *content);
  }
  if (group) append_group_id(out, group);
  out += '}';
  return out;
}

std::string read_frame(std::string_view reader, std::string_view peer, std::int64_t group,
                       std::int64_t upto) {
  std::string out = "{\"type\":\"read\",\"from\":";
  append_json_string(out, reader);
  if (group) {
    append_group_id(out, group);
  } else {
    out += ",\"with\":";
    append_json_string(out, peer);
  }
  out += ",\"upto\":" + std::to_string(upto) + '}';
  return out;
}

std::string typing_frame(std::string_view from, std::string_view peer, std::int64_t group) {
  std::string out = "{\"type\":\"typing\",\"from\":";
  append_json_string(out, from);
  if (group) {
    append_group_id(out, group);
  } else {
    out += ",\"to\":[";
    append_json_string(out, peer);
    out += ']';
  }
  out += '}';
  return out;
}

void append_group_id(std::string& out, std::int64_t group) {
  out += ",\"group\":\"";
  out += std::to_string(group);
  out += '"';
}

void append_event_head(std::string& out, std::int64_t seq) {
  out += "{\"type\":\"group\",\"seq\":";
  out += std::to_string(seq);
  out += ',';
}

std::string group_event_tail(std::int64_t id, std::int64_t ts, std::string_view by,
                             std::string_view body) {
  std::string out;
  out.reserve(48 + by.size() + body.size());
  out += "\"id\":";
  out += std::to_string(id);
  out += ",\"ts\":";
  out += std::to_string(ts);
  out += ",\"by\":";
  append_json_string(out, by);
  out += ',';
  // The body is an object the store wrote: splice its members.
  if (!body.empty() && body.front() == '{') body.remove_prefix(1);
  if (body.empty()) body = "}";
  out += body;
  return out;
}

void append_message_head(std::string& out, std::int64_t seq) {
  out += "{\"type\":\"normal\",\"seq\":";
  out += std::to_string(seq);
  out += ',';
}

std::string ok_frame(std::string_view name, std::int64_t head_seq, const Windows& windows) {
  std::string out = "{\"type\":\"ok\",\"content\":\"登录成功\",\"to\":[],\"name\":";
  append_json_string(out, name);
  out += ",\"seq\":";
  out += std::to_string(head_seq);
  out += ",\"recall_window\":" + std::to_string(windows.recall_s);
  out += ",\"edit_window\":" + std::to_string(windows.edit_s);
  out += '}';
  return out;
}

std::string no_frame(std::string_view text) {
  std::string out = "{\"type\":\"no\",\"content\":";
  append_json_string(out, text);
  out += ",\"to\":[]}";
  return out;
}

std::string error_frame(std::string_view code, std::string_view text, std::string_view cid) {
  std::string out = "{\"type\":\"error\",\"code\":";
  append_json_string(out, code);
  out += ",\"content\":";
  append_json_string(out, text);
  out += ",\"to\":[]";
  if (!cid.empty()) {
    out += ",\"cid\":";
    append_json_string(out, cid);
  }
  out += '}';
  return out;
}

std::string ack_frame(std::string_view cid, std::int64_t id, std::int64_t seq, std::int64_t ts,
                      const std::vector<std::string>& to, std::int64_t group) {
  std::string out = "{\"type\":\"ack\",\"cid\":";
  append_json_string(out, cid);
  out += ",\"id\":" + std::to_string(id) + ",\"seq\":" + std::to_string(seq) +
         ",\"ts\":" + std::to_string(ts) + ",\"to\":";
  append_json_string_array(out, to);
  if (group) append_group_id(out, group);
  out += '}';
  return out;
}

std::string loginlist_frame(const std::vector<std::string>& names) {
  std::string out = "{\"type\":\"loginlist\",\"content\":{\"names\":";
  append_json_string_array(out, names);
  out += "},\"to\":[]}";
  return out;
}

std::string pong_frame() {
  return "{\"type\":\"pong\"}";
}

void append_message_object(std::string& out, const MessageView& m) {
  out += "{\"id\":" + std::to_string(m.id) + ",\"from\":";
  append_json_string(out, m.from);
  out += ",\"to\":";
  if (m.to) {
    append_json_string_array(out, *m.to);
  } else {
    out += "[]";
  }
  if (m.recalled) {
    out += ",\"recalled\":true";
  } else {
    out += ",\"content\":";
    append_json_string(out, m.content);
  }
  out += ",\"ts\":" + std::to_string(m.ts);
  if (m.group) append_group_id(out, m.group);
  if (m.reply_to) out += ",\"reply_to\":" + std::to_string(m.reply_to);
  if (m.edited) out += ",\"edited\":true";
  if (!m.files.empty() && !m.recalled) {
    out += ",\"files\":";
    out += m.files;
  }
  out += '}';
}

std::string notice_frame(std::string_view content, std::int64_t ts) {
  std::string out = R"({"type":"notice","content":)";
  append_json_string(out, content);
  out += R"(,"from":"system","ts":)" + std::to_string(ts) + "}";
  return out;
}

std::string classic_notice_frame(std::string_view content) {
  std::string out = R"({"type":"normal","content":)";
  append_json_string(out, content);
  out += R"(,"from":"系统通知","to":[]})";
  return out;
}

}  // namespace parley::protocol
