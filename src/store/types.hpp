// SPDX-License-Identifier: MIT
// Values that cross the storage interface.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

using UserId = std::int64_t;
using Seq = std::int64_t;        // position in one user's inbox, strictly increasing, from 1
using MessageId = std::int64_t;  // global, strictly increasing
using GroupId = std::int64_t;    // global; 0 = not a group

// What an entry is. Stored in the inbox: a chat message; a group membership event (`content`
// holds the event's JSON body, see store/group_codec.hpp); a recall or an edit of message `ref`
// (`content` = the new text for an edit). Live only, never stored: a read marker moving (`ref` =
// upto) and typing.
enum class EntryKind : std::uint8_t {
  kMessage = 0,
  kGroupEvent = 1,
  kRecall = 2,
  kEdit = 3,
  kRead = 4,
  kTyping = 5,
};

// Entries with no place in the inbox: delivered to live connections only, without a seq.
inline bool live_only(EntryKind k) {
  return k == EntryKind::kRead || k == EntryKind::kTyping;
}

enum class StoreError {
  kNameTaken,      // create_user: the name exists
  kNotFound,       // the user does not exist
  kUnavailable,    // the backend failed (disk full, I/O error, unreachable); nothing was changed
  kNoSuchGroup,    // the group does not exist (or was deleted)
  kNotMember,      // the caller is not a member of the group
  kForbidden,      // a member, but their role does not allow the change
  kTooMany,        // the group would exceed its member cap
  kBadRequest,     // the change makes no sense (e.g. nothing to add, an invalid name)
  kInviteInvalid,  // create_account: the invite code is unknown, used up or expired
  kNameReserved,   // create_account: the name belonged to an account deleted recently
};

struct UserRecord {
  UserId id = 0;
  std::string name;
  std::string password_hash;
  std::int64_t token_gen = 0;
  std::uint8_t role = 0;  // store::Role (account.hpp)
  bool banned = false;
};

// A message a connection wants stored and delivered.
struct SendRequest {
  UserId sender = 0;
  std::string sender_name;
  std::vector<std::string> to;  // names as the client sent them
  std::string content;
  std::string cid;           // client message id; empty = none (no dedup, no ack)
  std::uint64_t origin = 0;  // connection id of the sender, for the ack
  GroupId group = 0;         // set: to the group's members (`to` is ignored)
  EntryKind kind = EntryKind::kMessage;
  // kMessage: the message it replies to (0 none); kRecall, kEdit: the target; kRead: upto.
  MessageId ref = 0;
  std::int64_t window_ms = 0;  // kRecall, kEdit: how old the target may be (0 = not allowed)
  std::vector<std::string> files;  // kMessage: ids of files the sender uploaded (file.hpp)
  std::string files_json;          // filled by the store: the FILE objects, a JSON array
};

struct Recipient {
  UserId id = 0;
  std::string name;
  Seq seq = 0;  // the message's place in this recipient's inbox
};

// A message made durable. `duplicate` = the (sender, cid) existed: nothing new was stored, the
// fields describe the original, and only the ack is due.
struct Committed {
  MessageId id = 0;
  std::int64_t ts = 0;
  UserId sender = 0;
  std::string sender_name;
  Seq sender_seq = 0;  // the copy in the sender's own inbox (multi-device sync)
  std::vector<Recipient> recipients;
  std::vector<std::string> recipient_names;
  std::string content;
  std::string cid;
  std::uint64_t origin = 0;
  bool duplicate = false;
  GroupId group = 0;
  EntryKind kind = EntryKind::kMessage;
  MessageId ref = 0;  // as in SendRequest
  std::string files;  // the FILE objects it carries, a JSON array ("" = none)
};

// A send that could not be stored, or had no recipient left.
struct Rejected {
  UserId sender = 0;
  std::uint64_t origin = 0;
  std::string cid;
  bool no_recipients = false;  // false: the store failed
  bool not_member = false;     // a group send from someone not (or no longer) in the group
  std::string_view error;      // otherwise: the frame error code to answer (protocol/codes.hpp)
};

// One entry of an inbox as read back.
struct InboxEntry {
  Seq seq = 0;
  MessageId id = 0;
  std::int64_t ts = 0;
  std::string from;
  std::vector<std::string> to;
  std::string content;
  std::string cid;   // set on the sender's own copies
  bool own = false;  // the user sent it (a copy for their other devices)
  GroupId group = 0;
  EntryKind kind = EntryKind::kMessage;
  MessageId ref = 0;  // reply_to, or the target of a recall / edit
  bool edited = false;
  bool recalled = false;  // the content is gone
  std::string files;      // the FILE objects, a JSON array ("" = none)
};

struct InboxPage {
  std::vector<InboxEntry> entries;  // ascending seq
  Seq head = 0;                     // the last seq of the inbox when read
  Seq scanned = 0;                  // the next read starts after this seq
  bool more = false;                // entries beyond this page exist
};

struct StoredMessage {
  MessageId id = 0;
  std::int64_t ts = 0;
  std::string from;
  std::vector<std::string> to;
  std::string content;
  GroupId group = 0;
  EntryKind kind = EntryKind::kMessage;
  MessageId ref = 0;
  bool edited = false;
  bool recalled = false;
  std::string files;  // the FILE objects, a JSON array ("" = none)
};

struct HistoryPage {
  std::vector<StoredMessage> messages;  // ascending id
  bool more = false;
  // With `more`: the `before` of the next page (0: the smallest id of this one). A store that
  // bounds the work of one page may end it early, even empty, with this set.
  MessageId next_before = 0;
};

struct Conversation {
  std::string with;  // the peer of a one-to-one conversation (empty for a group)
  StoredMessage last;
  GroupId group = 0;  // a group conversation
  std::string group_name;
  std::int64_t unread = 0;  // messages and events from others after read_upto (capped)
  MessageId read_upto = 0;  // the user's read marker
};

// How far one member has read a group.
struct ReadMarker {
  std::string name;
  MessageId upto = 0;
};

// ---- groups ----

enum class GroupRole : std::uint8_t { kMember = 0, kAdmin = 1, kOwner = 2 };

struct GroupMember {
  UserId id = 0;
  std::string name;
  GroupRole role = GroupRole::kMember;
  MessageId joined = 0;  // the event that added them: their view of the history starts there
};

struct Group {
  GroupId id = 0;
  std::string name;
  std::vector<GroupMember> members;  // sorted by user id

  const GroupMember* find(UserId user) const;
  GroupMember* find(UserId user);
  const GroupMember* owner() const;
};

enum class GroupOp { kCreate, kAdd, kRemove, kRename, kAddAdmins, kRemoveAdmins, kDelete };

// A change asked for by `actor` (validated by the store, on its thread, in commit order).
struct GroupChange {
  GroupOp op = GroupOp::kCreate;
  UserId actor = 0;
  std::string actor_name;
  GroupId group = 0;               // not for kCreate
  std::string name;                // kCreate, kRename
  std::vector<std::string> names;  // members to add, remove, make or unmake admin
  std::size_t max_members = 1000;
};

// The group after a change. `unknown` non-empty: names that are not registered; nothing changed.
struct GroupReply {
  Group group;
  std::vector<std::string> unknown;
  bool deleted = false;
};

}  // namespace parley::store
