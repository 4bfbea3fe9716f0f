// SPDX-License-Identifier: MIT
// SqliteStore's files (store.hpp "files"): records of uploads, usage, who may read one, the files
// a send carries, and their clean-up. Writer thread, inside the batch like everything else: a
// send's references commit with its message, and a sweep's check and delete are one step of
// the one writer, so nothing can reference a record between the two.
#include <algorithm>

#include "store/sqlite/sqlite_store.hpp"
#include "util/clock.hpp"

namespace parley::store::sqlite {
namespace {

constexpr const char* kFileColumns =
    "SELECT id, owner, sha256, name, type, size, width, height, thumb, created_ms FROM files ";

FileRecord file_of(const Statement& s) {
  return FileRecord{
      std::string(s.text(0)), s.int64(1), std::string(s.text(2)), std::string(s.text(3)),
      std::string(s.text(4)), s.int64(5), int(s.int64(6)),        int(s.int64(7)),
      s.int64(8) != 0,        s.int64(9)};
}

}  // namespace

void SqliteStore::create_file(FileRecord f, Callback<FileRecord> done) {
  enqueue_query<FileRecord>(std::move(done), [this, f = std::move(f)]() -> Result<FileRecord> {
    Statement same(db_, std::string(kFileColumns) + "WHERE owner=?1 AND sha256=?2 LIMIT 1");
    same.bind(1, f.owner).bind(2, f.sha256);
    if (same.step()) {  // uploaded before: counted once; an unsent one's grace period restarts
      FileRecord kept = file_of(same);
      Statement(db_,
                "UPDATE files SET unreferenced_ms=?2 WHERE id=?1 AND unreferenced_ms IS NOT NULL")
          .bind(1, kept.id)
          .bind(2, util::now_ms())
          .run();
      return kept;
    }
    Statement(db_,
              "INSERT INTO files(id, owner, sha256, name, type, size, width, height, thumb, "
              "created_ms, unreferenced_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)")
        .bind(1, f.id)
        .bind(2, f.owner)
        .bind(3, f.sha256)
        .bind(4, f.name)
        .bind(5, f.type)
        .bind(6, f.size)
        .bind(7, std::int64_t(f.width))
        .bind(8, std::int64_t(f.height))
        .bind(9, std::int64_t(f.thumb))
        .bind(10, f.created_ms)
        .run();
    return f;
  });
}

void SqliteStore::file_usage(UserId user, Callback<std::int64_t> done) {
  enqueue_query<std::int64_t>(std::move(done), [this, user]() -> Result<std::int64_t> {
    Statement s(db_, "SELECT COALESCE(SUM(size), 0) FROM files WHERE owner=?1");
    s.bind(1, user);
    s.step();
    return s.int64(0);
  });
}

void SqliteStore::readable_file(UserId user, std::string id, Callback<FileRecord> done) {
  enqueue_query<FileRecord>(std::move(done),
                            [this, user, id = std::move(id)]() -> Result<FileRecord> {
                              Statement s(db_, std::string(kFileColumns) + "WHERE id=?1");
                              s.bind(1, id);
                              if (!s.step()) return StoreError::kNotFound;
                              FileRecord f = file_of(s);
                              if (f.owner == user) return f;
                              // The recipients of the un-recalled messages carrying it (a recall
                              // deleted its rows).
                              Statement refs(db_, "SELECT msg FROM file_refs WHERE file=?1");
                              refs.bind(1, id);
                              LogRow row;
                              while (refs.step()) {
                                if (!read_row(refs.int64(0), row)) continue;
                                if (row.group) {
                                  auto g = groups_.find(row.group);
                                  if (g != groups_.end() && g->second.find(user)) return f;
                                } else if (lists_user(row.recipients, user)) {
                                  return f;
                                }
                              }
                              return StoreError::kNotFound;
                            });
}

void SqliteStore::sweep_files(std::int64_t before_ms, std::size_t limit,
                              Callback<SweptFiles> done) {
  enqueue_query<SweptFiles>(std::move(done), [this, before_ms, limit]() -> Result<SweptFiles> {
    SweptFiles out;
    std::vector<std::string> shas;
    {
      Statement due(db_,
                    "SELECT id, owner, sha256 FROM files WHERE unreferenced_ms IS NOT NULL AND "
                    "unreferenced_ms < ?1 ORDER BY unreferenced_ms LIMIT ?2");
      due.bind(1, before_ms).bind(2, std::int64_t(limit));
      while (due.step()) {
        out.ids.emplace_back(due.text(0));
        out.owners.push_back(due.int64(1));
        shas.emplace_back(due.text(2));
      }
    }
    Statement remove(db_, "DELETE FROM files WHERE id=?1");
    for (const auto& id : out.ids) remove.bind(1, id).run();
    std::sort(shas.begin(), shas.end());
    shas.erase(std::unique(shas.begin(), shas.end()), shas.end());
    Statement kept(db_, "SELECT 1 FROM files WHERE sha256=?1 LIMIT 1");
    for (auto& sha : shas) {
      kept.bind(1, sha);
      bool used = kept.step();
      kept.reset();
      if (!used) out.unused.push_back(std::move(sha));
    }
    return out;
  });
}

void SqliteStore::content_in_use(std::string sha256, Callback<bool> done) {
  enqueue_query<bool>(std::move(done), [this, sha = std::move(sha256)]() -> Result<bool> {
    Statement s(db_, "SELECT 1 FROM files WHERE sha256=?1 LIMIT 1");
    s.bind(1, sha);
    return s.step();
  });
}

bool SqliteStore::attach_files(const SendRequest& req, Committed& c) {
  Statement s(db_, std::string(kFileColumns) + "WHERE id=?1 AND owner=?2");
  std::string json = "[";
  for (const auto& id : req.files) {
    s.bind(1, id).bind(2, req.sender);
    if (!s.step()) return false;
    if (json.size() > 1) json += ',';
    json += file_json(file_of(s));
    s.reset();
  }
  c.files = json + "]";
  return true;
}

void SqliteStore::mark_referenced(const std::vector<std::string>& files, MessageId msg) {
  Statement ref(db_, "INSERT OR IGNORE INTO file_refs(file, msg) VALUES(?1, ?2)");
  Statement kept(db_, "UPDATE files SET unreferenced_ms=NULL WHERE id=?1");
  for (const auto& f : files) {
    ref.bind(1, f).bind(2, msg).run();
    kept.bind(1, f).run();
  }
}

void SqliteStore::drop_references(MessageId msg, std::string_view files_json) {
  Statement(db_, "DELETE FROM file_refs WHERE msg=?1").bind(1, msg).run();
  Statement orphan(db_,
                   "UPDATE files SET unreferenced_ms=?2 WHERE id=?1 AND unreferenced_ms IS NULL "
                   "AND NOT EXISTS(SELECT 1 FROM file_refs WHERE file=?1)");
  for (const auto& id : file_ids(files_json)) orphan.bind(1, id).bind(2, util::now_ms()).run();
}

}  // namespace parley::store::sqlite
