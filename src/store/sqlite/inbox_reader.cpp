// SPDX-License-Identifier: MIT
#include "store/sqlite/inbox_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/sqlite/inbox_chunk.hpp"

namespace parley::store::sqlite {

InboxReads::InboxReads(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw SqlError(rc, "cannot open " + path + " for reading: " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA cache_size=-16384");
    // The chunk holding seq ?2 on, below ?3 (the view's tail_first).
    chunks_from_ =
        Statement(db_,
                  "SELECT first_seq, msgs FROM inbox_chunks WHERE user=?1 AND "
                  "first_seq>=(SELECT COALESCE(MAX(first_seq), 0) FROM inbox_chunks "
                  "WHERE user=?1 AND first_seq<=?2) AND first_seq<?3 ORDER BY first_seq");
    chunks_back_ = Statement(db_,
                             "SELECT first_seq, msgs FROM inbox_chunks WHERE user=?1 AND "
                             "first_seq<?2 ORDER BY first_seq DESC");
    read_row_ = Statement(db_, kReadLogRowSql);
    user_name_ = Statement(db_, "SELECT name FROM users WHERE id=?1");
  } catch (...) {
    chunks_from_ = Statement();
    chunks_back_ = Statement();
    read_row_ = Statement();
    user_name_ = Statement();
    sqlite3_close_v2(db_);
    throw;
  }
}

InboxReads::~InboxReads() {
  chunks_from_ = Statement();
  chunks_back_ = Statement();
  read_row_ = Statement();
  user_name_ = Statement();
  sqlite3_close_v2(db_);
}

const std::string& InboxReads::name(UserId id) {
  auto [it, fresh] = names_.try_emplace(id);
  if (fresh) {
    user_name_.bind(1, id);
    if (user_name_.step()) it->second.assign(user_name_.text(0));
    user_name_.reset();
  }
  return it->second;
}

StoredMessage InboxReads::stored_message(LogRow& row) {
  StoredMessage m;
  m.id = row.id;
  m.ts = row.ts;
  m.from = name(row.sender);
  if (!row.group) for_each_id(row.recipients, [&](UserId id) { m.to.push_back(name(id)); });
  m.content = std::move(row.content);
  m.group = row.group;
  m.kind = row.kind;
  m.ref = row.ref;
  m.edited = row.edited;
  m.recalled = row.recalled;
  m.files = std::move(row.files);
  return m;
}

void InboxReads::scan_forward(const InboxView& v, Seq after, const Visit& visit) {
  std::vector<MessageId> ids;
  bool more = true;
  chunks_from_.bind(1, v.user).bind(2, after + 1).bind(3, v.tail_first);
  try {
    while (more && chunks_from_.step()) {
      Seq first = chunks_from_.int64(0);
      ids.clear();
      decode_chunk(chunks_from_.blob(1), ids);
      for (std::size_t i = 0; more && i < ids.size(); ++i) {
        Seq seq = first + Seq(i);
        if (seq >= v.tail_first) break;
        if (seq > after) more = visit(seq, ids[i]);
      }
    }
  } catch (...) {
    chunks_from_.reset();
    throw;
  }
  chunks_from_.reset();
  for (std::size_t i = 0; more && i < v.tail_ids.size(); ++i) {
    Seq seq = v.tail_first + Seq(i);
    if (seq > after) more = visit(seq, v.tail_ids[i]);
  }
}

void InboxReads::scan_backward(const InboxView& v, const Visit& visit) {
  for (std::size_t i = v.tail_ids.size(); i-- > 0;)
    if (!visit(v.tail_first + Seq(i), v.tail_ids[i])) return;
  std::vector<MessageId> ids;
  bool more = true;
  chunks_back_.bind(1, v.user).bind(2, v.tail_first);
  try {
    while (more && chunks_back_.step()) {
      Seq first = chunks_back_.int64(0);
      ids.clear();
      decode_chunk(chunks_back_.blob(1), ids);
      for (std::size_t i = ids.size(); more && i-- > 0;)
        if (first + Seq(i) < v.tail_first) more = visit(first + Seq(i), ids[i]);
    }
  } catch (...) {
    chunks_back_.reset();
    throw;
  }
  chunks_back_.reset();
}

HistoryPage InboxReads::history(const InboxView& v, UserId peer, MessageId before,
                                std::size_t limit) {
  names_.clear();
  HistoryPage page;
  std::size_t rows = 0;
  LogRow row;
  // Ids rise with seqs, so the entries at or past `before` are skipped without reading a row.
  scan_backward(v, [&](Seq, MessageId id) {
    if (before > 0 && id >= before) return true;
    if (rows == kScanRows) {  // everything below `id` is still to read
      page.more = true;
      page.next_before = id + 1;
      return false;
    }
    ++rows;
    if (!read_log_row(read_row_, id, row)) return true;
    bool with_peer =
        !row.group && row.kind == EntryKind::kMessage &&
        (row.sender == peer || (row.sender == v.user && lists_user(row.recipients, peer)));
    if (!with_peer) return true;
    if (page.messages.size() == limit) {
      page.more = true;
      page.next_before = page.messages.back().id;
      return false;
    }
    page.messages.push_back(stored_message(row));
    return true;
  });
  std::reverse(page.messages.begin(), page.messages.end());
  return page;
}

InboxPage InboxReads::read_inbox(const InboxView& v, Seq after, bool incoming_only,
                                 std::size_t limit) {
  names_.clear();
  InboxPage page;
  page.head = v.head;
  Seq from = after >= 0 ? after : v.cursor;
  page.scanned = from;
  std::size_t rows = 0;
  LogRow row;
  scan_forward(v, from, [&](Seq seq, MessageId id) {
    if (rows == kScanRows) {
      page.more = true;
      return false;
    }
    ++rows;
    if (!read_log_row(read_row_, id, row)) return true;  // cannot happen: the log is never trimmed
    bool own = row.sender == v.user;
    if (incoming_only && own) {
      page.scanned = seq;  // skipped for good: the next page starts after it
      return true;
    }
    if (page.entries.size() == limit) {
      page.more = true;
      return false;
    }
    InboxEntry e;
    e.seq = seq;
    e.id = id;
    e.ts = row.ts;
    e.from = name(row.sender);
    e.own = own;
    if (!row.group) for_each_id(row.recipients, [&](UserId r) { e.to.push_back(name(r)); });
    e.content = std::move(row.content);
    e.group = row.group;
    e.kind = row.kind;
    e.ref = row.ref;
    e.edited = row.edited;
    e.recalled = row.recalled;
    e.files = std::move(row.files);
    if (own) e.cid = std::move(row.cid);
    page.scanned = seq;
    page.entries.push_back(std::move(e));
    return true;
  });
  return page;
}

InboxReader::InboxReader(const std::string& path, unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    reads_.push_back(std::make_unique<InboxReads>(path));
  for (auto& r : reads_) {
    threads_.emplace_back([this, reads = r.get()] {
      std::vector<Job> jobs;
      while (queue_.pop_batch(jobs, 1, std::chrono::hours(1)))
        for (auto& job : jobs) job(*reads);
    });
  }
}

InboxReader::~InboxReader() {
  queue_.stop();
  for (auto& t : threads_) t.join();
}

}  // namespace parley::store::sqlite
