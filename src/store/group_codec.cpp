// SPDX-License-Identifier: MIT
#include "store/group_codec.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "util/json_text.hpp"

namespace parley::store {

void append_group_json(std::string& out, const Group& g, bool with_members) {
  std::vector<const GroupMember*> sorted;
  sorted.reserve(g.members.size());
  for (const auto& m : g.members) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const GroupMember* a, const GroupMember* b) { return a->name < b->name; });
  out += "{\"id\":\"";
  out += std::to_string(g.id);
  out += "\",\"name\":";
  util::append_json_string(out, g.name);
  out += ",\"owner\":";
  const GroupMember* owner = g.owner();
  util::append_json_string(out, owner ? owner->name : std::string_view());
  if (with_members) {
    out += ",\"admins\":[";
    bool first = true;
    for (const GroupMember* m : sorted) {
      if (m->role != GroupRole::kAdmin) continue;
      if (!first) out += ',';
      first = false;
      util::append_json_string(out, m->name);
    }
    out += "],\"members\":[";
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i) out += ',';
      util::append_json_string(out, sorted[i]->name);
    }
    out += ']';
  }
  out += ",\"member_count\":";
  out += std::to_string(g.members.size());
  out += '}';
}

std::string group_event_body(const GroupOutcome& outcome, const Group& after) {
  std::string out = "{\"event\":";
  util::append_json_string(out, outcome.event);
  out += ",\"names\":";
  util::append_json_string_array(out, outcome.names);
  out += ",\"group\":";
  append_group_json(out, after, after.members.size() <= kEventMemberListMax);
  out += '}';
  return out;
}

std::optional<GroupEventSummary> read_group_event(std::string_view body) {
  boost::json::error_code ec;
  auto v = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* event = o.if_contains("event");
  if (!event || !event->is_string()) return std::nullopt;
  GroupEventSummary s;
  s.event = std::string(event->get_string());
  if (const auto* names = o.if_contains("names"); names && names->is_array())
    for (const auto& n : names->get_array())
      if (n.is_string()) s.names.emplace_back(n.get_string());
  return s;
}

}  // namespace parley::store
