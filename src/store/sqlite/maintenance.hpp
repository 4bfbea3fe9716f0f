// SPDX-License-Identifier: MIT
// Backup, restore and checks of the embedded store's database file, for `parley backup`,
// `parley restore` and `parley check`. A backup is taken while the server runs: SQLite's WAL lets
// a reader see one consistent snapshot while the writer goes on, and `VACUUM INTO` writes that
// snapshot as a new, compact file. Everything committed (acknowledged) before the backup began
// is in it. Any thread; each call opens its own connection.
#pragma once
#include <string>

namespace parley::store::sqlite {

struct MaintenanceResult {
  bool ok = false;
  std::string message;  // what was done, or why not
};

// Copies the database at `db_path` into the new file `dest_path` (which must not exist).
MaintenanceResult backup_database(const std::string& db_path, const std::string& dest_path);
// Verifies a database: SQLite's integrity check, and that it is a parley store of a schema this
// build reads.
MaintenanceResult check_database(const std::string& db_path);
// Puts the checked database `src_path` in place of `db_path` (which must not exist: stop the
// server and move the old one away first), through a temporary file and a rename.
MaintenanceResult restore_database(const std::string& src_path, const std::string& db_path);
// Makes the user `name` an admin (or a user again), in place, next to a running server (which
// reads roles from the database on every admin request) or a stopped one.
MaintenanceResult set_role(const std::string& db_path, const std::string& name, bool admin);

}  // namespace parley::store::sqlite
