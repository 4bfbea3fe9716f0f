// SPDX-License-Identifier: MIT
#include "store/group_rules.hpp"

#include <algorithm>
#include <utility>

namespace parley::store {

const GroupMember* Group::find(UserId user) const {
  auto it = std::lower_bound(members.begin(), members.end(), user,
                             [](const GroupMember& m, UserId u) { return m.id < u; });
  return it != members.end() && it->id == user ? &*it : nullptr;
}

GroupMember* Group::find(UserId user) {
  return const_cast<GroupMember*>(std::as_const(*this).find(user));
}

const GroupMember* Group::owner() const {
  for (const auto& m : members)
    if (m.role == GroupRole::kOwner) return &m;
  return nullptr;
}

std::optional<std::string> normalize_group_name(std::string_view name) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!name.empty() && space(name.front())) name.remove_prefix(1);
  while (!name.empty() && space(name.back())) name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  std::size_t chars = 0;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    if ((c & 0xC0) != 0x80) ++chars;  // the text is valid UTF-8 (checked by the JSON decoder)
  }
  if (chars > kMaxGroupNameChars) return std::nullopt;
  return std::string(name);
}

namespace {

void insert_member(Group& g, GroupMember m) {
  auto it = std::lower_bound(g.members.begin(), g.members.end(), m.id,
                             [](const GroupMember& x, UserId u) { return x.id < u; });
  g.members.insert(it, std::move(m));
}

void erase_member(Group& g, UserId id) {
  g.members.erase(std::remove_if(g.members.begin(), g.members.end(),
                                 [&](const GroupMember& m) { return m.id == id; }),
                  g.members.end());
}

bool manages(GroupRole r) {
  return r == GroupRole::kOwner || r == GroupRole::kAdmin;
}

// The owner left: the first admin by name takes over, else the first member by name.
void pass_ownership(Group& g) {
  GroupMember* next = nullptr;
  for (auto& m : g.members) {
    bool better = !next || (m.role == GroupRole::kAdmin && next->role != GroupRole::kAdmin) ||
                  (m.role == next->role && m.name < next->name);
    if (better) next = &m;
  }
  if (next) next->role = GroupRole::kOwner;
}

using Outcome = std::variant<GroupOutcome, StoreError>;

Outcome create(Group& g, const GroupChange& c, const std::vector<GroupMember>& named) {
  auto name = normalize_group_name(c.name);
  if (!name) return StoreError::kBadRequest;
  GroupOutcome out{"created", {}, {}, {}, false};
  Group next{g.id, *name, {}};
  insert_member(next, GroupMember{c.actor, c.actor_name, GroupRole::kOwner, 0});
  out.added.push_back(c.actor);
  for (const auto& m : named) {
    if (next.find(m.id)) continue;
    insert_member(next, GroupMember{m.id, m.name, GroupRole::kMember, 0});
    out.added.push_back(m.id);
    out.names.push_back(m.name);
  }
  if (next.members.size() > c.max_members) return StoreError::kTooMany;
  g = std::move(next);
  return out;
}

Outcome add(Group& g, const GroupChange& c, const std::vector<GroupMember>& named) {
  GroupOutcome out{"added", {}, {}, {}, false};
  std::size_t fresh = 0;
  for (const auto& m : named) fresh += g.find(m.id) ? 0 : 1;
  if (fresh == 0) return StoreError::kBadRequest;  // all of them are members already
  if (g.members.size() + fresh > c.max_members) return StoreError::kTooMany;
  for (const auto& m : named) {
    if (g.find(m.id)) continue;
    insert_member(g, GroupMember{m.id, m.name, GroupRole::kMember, 0});
    out.added.push_back(m.id);
    out.names.push_back(m.name);
  }
  return out;
}

Outcome leave(Group& g, const GroupMember& self) {
  GroupOutcome out{"left", {self.name}, {}, {self.id}, false};
  bool was_owner = self.role == GroupRole::kOwner;
  erase_member(g, self.id);
  if (g.members.empty()) {
    out.deleted = true;
  } else if (was_owner) {
    pass_ownership(g);
  }
  return out;
}

Outcome remove(Group& g, const GroupChange& c, const std::vector<GroupMember>& named,
               const GroupMember& actor) {
  bool self = std::any_of(named.begin(), named.end(),
                          [&](const GroupMember& m) { return m.id == c.actor; });
  if (self) {
    if (named.size() != 1) return StoreError::kBadRequest;  // leave on its own
    return leave(g, actor);
  }
  if (!manages(actor.role)) return StoreError::kForbidden;
  for (const auto& m : named) {
    const GroupMember* target = g.find(m.id);
    if (!target) return StoreError::kBadRequest;
    // An admin removes plain members only; the owner anyone.
    if (actor.role != GroupRole::kOwner && target->role != GroupRole::kMember)
      return StoreError::kForbidden;
  }
  GroupOutcome out{"removed", {}, {}, {}, false};
  for (const auto& m : named) {
    erase_member(g, m.id);
    out.names.push_back(m.name);
    out.removed.push_back(m.id);
  }
  return out;
}

Outcome set_admins(Group& g, const std::vector<GroupMember>& named, bool admin) {
  for (const auto& m : named) {
    const GroupMember* target = g.find(m.id);
    if (!target || target->role == GroupRole::kOwner) return StoreError::kBadRequest;
  }
  GroupOutcome out{admin ? "admin_added" : "admin_removed", {}, {}, {}, false};
  for (const auto& m : named) {
    GroupMember* target = g.find(m.id);
    GroupRole role = admin ? GroupRole::kAdmin : GroupRole::kMember;
    if (target->role == role) continue;
    target->role = role;
    out.names.push_back(m.name);
  }
  if (out.names.empty()) return StoreError::kBadRequest;  // nothing changed
  return out;
}

}  // namespace

Outcome apply_group_change(Group& g, const GroupChange& c, const std::vector<GroupMember>& named) {
  if (c.op == GroupOp::kCreate) return create(g, c, named);
  const GroupMember* actor_ptr = g.find(c.actor);
  if (!actor_ptr) return StoreError::kNotMember;
  const GroupMember actor = *actor_ptr;  // a copy: the member list changes below
  Group before = g;
  Outcome out;
  switch (c.op) {
    case GroupOp::kCreate:
      break;
    case GroupOp::kAdd:
      out = manages(actor.role) ? add(g, c, named) : Outcome(StoreError::kForbidden);
      break;
    case GroupOp::kRemove:
      out = named.empty() ? Outcome(StoreError::kBadRequest) : remove(g, c, named, actor);
      break;
    case GroupOp::kRename: {
      auto name = normalize_group_name(c.name);
      if (!manages(actor.role)) {
        out = StoreError::kForbidden;
      } else if (!name) {
        out = StoreError::kBadRequest;
      } else {
        g.name = *name;
        out = GroupOutcome{"renamed", {}, {}, {}, false};
      }
      break;
    }
    case GroupOp::kAddAdmins:
    case GroupOp::kRemoveAdmins:
      if (actor.role != GroupRole::kOwner) {
        out = StoreError::kForbidden;
      } else if (named.empty()) {
        out = StoreError::kBadRequest;
      } else {
        out = set_admins(g, named, c.op == GroupOp::kAddAdmins);
      }
      break;
    case GroupOp::kDelete:
      if (actor.role != GroupRole::kOwner) {
        out = StoreError::kForbidden;
      } else {
        GroupOutcome o{"deleted", {}, {}, {}, true};
        for (const auto& m : g.members) o.removed.push_back(m.id);
        g.members.clear();
        out = std::move(o);
      }
      break;
  }
  if (std::holds_alternative<StoreError>(out)) g = std::move(before);
  return out;
}

std::vector<UserId> event_audience(const Group& group, const GroupOutcome& outcome) {
  std::vector<UserId> ids;
  ids.reserve(group.members.size() + outcome.removed.size());
  for (const auto& m : group.members) ids.push_back(m.id);
  for (UserId r : outcome.removed)
    if (!group.find(r)) ids.push_back(r);
  return ids;
}

}  // namespace parley::store
