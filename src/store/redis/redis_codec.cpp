// SPDX-License-Identifier: MIT
#include "store/redis/redis_codec.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "util/json_text.hpp"

namespace parley::store::redis {
namespace json = boost::json;
using util::append_json_string;
using util::append_json_string_array;

namespace {

std::optional<json::object> parse_object(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::int64_t get_int(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return std::int64_t(v->get_uint64());
  return 0;
}

std::string get_str(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> get_strings(const json::object& o, const char* k) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(k); v && v->is_array())
    for (const auto& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

}  // namespace

std::string encode_entry(MessageId id, std::int64_t ts, std::string_view from,
                         const std::vector<std::string>& to, std::string_view content,
                         std::string_view cid, GroupId group, EntryKind kind, MessageId ref,
                         std::string_view files) {
  std::string out = "{\"i\":" + std::to_string(id) + ",\"t\":" + std::to_string(ts) + ",\"f\":";
  append_json_string(out, from);
  out += ",\"o\":";
  append_json_string_array(out, to);
  out += ",\"c\":";
  append_json_string(out, content);
  if (!cid.empty()) {
    out += ",\"d\":";
    append_json_string(out, cid);
  }
  if (group) out += ",\"g\":" + std::to_string(group);
  if (kind != EntryKind::kMessage) out += ",\"k\":" + std::to_string(int(kind));
  if (ref) out += ",\"r\":" + std::to_string(ref);
  if (!files.empty()) {
    out += ",\"a\":";
    out += files;  // already JSON (store::file_json)
  }
  out += '}';
  return out;
}

std::string rewrite_entry(const InboxEntry& e, bool recall, std::string_view content) {
  std::string out = encode_entry(e.id, e.ts, e.from, e.to, recall ? std::string_view() : content,
                                 e.cid, e.group, e.kind, e.ref, recall ? std::string_view() : e.files);
  out.pop_back();
  out += recall ? ",\"x\":1}" : ",\"e\":1}";
  return out;
}

std::optional<InboxEntry> decode_entry(std::string_view text, Seq seq, std::string_view me) {
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  InboxEntry e;
  e.seq = seq;
  e.id = get_int(*o, "i");
  e.ts = get_int(*o, "t");
  e.from = get_str(*o, "f");
  e.to = get_strings(*o, "o");
  e.content = get_str(*o, "c");
  e.own = e.from == me;
  if (e.own) e.cid = get_str(*o, "d");
  e.group = get_int(*o, "g");
  e.kind = EntryKind(get_int(*o, "k"));
  e.ref = get_int(*o, "r");
  e.edited = get_int(*o, "e") != 0;
  e.recalled = get_int(*o, "x") != 0;
  if (const json::value* a = o->if_contains("a"); a && a->is_array() && !e.recalled)
    e.files = json::serialize(*a);
  return e;
}

std::string encode_committed(const std::vector<Committed>& batch) {
  std::string out = "[";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Committed& c = batch[i];
    if (i) out += ',';
    out += "{\"i\":" + std::to_string(c.id) + ",\"t\":" + std::to_string(c.ts) +
           ",\"s\":" + std::to_string(c.sender) + ",\"ss\":" + std::to_string(c.sender_seq) +
           ",\"o\":" + std::to_string(c.origin) + ",\"u\":" + (c.duplicate ? "1" : "0") +
           ",\"g\":" + std::to_string(c.group) + ",\"k\":" + std::to_string(int(c.kind)) +
           ",\"rf\":" + std::to_string(c.ref) + ",\"sn\":";
    append_json_string(out, c.sender_name);
    out += ",\"c\":";
    append_json_string(out, c.content);
    out += ",\"d\":";
    append_json_string(out, c.cid);
    out += ",\"rn\":";
    append_json_string_array(out, c.recipient_names);
    if (!c.files.empty()) {
      out += ",\"a\":";
      out += c.files;
    }
    out += ",\"r\":[";
    for (std::size_t j = 0; j < c.recipients.size(); ++j) {
      if (j) out += ',';
      out += "[" + std::to_string(c.recipients[j].id) + "," + std::to_string(c.recipients[j].seq) +
             ",";
      append_json_string(out, c.recipients[j].name);
      out += ']';
    }
    out += "]}";
  }
  out += ']';
  return out;
}

std::optional<std::vector<Committed>> decode_committed(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<Committed> out;
  for (const auto& item : v.get_array()) {
    if (!item.is_object()) return std::nullopt;
    const auto& o = item.get_object();
    Committed c;
    c.id = get_int(o, "i");
    c.ts = get_int(o, "t");
    c.sender = get_int(o, "s");
    c.sender_seq = get_int(o, "ss");
    if (const json::value* origin = o.if_contains("o"))
      c.origin = origin->is_uint64() ? origin->get_uint64() : std::uint64_t(get_int(o, "o"));
    c.duplicate = get_int(o, "u") != 0;
    c.group = get_int(o, "g");
    c.kind = EntryKind(get_int(o, "k"));
    c.ref = get_int(o, "rf");
    c.sender_name = get_str(o, "sn");
    c.content = get_str(o, "c");
    c.cid = get_str(o, "d");
    c.recipient_names = get_strings(o, "rn");
    if (const json::value* a = o.if_contains("a"); a && a->is_array()) c.files = json::serialize(*a);
    if (const json::value* rs = o.if_contains("r"); rs && rs->is_array()) {
      for (const auto& r : rs->get_array()) {
        if (!r.is_array() || r.get_array().size() != 3) return std::nullopt;
        const auto& a = r.get_array();
        if (!a[0].is_int64() || !a[1].is_int64() || !a[2].is_string()) return std::nullopt;
        c.recipients.push_back(
            Recipient{a[0].get_int64(), std::string(a[2].get_string()), a[1].get_int64()});
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string encode_group(const Group& g) {
  std::string out = "{\"n\":";
  append_json_string(out, g.name);
  out += ",\"m\":[";
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    const GroupMember& m = g.members[i];
    if (i) out += ',';
    out += '[' + std::to_string(m.id) + ',' + std::to_string(int(m.role)) + ',' +
           std::to_string(m.joined) + ',';
    append_json_string(out, m.name);
    out += ']';
  }
  out += "]}";
  return out;
}

std::optional<Group> decode_group(std::string_view text, GroupId id) {
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  Group g;
  g.id = id;
  g.name = get_str(*o, "n");
  const json::value* ms = o->if_contains("m");
  if (!ms || !ms->is_array()) return std::nullopt;
  for (const auto& v : ms->get_array()) {
    if (!v.is_array() || v.get_array().size() != 4) return std::nullopt;
    const auto& a = v.get_array();
    if (!a[0].is_int64() || !a[1].is_int64() || !a[2].is_int64() || !a[3].is_string())
      return std::nullopt;
    g.members.push_back(GroupMember{a[0].get_int64(), std::string(a[3].get_string()),
                                    GroupRole(a[1].get_int64()), a[2].get_int64()});
  }
  std::sort(g.members.begin(), g.members.end(),
            [](const GroupMember& x, const GroupMember& y) { return x.id < y.id; });
  return g;
}

std::string encode_event(const ClusterEvent& e) {
  std::string out = "{\"e\":";
  switch (e.kind) {
    case ClusterEvent::Kind::kRevoke:
      out += "\"revoke\"";
      break;
    case ClusterEvent::Kind::kGeneration:
      out += "\"gen\"";
      break;
    case ClusterEvent::Kind::kPresence:
      out += "\"presence\"";
      break;
    case ClusterEvent::Kind::kNotice:
      out += "\"notice\"";
      break;
  }
  out += ",\"u\":" + std::to_string(e.user) + ",\"v\":" + std::to_string(e.value) + ",\"j\":";
  append_json_string(out, e.jti);
  out += '}';
  return out;
}

std::optional<ClusterEvent> decode_event(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  ClusterEvent e;
  std::string kind = get_str(*o, "e");
  if (kind == "revoke")
    e.kind = ClusterEvent::Kind::kRevoke;
  else if (kind == "gen")
    e.kind = ClusterEvent::Kind::kGeneration;
  else if (kind == "presence")
    e.kind = ClusterEvent::Kind::kPresence;
  else if (kind == "notice")
    e.kind = ClusterEvent::Kind::kNotice;
  else
    return std::nullopt;
  e.user = get_int(*o, "u");
  e.value = get_int(*o, "v");
  e.jti = get_str(*o, "j");
  return e;
}

}  // namespace parley::store::redis
