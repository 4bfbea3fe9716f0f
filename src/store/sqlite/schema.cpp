// SPDX-License-Identifier: MIT
#include "store/sqlite/schema.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "store/file.hpp"
#include "store/sqlite/inbox_chunk.hpp"
#include "store/sqlite/statement.hpp"

namespace parley::store::sqlite {

std::string meta_value(sqlite3* db, std::string_view key) {
  Statement s(db, "SELECT value FROM meta WHERE key=?1");
  s.bind(1, key);
  return s.step() ? std::string(s.text(0)) : std::string();
}

namespace {

// Version 1 kept one `inbox` row per entry and a unique index on (sender, cid) in `messages`;
// version 2 keeps inbox chunks and a `cids` table, both written behind the log.
void convert_from_1(sqlite3* db) {
  Statement insert(db, kInsertChunkSql);
  Statement rows(db, "SELECT user, seq, msg FROM inbox ORDER BY user, seq");
  UserId user = 0;
  Seq first = 0;
  std::vector<MessageId> ids;
  while (rows.step()) {
    UserId u = rows.int64(0);
    Seq seq = rows.int64(1);
    if (!ids.empty() && (u != user || seq != first + Seq(ids.size()))) {
      insert_chunks(insert, user, first, ids);
      ids.clear();
    }
    if (ids.empty()) {
      user = u;
      first = seq;
    }
    ids.push_back(rows.int64(2));
  }
  if (!ids.empty()) insert_chunks(insert, user, first, ids);
  rows = Statement();
  insert = Statement();
  exec(db,
       "UPDATE meta SET value=(SELECT COALESCE(MAX(id), 0) FROM messages) "
       "WHERE key='indexed_upto'; DROP TABLE inbox; "
       "INSERT INTO cids(sender, cid, msg) SELECT sender, cid, id FROM messages "
       "WHERE cid IS NOT NULL; DROP INDEX IF EXISTS messages_by_cid; "
       "UPDATE meta SET value='2' WHERE key='schema_version'");
}

// Version 3 adds groups, recalls, edits and replies: columns of the log (the new tables are
// created by schema.sql).
void convert_from_2(sqlite3* db) {
  exec(db,
       "ALTER TABLE messages ADD COLUMN grp INTEGER; "
       "ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0; "
       "ALTER TABLE messages ADD COLUMN ref INTEGER; "
       "ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0; "
       "ALTER TABLE messages ADD COLUMN recalled INTEGER NOT NULL DEFAULT 0; "
       "UPDATE meta SET value='3' WHERE key='schema_version'");
}

// Version 4 adds accounts: roles, bans, profiles and deletion (the tables of invites and of
// reserved names are created by schema.sql).
void convert_from_3(sqlite3* db) {
  exec(db,
       "ALTER TABLE users ADD COLUMN role INTEGER NOT NULL DEFAULT 0; "
       "ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0; "
       "ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT ''; "
       "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT ''; "
       "ALTER TABLE users ADD COLUMN deleted_ms INTEGER; "
       "UPDATE meta SET value='4' WHERE key='schema_version'");
}

// Version 5 adds files: a column of the log (the tables are created by schema.sql).
void convert_from_4(sqlite3* db) {
  exec(db,
       "ALTER TABLE messages ADD COLUMN files TEXT; "
       "UPDATE meta SET value='5' WHERE key='schema_version'");
}

bool has_column(sqlite3* db, std::string_view table, std::string_view column) {
  Statement s(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2");
  s.bind(1, table).bind(2, column);
  return s.step();
}

// Version 6 tracks which messages reference a file (file_refs, replacing the readers of
// file_readers) and since when none does (files.unreferenced_ms), for the clean-up: computed
// from the log's un-recalled messages. A file none of them carries is unreferenced since its
// upload. (A database converted from before version 5 has the new column from schema.sql.)
void convert_from_5(sqlite3* db) {
  if (!has_column(db, "files", "unreferenced_ms"))
    exec(db, "ALTER TABLE files ADD COLUMN unreferenced_ms INTEGER");
  {
    Statement insert(db, "INSERT OR IGNORE INTO file_refs(file, msg) VALUES(?1, ?2)");
    Statement rows(db,
                   "SELECT id, files FROM messages WHERE files IS NOT NULL AND recalled=0 AND "
                   "kind=0");
    while (rows.step()) {
      MessageId msg = rows.int64(0);
      for (const auto& id : file_ids(rows.text(1))) {
        insert.bind(1, id).bind(2, msg).run();
      }
    }
  }
  exec(db,
       "UPDATE files SET unreferenced_ms = CASE WHEN EXISTS(SELECT 1 FROM file_refs WHERE "
       "file_refs.file=files.id) THEN NULL ELSE created_ms END; "
       "DROP TABLE IF EXISTS file_readers; "
       "UPDATE meta SET value='6' WHERE key='schema_version'");
}

}  // namespace

void migrate(sqlite3* db) {
  std::string version = meta_value(db, "schema_version");
  if (version.empty()) {
    exec(db, "INSERT INTO meta(key, value) VALUES('schema_version', '6')");
  } else if (version != "6") {
    if (version != "1" && version != "2" && version != "3" && version != "4" && version != "5")
      throw SqlError(SQLITE_ERROR, "database schema version " + version + " is not supported");
    spdlog::info("store: converting the database from schema version {} to 6", version);
    exec(db, "BEGIN IMMEDIATE");
    try {
      if (version == "1") convert_from_1(db);
      if (version == "1" || version == "2") convert_from_2(db);
      if (version == "1" || version == "2" || version == "3") convert_from_3(db);
      if (version != "5") convert_from_4(db);
      convert_from_5(db);
      exec(db, "COMMIT");
    } catch (...) {
      exec(db, "ROLLBACK");
      throw;
    }
  }
  // A group's history is read by this index: one entry per group message, not per member.
  exec(db,
       "CREATE INDEX IF NOT EXISTS messages_by_group ON messages(grp, id) WHERE grp IS NOT NULL");
  // The sweeper's: records past the grace period, and whether any record keeps a content.
  exec(db,
       "CREATE INDEX IF NOT EXISTS files_by_sha ON files(sha256); "
       "CREATE INDEX IF NOT EXISTS files_unreferenced ON files(unreferenced_ms) "
       "WHERE unreferenced_ms IS NOT NULL");
}

}  // namespace parley::store::sqlite
