// SPDX-License-Identifier: MIT
// Builders for every frame the server sends. They append JSON text to a buffer; message frames
// are split into a per-recipient head (`seq`) and a tail shared by all recipients, so a message
// is serialised once however many connections receive it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::protocol {

struct MessageView {
  std::int64_t id = 0;
  std::int64_t ts = 0;
  std::string_view from;
  const std::vector<std::string>* to = nullptr;  // null: "to":[] (as delivered to recipients)
  std::string_view content;
  std::string_view cid;    // only in copies for the sender's devices
  std::int64_t group = 0;  // a group message: `"group":"ID"`
  std::int64_t reply_to = 0;
  bool edited = false;
  bool recalled = false;  // HTTP objects: `"recalled":true` and no content
  std::string_view files;  // a JSON array of FILE objects, written as it is ("" = none)
};

// `"id":..,"ts":..,"from":..,"content":..,"to":[..]}` — the shared tail of a message frame.
std::string message_tail(const MessageView& m);
// `{"type":"normal","seq":N,` — the per-recipient head; head + tail is the whole frame.
void append_message_head(std::string& out, std::int64_t seq);

// A group membership event: `{"type":"group","seq":N,` + `"id":..,"ts":..,"by":..,` + the members
// of the stored body (`{"event":..,"names":[..],"group":{..}}`, see store/group_codec.hpp).
void append_event_head(std::string& out, std::int64_t seq);
std::string group_event_tail(std::int64_t id, std::int64_t ts, std::string_view by,
                             std::string_view body);
// A recall or edit of message `target`: head `{"type":"recall"|"edit","seq":N,` and the tail
// `"id":TARGET,"eid":ID,"ts":..,"from":..(,"content":..)(,"group":..)}`.
void append_change_head(std::string& out, bool recall, std::int64_t seq);
std::string change_tail(std::int64_t target, std::int64_t eid, std::int64_t ts,
                        std::string_view from, const std::string* content, std::int64_t group);
// Live-only frames: `{"type":"read","from":R,"with":P|"group":ID,"upto":N}` and
// `{"type":"typing","from":N,"to":[P]|"group":ID}`. `peer` is ignored when `group` is set.
std::string read_frame(std::string_view reader, std::string_view peer, std::int64_t group,
                       std::int64_t upto);
std::string typing_frame(std::string_view from, std::string_view peer, std::int64_t group);

// `"group":"ID"` as the wire spells group ids (strings of digits).
void append_group_id(std::string& out, std::int64_t group);

// How long a sender may recall / edit a message, told to clients in `ok` (0 = not at all).
struct Windows {
  int recall_s = 120;
  int edit_s = 900;
};
std::string ok_frame(std::string_view name, std::int64_t head_seq, const Windows& windows = {});
std::string no_frame(std::string_view text);
std::string error_frame(std::string_view code, std::string_view text, std::string_view cid = {});
std::string ack_frame(std::string_view cid, std::int64_t id, std::int64_t seq, std::int64_t ts,
                      const std::vector<std::string>& to, std::int64_t group = 0);
std::string loginlist_frame(const std::vector<std::string>& names);
std::string pong_frame();
// A system notice from the administrators:
// `{"type":"notice","content":..,"from":"system","ts":..}`, and for classic clients a `normal`
// frame from "系统通知" that the original page shows.
std::string notice_frame(std::string_view content, std::int64_t ts);
std::string classic_notice_frame(std::string_view content);

// `{"id":..,"from":..,"to":[..],"content":..,"ts":..}` as used in HTTP answers (+ "group").
void append_message_object(std::string& out, const MessageView& m);

}  // namespace parley::protocol
