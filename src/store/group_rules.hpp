// SPDX-License-Identifier: MIT
// Who may change a group and how: the rules both stores apply, on their own thread, to the group
// as it is when the change commits. Pure: no I/O.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/types.hpp"

namespace parley::store {

inline constexpr std::size_t kMaxGroupNameChars = 64;

// What a change did, for the event that records it.
struct GroupOutcome {
  std::string_view event;          // created, added, removed, left, renamed, admin_added, ...
  std::vector<std::string> names;  // the members it was about
  std::vector<UserId> added;       // new members: their `joined` is the event's id
  std::vector<UserId> removed;     // no longer members, still told of the event
  bool deleted = false;            // the group is gone
};

// The group name as stored (trimmed), or nullopt when empty, too long or with control characters.
std::optional<std::string> normalize_group_name(std::string_view name);

// Applies `change` to `group` (for kCreate, an empty group that gets its id from the caller).
// `named` are the users change.names refers to, resolved and without repeats. On an error the
// group is left as it was.
std::variant<GroupOutcome, StoreError> apply_group_change(Group& group, const GroupChange& change,
                                                          const std::vector<GroupMember>& named);

// Every user an event about `group` goes to: the members after the change and the removed.
std::vector<UserId> event_audience(const Group& group, const GroupOutcome& outcome);

}  // namespace parley::store
