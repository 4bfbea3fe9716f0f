// SPDX-License-Identifier: MIT
// The one place that builds delivered message frames, live (Router) and from the inbox
// (Session backlog): `{"type":"normal","seq":N,` + a tail shared by every recipient, so a message
// is serialised once however many connections receive it. A new field on message frames (or a
// new kind of inbox entry) is added here and reaches live delivery and resume alike.
// Pure functions: any thread.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "store/types.hpp"

namespace parley::hub {

// `{"type":"normal","seq":N,` without allocating: the per-recipient head of a message frame.
class MessageHead {
 public:
  explicit MessageHead(std::int64_t seq);
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[48];
  std::size_t len_;
};

// The tail for the recipients of a committed message (`"to":[]`, as the original sends it).
std::string recipient_tail(const store::Committed& m);
// The tail for the sender's other devices: the recipients' names and the sender's cid.
std::string sender_copy_tail(const store::Committed& m);
// The tail of an inbox entry read back (backlog, resume): a recipient's copy, or the sender's.
std::string inbox_tail(const store::InboxEntry& e);
// The `ack` for the connection that sent `m` (empty without a cid: then no ack goes out).
std::string ack_frame(const store::Committed& m);

// A whole frame: head + tail (frames that are held while a session catches up).
std::string whole_frame(std::int64_t seq, std::string_view tail);

}  // namespace parley::hub
