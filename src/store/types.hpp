// SPDX-License-Identifier: MIT
// Values that cross the storage interface.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace parley::store {

using UserId = std::int64_t;
using Seq = std::int64_t;        // position in one user's inbox, strictly increasing, from 1
using MessageId = std::int64_t;  // global, strictly increasing

enum class StoreError {
  kNameTaken,    // create_user: the name exists
  kNotFound,     // the user does not exist
  kUnavailable,  // the backend failed (disk full, I/O error, unreachable); nothing was changed
};

struct UserRecord {
  UserId id = 0;
  std::string name;
  std::string password_hash;
  std::int64_t token_gen = 0;
};

// A message a connection wants stored and delivered.
struct SendRequest {
  UserId sender = 0;
  std::string sender_name;
  std::vector<std::string> to;  // names as the client sent them
  std::string content;
  std::string cid;           // client message id; empty = none (no dedup, no ack)
  std::uint64_t origin = 0;  // connection id of the sender, for the ack
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
};

// A send that could not be stored, or had no recipient left.
struct Rejected {
  UserId sender = 0;
  std::uint64_t origin = 0;
  std::string cid;
  bool no_recipients = false;  // false: the store failed
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
};

struct HistoryPage {
  std::vector<StoredMessage> messages;  // ascending id
  bool more = false;
};

struct Conversation {
  std::string with;
  StoredMessage last;
};

}  // namespace parley::store
