// SPDX-License-Identifier: MIT
// The JSON of groups: the GROUP object of the wire contract (docs/PROTOCOL.md) and the body of a
// membership event as both stores keep it in the log / inbox (and frames splice it unchanged).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/group_rules.hpp"
#include "store/types.hpp"

namespace parley::store {

// Above this many members an event's GROUP carries `member_count` but no lists: a membership
// change in a 10,000-member group must not send each member 10,000 names.
inline constexpr std::size_t kEventMemberListMax = 500;

// {"id":"12","name":..,"owner":..,"admins":[..],"members":[..],"member_count":N}; names sorted.
void append_group_json(std::string& out, const Group& g, bool with_members = true);

// {"event":E,"names":[..],"group":GROUP}
std::string group_event_body(const GroupOutcome& outcome, const Group& after);

// The event name and the names it was about, read back from a stored body (cold path: history).
struct GroupEventSummary {
  std::string event;
  std::vector<std::string> names;
};
std::optional<GroupEventSummary> read_group_event(std::string_view body);

}  // namespace parley::store
