// SPDX-License-Identifier: MIT
// SqliteStore's files (store.hpp "files"): records of uploads, usage, who may read one, and the
// files a send carries. Writer thread, inside the batch like everything else.
#include "store/sqlite/sqlite_store.hpp"

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
    if (same.step()) return file_of(same);  // uploaded before: counted once
    Statement(db_,
              "INSERT INTO files(id, owner, sha256, name, type, size, width, height, thumb, "
              "created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
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
  enqueue_query<FileRecord>(
      std::move(done), [this, user, id = std::move(id)]() -> Result<FileRecord> {
        Statement s(db_, std::string(kFileColumns) + "WHERE id=?1");
        s.bind(1, id);
        if (!s.step()) return StoreError::kNotFound;
        FileRecord f = file_of(s);
        if (f.owner == user) return f;
        Statement readers(db_, "SELECT reader FROM file_readers WHERE file=?1");
        readers.bind(1, id);
        std::string me = "u" + std::to_string(user);
        while (readers.step()) {
          std::string_view r = readers.text(0);
          if (r == me) return f;
          if (r.size() > 1 && r[0] == 'g') {
            auto g = groups_.find(std::strtoll(std::string(r.substr(1)).c_str(), nullptr, 10));
            if (g != groups_.end() && g->second.find(user)) return f;
          }
        }
        return StoreError::kNotFound;
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

void SqliteStore::grant_readers(const std::vector<std::string>& files, const Committed& c) {
  Statement grant(db_, "INSERT OR IGNORE INTO file_readers(file, reader) VALUES(?1, ?2)");
  for (const auto& f : files) {
    if (c.group) {
      grant.bind(1, f).bind(2, "g" + std::to_string(c.group)).run();
      continue;
    }
    for (const auto& r : c.recipients) grant.bind(1, f).bind(2, "u" + std::to_string(r.id)).run();
  }
}

}  // namespace parley::store::sqlite
