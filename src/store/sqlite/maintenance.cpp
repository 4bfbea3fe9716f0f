// SPDX-License-Identifier: MIT
#include "store/sqlite/maintenance.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "store/sqlite/schema.hpp"
#include "store/sqlite/statement.hpp"

namespace parley::store::sqlite {
namespace fs = std::filesystem;

namespace {

// A connection for the length of one operation.
class Connection {
 public:
  Connection(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw std::runtime_error("cannot open " + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, 10000);  // the server's group commits are short
  }
  ~Connection() { sqlite3_close_v2(db_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

MaintenanceResult backup_database(const std::string& db_path, const std::string& dest_path) {
  if (!fs::exists(db_path)) return {false, "no database at " + db_path};
  if (fs::exists(dest_path)) return {false, dest_path + " exists; choose a new destination"};
  try {
    Connection c(db_path, SQLITE_OPEN_READONLY);
    exec(c.get(), "VACUUM INTO " + quoted(dest_path));
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(dest_path, ec);
    return {false, std::string("backup failed: ") + e.what()};
  }
  std::error_code ec;
  fs::permissions(dest_path, fs::perms::owner_read | fs::perms::owner_write, ec);  // hashes inside
  auto checked = check_database(dest_path);
  if (!checked.ok) return {false, "the copy does not check out: " + checked.message};
  return {true, "backed up to " + dest_path + " (" + std::to_string(fs::file_size(dest_path)) +
                    " bytes; " + checked.message + ")"};
}

MaintenanceResult check_database(const std::string& db_path) {
  if (!fs::is_regular_file(db_path)) return {false, "no database file at " + db_path};
  try {
    Connection c(db_path, SQLITE_OPEN_READONLY);
    Statement integrity(c.get(), "PRAGMA integrity_check");
    std::string first;
    int problems = 0;
    while (integrity.step()) {
      std::string line(integrity.text(0));
      if (line == "ok") continue;
      if (problems++ == 0) first = line;
    }
    if (problems)
      return {false, std::to_string(problems) + " integrity problem(s), first: " + first};
    std::string version = meta_value(c.get(), "schema_version");
    if (version.empty()) return {false, "not a parley database (no schema_version)"};
    Statement counts(c.get(),
                     "SELECT (SELECT COUNT(*) FROM users), (SELECT COALESCE(MAX(id), 0) FROM "
                     "messages)");
    counts.step();
    return {true, "schema " + version + ", " + std::to_string(counts.int64(0)) + " users, " +
                      "messages up to id " + std::to_string(counts.int64(1))};
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
}

MaintenanceResult restore_database(const std::string& src_path, const std::string& db_path) {
  auto checked = check_database(src_path);
  if (!checked.ok) return {false, "refusing to restore " + src_path + ": " + checked.message};
  if (fs::exists(db_path))
    return {false, db_path + " exists: stop the server and move it away before restoring"};
  std::error_code ec;
  fs::create_directories(fs::path(db_path).parent_path(), ec);
  std::string tmp = db_path + ".restoring";
  fs::remove(tmp, ec);
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db_path + suffix, ec);
  if (!fs::copy_file(src_path, tmp, ec) || ec) return {false, "copy failed: " + ec.message()};
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(tmp, db_path, ec);
  if (ec) return {false, "rename failed: " + ec.message()};
  return {true, "restored " + db_path + " (" + checked.message + ")"};
}

MaintenanceResult set_role(const std::string& db_path, const std::string& name, bool admin) {
  if (!fs::is_regular_file(db_path)) return {false, "no database file at " + db_path};
  try {
    Connection c(db_path, SQLITE_OPEN_READWRITE);
    std::string version = meta_value(c.get(), "schema_version");
    if (version.empty()) return {false, "not a parley database (no schema_version)"};
    if (std::stoi(version) < 4)
      return {false, "start the server once to upgrade the database first"};
    Statement update(c.get(), "UPDATE users SET role=?2 WHERE name=?1 AND deleted_ms IS NULL");
    update.bind(1, name).bind(2, std::int64_t(admin ? 1 : 0)).run();
    if (sqlite3_changes(c.get()) == 0) return {false, "no such user: " + name};
    return {true, name + (admin ? " is an administrator now" : " is no longer an administrator")};
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
}

}  // namespace parley::store::sqlite
