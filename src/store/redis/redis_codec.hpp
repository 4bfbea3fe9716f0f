// SPDX-License-Identifier: MIT
// The JSON shapes parley keeps in Redis and sends over its channels: inbox entries, committed
// batches (parley:deliver) and cluster events (parley:events). Compact keys: these are stored
// once per recipient and published once per batch.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace parley::store::redis {

// {"i":id,"t":ts,"f":from,"o":[to...],"c":content,"d":cid,"g":group,"k":kind}; g and k only when
// set (a group message or event).
std::string encode_entry(MessageId id, std::int64_t ts, std::string_view from,
                         const std::vector<std::string>& to, std::string_view content,
                         std::string_view cid, GroupId group = 0,
                         EntryKind kind = EntryKind::kMessage, MessageId ref = 0,
                         std::string_view files = {});
// The same entry with its content replaced by an edit, or deleted by a recall.
std::string rewrite_entry(const InboxEntry& e, bool recall, std::string_view content);
// The entry at `seq` in the inbox of user `me`. nullopt on malformed data.
std::optional<InboxEntry> decode_entry(std::string_view json, Seq seq, std::string_view me);

std::string encode_committed(const std::vector<Committed>& batch);
std::optional<std::vector<Committed>> decode_committed(std::string_view json);

// A group as kept under {g<id>}:group: {"n":name,"m":[[uid,role,joined,name],...]}.
std::string encode_group(const Group& g);
std::optional<Group> decode_group(std::string_view json, GroupId id);

struct ClusterEvent {
  enum class Kind { kRevoke, kGeneration, kPresence, kNotice } kind = Kind::kPresence;
  UserId user = 0;         // kNotice: 0 = everyone
  std::string jti;         // kNotice: the text
  std::int64_t value = 0;  // exp for kRevoke, gen for kGeneration, ts for kNotice
};
std::string encode_event(const ClusterEvent& e);
std::optional<ClusterEvent> decode_event(std::string_view json);

}  // namespace parley::store::redis
