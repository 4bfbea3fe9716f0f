// SPDX-License-Identifier: MIT
#include "hub/message_frames.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

#include "protocol/server_frame.hpp"

namespace parley::hub {
using store::EntryKind;

namespace {

const char* frame_type(EntryKind kind) {
  switch (kind) {
    case EntryKind::kGroupEvent:
      return "group";
    case EntryKind::kRecall:
      return "recall";
    case EntryKind::kEdit:
      return "edit";
    default:
      return "normal";
  }
}

bool is_change(EntryKind kind) {
  return kind == EntryKind::kRecall || kind == EntryKind::kEdit;
}

// A recall or edit names its target (`id`) and is itself entry `eid`.
template <typename Entry>
std::string change_tail(const Entry& e, std::string_view from) {
  const std::string* content = e.kind == EntryKind::kEdit ? &e.content : nullptr;
  return protocol::change_tail(e.ref, e.id, e.ts, from, content, e.group);
}

// `classic`: the content a classic client gets instead (then without `files`).
std::string committed_tail(const store::Committed& m, bool sender_copy,
                           const std::string_view* classic = nullptr) {
  if (m.kind == EntryKind::kGroupEvent)
    return protocol::group_event_tail(m.id, m.ts, m.sender_name, m.content);
  if (is_change(m.kind)) return change_tail(m, m.sender_name);
  protocol::MessageView view{
      m.id,          m.ts,
      m.sender_name, sender_copy ? &m.recipient_names : nullptr,
      m.content,     sender_copy ? std::string_view(m.cid) : std::string_view()};
  view.group = m.group;
  view.reply_to = m.ref;
  view.files = m.files;
  if (classic) {
    view.content = *classic;
    view.files = {};
  }
  return protocol::message_tail(view);
}

std::string entry_tail(const store::InboxEntry& e, const std::string_view* classic) {
  if (e.kind == EntryKind::kGroupEvent)
    return protocol::group_event_tail(e.id, e.ts, e.from, e.content);
  if (is_change(e.kind)) return change_tail(e, e.from);
  protocol::MessageView m{e.id,      e.ts,
                          e.from,    e.own ? &e.to : nullptr,
                          e.content, e.own ? std::string_view(e.cid) : std::string_view()};
  m.group = e.group;
  m.reply_to = e.ref;
  m.edited = e.edited;
  m.recalled = e.recalled;
  m.files = e.files;
  if (classic) {
    m.content = *classic;
    m.files = {};
  }
  return protocol::message_tail(m);
}

}  // namespace

// Built by hand: this runs once per delivery (a 1,000-member group: 1,000 times a message), and
// snprintf cost ~1,100 instructions of a delivery's ~7,500.
MessageHead::MessageHead(std::int64_t seq, EntryKind kind) {
  char* p = buf_;
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put("{\"type\":\"");
  put(frame_type(kind));
  put("\",\"seq\":");
  p = std::to_chars(p, buf_ + sizeof buf_ - 1, seq).ptr;
  *p++ = ',';
  len_ = std::size_t(p - buf_);
}

std::string recipient_tail(const store::Committed& m) {
  return committed_tail(m, false);
}

std::string sender_copy_tail(const store::Committed& m) {
  return committed_tail(m, true);
}

std::string inbox_tail(const store::InboxEntry& e) {
  return entry_tail(e, nullptr);
}

std::string recipient_tail(const store::Committed& m, std::string_view content) {
  return committed_tail(m, false, &content);
}

std::string sender_copy_tail(const store::Committed& m, std::string_view content) {
  return committed_tail(m, true, &content);
}

std::string inbox_tail(const store::InboxEntry& e, std::string_view content) {
  return entry_tail(e, &content);
}

std::string ack_frame(const store::Committed& m) {
  if (m.cid.empty()) return {};
  return protocol::ack_frame(m.cid, m.id, m.sender_seq, m.ts, m.recipient_names, m.group);
}

std::string live_frame(const store::Committed& m) {
  std::string_view peer = m.recipient_names.empty() ? std::string_view() : m.recipient_names[0];
  if (m.kind == EntryKind::kRead) return protocol::read_frame(m.sender_name, peer, m.group, m.ref);
  return protocol::typing_frame(m.sender_name, peer, m.group);
}

std::string whole_frame(std::int64_t seq, EntryKind kind, std::string_view tail) {
  MessageHead head(seq, kind);
  std::string frame;
  frame.reserve(head.view().size() + tail.size());
  frame += head.view();
  frame += tail;
  return frame;
}

}  // namespace parley::hub
