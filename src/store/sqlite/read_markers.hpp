// SPDX-License-Identifier: MIT
// Read markers of the embedded store, kept in memory and made durable as a log: every batch that
// raises markers appends one `read_log` row holding just those changes (varints), and once the
// changes since the last snapshot outnumber the markers, one snapshot row of all markers replaces
// the rows before it. A read therefore costs the group commit a few bytes instead of a B-tree
// upsert (issue 11's target: reads must not slow messaging), and a restart replays snapshot +
// changes. Conversations are `peer user id` (> 0) or `-group id` (< 0).
// Threading: the store's writer thread only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/marker_table.hpp"
#include "store/sqlite/statement.hpp"
#include "store/types.hpp"

struct sqlite3;

namespace parley::store::sqlite {

class ReadMarkers {
 public:
  // Loads the markers: the rows of the older `read_markers` table, then the log in order.
  // Throws std::runtime_error on a malformed row (a corrupt database).
  void load(sqlite3* db);

  MessageId get(UserId user, std::int64_t conv) const;
  // Raises the marker to `upto`; false (and nothing changes) when it is already there or higher.
  bool raise(UserId user, std::int64_t conv, MessageId upto);

  // Inside the batch's transaction: writes what this batch raised (and a snapshot when due).
  void flush(sqlite3* db);

  static std::int64_t user_conv(UserId peer) { return peer; }
  static std::int64_t group_conv(GroupId group) { return -group; }
  // A conversation key as the store's scans spell it, 'u<peer id>' or 'g<group id>' (0: neither).
  static std::int64_t conv_of_key(std::string_view key);

 private:
  struct Key {
    UserId user;
    std::int64_t conv;
  };

  void write_snapshot(sqlite3* db);
  void apply(std::string_view body);

  MarkerTable markers_;
  std::vector<std::pair<Key, MessageId>> changed_;  // since the last flush
  std::size_t changes_since_snapshot_ = 0;
  bool legacy_rows_ = false;  // `read_markers` still holds rows (a store from before the log)
};

}  // namespace parley::store::sqlite
