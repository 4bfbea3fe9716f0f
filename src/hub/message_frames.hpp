// SPDX-License-Identifier: MIT
// The one place that builds delivered inbox frames, live (Router) and from the inbox (Session
// backlog): a per-recipient head `{"type":T,"seq":N,` + a tail shared by every recipient, so an
// entry is serialised once however many connections receive it. An inbox entry is a chat message
// (`"group":ID` when sent to a group), a group membership event (`{"type":"group",...}`), or a
// recall / edit of an earlier message (`{"type":"recall"|"edit",...}`); a new field or a new kind
// of entry is added here and reaches live delivery and resume alike. Reads and typing are not in
// the inbox: they are whole frames without a seq (live_frame).
// Pure functions: any thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "store/types.hpp"

namespace parley::hub {

// Classic clients (auth without `seq`) know only `normal` messages: group events, recalls and
// edits take their seq but are not sent to them (see PROTOCOL.md, "Classic clients").
inline bool classic_skips(store::EntryKind k) {
  return k != store::EntryKind::kMessage;
}
// An entry read back for a classic client: also a recalled message (its text is gone).
inline bool classic_skips(const store::InboxEntry& e) {
  return classic_skips(e.kind) || e.recalled;
}

// `{"type":"normal","seq":N,` (or "group", "recall", "edit" by kind) without allocating: the
// per-recipient head of a frame.
class MessageHead {
 public:
  explicit MessageHead(std::int64_t seq, store::EntryKind kind = store::EntryKind::kMessage);
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[48];
  std::size_t len_;
};

// The tail for the recipients of a committed entry (a message: `"to":[]`, as the original
// sends it).
std::string recipient_tail(const store::Committed& m);
// The tail for the sender's other devices: the recipients' names and the sender's cid.
std::string sender_copy_tail(const store::Committed& m);
// The tail of an inbox entry read back (backlog, resume): a recipient's copy, or the sender's.
std::string inbox_tail(const store::InboxEntry& e);
// The same tails for a classic client when the message carries files: `content` (the text with
// a line per file, classic_files.hpp) in place of the text, and no `files`.
std::string recipient_tail(const store::Committed& m, std::string_view content);
std::string sender_copy_tail(const store::Committed& m, std::string_view content);
std::string inbox_tail(const store::InboxEntry& e, std::string_view content);
// The `ack` for the connection that sent `m` (empty without a cid: then no ack goes out).
std::string ack_frame(const store::Committed& m);
// The whole frame of a live-only entry (kRead, kTyping): the same for every receiver.
std::string live_frame(const store::Committed& m);

// A whole frame: head + tail (frames that are held while a session catches up).
std::string whole_frame(std::int64_t seq, store::EntryKind kind, std::string_view tail);

}  // namespace parley::hub
