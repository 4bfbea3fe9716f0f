// SPDX-License-Identifier: MIT
#include "app/maintenance_cli.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "store/sqlite/maintenance.hpp"

namespace parley::app {
namespace fs = std::filesystem;
using store::sqlite::MaintenanceResult;

namespace {

constexpr const char* kDatabase = "parley.db";
constexpr const char* kSecret = "secret";  // the token key: tokens stay valid after a restore

int report(const MaintenanceResult& r) {
  (r.ok ? std::cout : std::cerr) << (r.ok ? "" : "error: ") << r.message << "\n";
  return r.ok ? 0 : 1;
}

// A folder holding parley.db, or the database file itself.
std::string database_in(const std::string& path) {
  return fs::is_directory(path) ? (fs::path(path) / kDatabase).string() : path;
}

MaintenanceResult copy_secret(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::exists(from / kSecret)) return {true, ""};
  fs::copy_file(from / kSecret, to / kSecret, fs::copy_options::overwrite_existing, ec);
  if (ec) return {false, "cannot copy the token secret: " + ec.message()};
  fs::permissions(to / kSecret, fs::perms::owner_read | fs::perms::owner_write, ec);
  return {true, ""};
}

int backup(const std::string& data, const std::string& dest) {
  std::error_code ec;
  if (fs::exists(dest)) return report({false, dest + " exists; choose a new folder"});
  fs::create_directories(dest, ec);
  if (ec) return report({false, "cannot create " + dest + ": " + ec.message()});
  fs::permissions(dest, fs::perms::owner_all, ec);
  auto r = store::sqlite::backup_database((fs::path(data) / kDatabase).string(),
                                          (fs::path(dest) / kDatabase).string());
  if (r.ok) {
    auto s = copy_secret(data, dest);
    if (!s.ok) r = s;
  }
  if (!r.ok) fs::remove_all(dest, ec);
  return report(r);
}

int restore(const std::string& src, const std::string& data) {
  std::error_code ec;
  fs::create_directories(data, ec);
  auto r = store::sqlite::restore_database(database_in(src), (fs::path(data) / kDatabase).string());
  if (r.ok && fs::is_directory(src)) {
    auto s = copy_secret(src, data);
    if (!s.ok) r = s;
  }
  return report(r);
}

}  // namespace

std::optional<int> run_maintenance(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  std::string_view command = argv[1];
  if (command != "backup" && command != "restore" && command != "check") return std::nullopt;
  CLI::App app{"parley " + std::string(command)};
  std::string data = "./data", path;
  app.add_option("--data,-d", data, "the server's data folder (default ./data)");
  if (command == "check") {
    app.add_option("path", path, "a database file or backup folder (default: the data folder's)");
  } else {
    app.add_option(
           "path", path,
           command == "backup" ? "new folder for the backup" : "a backup folder (or database file)")
        ->required();
  }
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (command == "backup") return backup(data, path);
  if (command == "restore") return restore(path, data);
  return report(store::sqlite::check_database(database_in(path.empty() ? data : path)));
}

}  // namespace parley::app
