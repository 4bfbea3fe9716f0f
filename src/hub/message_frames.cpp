// SPDX-License-Identifier: MIT
#include "hub/message_frames.hpp"

#include <cstdio>

#include "protocol/server_frame.hpp"

namespace parley::hub {

MessageHead::MessageHead(std::int64_t seq, bool event) {
  int n = std::snprintf(buf_, sizeof buf_, "{\"type\":\"%s\",\"seq\":%lld,",
                        event ? "group" : "normal", static_cast<long long>(seq));
  len_ = std::size_t(n);
}

namespace {

std::string event_tail(const store::Committed& m) {
  return protocol::group_event_tail(m.id, m.ts, m.sender_name, m.content);
}

}  // namespace

std::string recipient_tail(const store::Committed& m) {
  if (is_event(m)) return event_tail(m);
  protocol::MessageView view{m.id, m.ts, m.sender_name, nullptr, m.content, {}};
  view.group = m.group;
  return protocol::message_tail(view);
}

std::string sender_copy_tail(const store::Committed& m) {
  if (is_event(m)) return event_tail(m);
  protocol::MessageView view{m.id, m.ts, m.sender_name, &m.recipient_names, m.content, m.cid};
  view.group = m.group;
  return protocol::message_tail(view);
}

std::string inbox_tail(const store::InboxEntry& e) {
  if (is_event(e)) return protocol::group_event_tail(e.id, e.ts, e.from, e.content);
  protocol::MessageView m{e.id,      e.ts,
                          e.from,    e.own ? &e.to : nullptr,
                          e.content, e.own ? std::string_view(e.cid) : std::string_view()};
  m.group = e.group;
  return protocol::message_tail(m);
}

std::string ack_frame(const store::Committed& m) {
  if (m.cid.empty()) return {};
  return protocol::ack_frame(m.cid, m.id, m.sender_seq, m.ts, m.recipient_names, m.group);
}

std::string whole_frame(std::int64_t seq, bool event, std::string_view tail) {
  MessageHead head(seq, event);
  std::string frame;
  frame.reserve(head.view().size() + tail.size());
  frame += head.view();
  frame += tail;
  return frame;
}

}  // namespace parley::hub
