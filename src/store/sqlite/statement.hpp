// SPDX-License-Identifier: MIT
// A thin RAII wrapper over a prepared sqlite3 statement. Errors throw SqlError, which the store's
// batch loop turns into a rollback of the whole group commit.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::store::sqlite {

class SqlError : public std::runtime_error {
 public:
  SqlError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, std::string_view v);
  // Without a copy: `v` must stay valid until the statement is reset (run() does that).
  Statement& bind_static(int i, std::string_view v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view v);
  // Steps once: true when a row is ready, false when done. Throws on error.
  bool step();
  // Steps to completion and resets.
  void run();
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL text (one or more statements) without results.
void exec(sqlite3* db, std::string_view sql);

}  // namespace parley::store::sqlite
