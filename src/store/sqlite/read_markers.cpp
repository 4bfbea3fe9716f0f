// SPDX-License-Identifier: MIT
#include "store/sqlite/read_markers.hpp"

#include <stdexcept>

namespace parley::store::sqlite {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += char((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += char(v);
}

std::uint64_t get_varint(std::string_view in, std::size_t& pos) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) throw std::runtime_error("store: truncated read_log row");
    auto b = std::uint8_t(in[pos++]);
    v |= std::uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("store: malformed read_log row");
}

std::uint64_t zigzag(std::int64_t v) {
  return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

void put_entry(std::string& out, UserId user, std::int64_t conv, MessageId upto) {
  put_varint(out, std::uint64_t(user));
  put_varint(out, zigzag(conv));
  put_varint(out, std::uint64_t(upto));
}

}  // namespace

std::int64_t ReadMarkers::conv_of_key(std::string_view key) {
  if (key.size() < 2 || (key[0] != 'u' && key[0] != 'g')) return 0;
  std::int64_t id = 0;
  for (char c : key.substr(1)) {
    if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) return 0;
    id = id * 10 + (c - '0');
  }
  return key[0] == 'u' ? id : -id;
}

void ReadMarkers::load(sqlite3* db) {
  markers_.clear();
  changed_.clear();
  changes_since_snapshot_ = 0;
  legacy_rows_ = false;
  Statement legacy(db, "SELECT user, conv, upto FROM read_markers");
  while (legacy.step()) {
    legacy_rows_ = true;
    if (std::int64_t conv = conv_of_key(legacy.text(1)))
      markers_.at(legacy.int64(0), conv) = legacy.int64(2);
  }
  Statement log(db, "SELECT snapshot, body FROM read_log ORDER BY id");
  while (log.step()) {
    if (log.int64(0)) {
      markers_.clear();
      changes_since_snapshot_ = 0;
    }
    apply(log.blob(1));
  }
}

void ReadMarkers::apply(std::string_view body) {
  for (std::size_t pos = 0; pos < body.size();) {
    auto user = UserId(get_varint(body, pos));
    std::int64_t conv = unzigzag(get_varint(body, pos));
    auto upto = MessageId(get_varint(body, pos));
    auto& m = markers_.at(user, conv);
    if (upto > m) m = upto;
    ++changes_since_snapshot_;
  }
}

MessageId ReadMarkers::get(UserId user, std::int64_t conv) const {
  return markers_.get(user, conv);
}

bool ReadMarkers::raise(UserId user, std::int64_t conv, MessageId upto) {
  auto& m = markers_.at(user, conv);
  if (upto <= m) return false;
  m = upto;
  changed_.emplace_back(Key{user, conv}, upto);
  return true;
}

void ReadMarkers::flush(sqlite3* db) {
  if (changed_.empty()) return;
  changes_since_snapshot_ += changed_.size();
  // A snapshot costs as much as the markers; once the log since the last one is as long, the
  // next restart replays less and the log stops growing.
  if (changes_since_snapshot_ >= std::max<std::size_t>(markers_.size(), 4096)) {
    changed_.clear();
    return write_snapshot(db);
  }
  std::string body;
  body.reserve(changed_.size() * 8);
  for (const auto& [k, upto] : changed_) put_entry(body, k.user, k.conv, upto);
  changed_.clear();
  Statement insert(db, "INSERT INTO read_log(snapshot, body) VALUES(0, ?1)");
  insert.bind_blob(1, body).run();
}

void ReadMarkers::write_snapshot(sqlite3* db) {
  std::string body;
  body.reserve(markers_.size() * 8);
  markers_.for_each(
      [&](UserId user, std::int64_t conv, MessageId upto) { put_entry(body, user, conv, upto); });
  exec(db, "DELETE FROM read_log");
  if (legacy_rows_) exec(db, "DELETE FROM read_markers");
  legacy_rows_ = false;
  Statement insert(db, "INSERT INTO read_log(snapshot, body) VALUES(1, ?1)");
  insert.bind_blob(1, body).run();
  changes_since_snapshot_ = 0;
}

}  // namespace parley::store::sqlite
