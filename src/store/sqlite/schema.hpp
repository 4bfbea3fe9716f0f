// SPDX-License-Identifier: MIT
// The embedded store's schema version, and the conversion of older databases (schema.sql
// creates the current tables; this brings older data into them).
#pragma once
#include <sqlite3.h>

#include <string>
#include <string_view>

namespace parley::store::sqlite {

// A value of the meta table, or "" when the key is not there.
std::string meta_value(sqlite3* db, std::string_view key);

// Marks a new database as the current version, converts an older one in place (one
// transaction), and refuses one from a newer parley (throws SqlError).
void migrate(sqlite3* db);

}  // namespace parley::store::sqlite
