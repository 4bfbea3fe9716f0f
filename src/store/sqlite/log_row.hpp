// SPDX-License-Identifier: MIT
// One row of the message log (table `messages`) as the store reads it, shared by the writer
// thread and the readers (inbox_reader.hpp), each with its own statement.
#pragma once
#include <charconv>
#include <string>
#include <string_view>

#include "store/sqlite/statement.hpp"
#include "store/types.hpp"

namespace parley::store::sqlite {

struct LogRow {
  MessageId id = 0;
  std::int64_t ts = 0;
  UserId sender = 0;
  std::string recipients;  // ids, comma-separated
  std::string content;
  std::string cid;
  Seq sender_seq = 0;
  GroupId group = 0;
  EntryKind kind = EntryKind::kMessage;
  MessageId ref = 0;
  bool edited = false;
  bool recalled = false;
  std::string files;  // the FILE objects it carries (JSON), or empty
};

// Bound to (id) by read_log_row.
inline constexpr std::string_view kReadLogRowSql =
    "SELECT ts, sender, recipients, content, cid, sender_seq, grp, kind, ref, edited, recalled, files "
    "FROM messages WHERE id=?1";

// Reads message `id` with `select` (kReadLogRowSql) into `row`; false when there is none.
inline bool read_log_row(Statement& select, MessageId id, LogRow& row) {
  select.bind(1, id);
  bool found = false;
  try {
    found = select.step();
    if (found) {
      row.id = id;
      row.ts = select.int64(0);
      row.sender = select.int64(1);
      row.recipients.assign(select.text(2));
      row.content.assign(select.text(3));
      row.cid.assign(select.text(4));  // NULL reads as empty
      row.sender_seq = select.int64(5);
      row.group = select.int64(6);  // NULL reads as 0
      row.kind = EntryKind(select.int64(7));
      row.ref = select.int64(8);
      row.edited = select.int64(9) != 0;
      row.recalled = select.int64(10) != 0;
      row.files.assign(select.text(11));  // NULL reads as empty
    }
  } catch (...) {
    select.reset();
    throw;
  }
  select.reset();
  return found;
}

// Calls f(id) for each id of a comma-separated list (the messages.recipients column).
template <typename F>
void for_each_id(std::string_view ids, F&& f) {
  while (!ids.empty()) {
    auto comma = ids.find(',');
    auto part = ids.substr(0, comma);
    UserId id = 0;
    std::from_chars(part.data(), part.data() + part.size(), id);
    f(id);
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
}

inline bool lists_user(std::string_view ids, UserId id) {
  bool found = false;
  for_each_id(ids, [&](UserId v) { found = found || v == id; });
  return found;
}

}  // namespace parley::store::sqlite
