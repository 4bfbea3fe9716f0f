// SPDX-License-Identifier: MIT
#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <tuple>
#include <unordered_set>

#include "protocol/codes.hpp"
#include "store/group_codec.hpp"
#include "store/group_rules.hpp"
#include "store/sqlite/inbox_chunk.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/schema_sql.hpp"
#include "util/clock.hpp"
#include "util/name_form.hpp"

namespace parley::store::sqlite {
namespace frame_error = protocol::frame_error;

SqliteStore::SqliteStore(SqliteOptions options) : options_(std::move(options)) {
  int rc =
      sqlite3_open_v2(options_.path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw SqlError(rc, "cannot open " + options_.path + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA journal_mode=WAL");
    exec(db_, options_.sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec(db_, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY");
    // Checkpoint every ~64 MiB of WAL instead of 4 MiB: a hot page rewritten by many group
    // commits (the log's last page, a users row) is copied into the database once per
    // checkpoint, not once per commit.
    exec(db_, "PRAGMA wal_autocheckpoint=16384; PRAGMA journal_size_limit=67108864");
    exec(db_, kSchemaSql);
    migrate(db_);
    prepare_statements();
    load_users();
    load_deleted();
    load_groups();
    reads_.load(db_);
    rebuild_tail();
    reader_ = std::make_unique<InboxReader>(options_.path, options_.reader_threads);
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  queue_.stop();
  if (writer_.joinable()) writer_.join();
  reader_.reset();  // after the writer: its last batch may have handed reads over
  // Statements must be finalised before the connection closes.
  for (Statement* s :
       {&begin_,          &commit_,       &rollback_,      &insert_user_,   &find_user_,
        &insert_message_, &find_cid_,     &insert_cid_,    &read_row_,      &last_chunk_seq_,
        &chunks_back_,    &insert_chunk_, &set_indexed_,   &read_cursor_,   &raise_cursor_,
        &insert_revoked_, &bump_gen_,     &read_gen_,      &ping_,          &insert_group_,
        &rename_group_,   &delete_group_, &upsert_member_, &delete_member_, &group_history_})
    *s = Statement();
  sqlite3_close_v2(db_);
}

void SqliteStore::prepare_statements() {
  begin_ = Statement(db_, "BEGIN IMMEDIATE");
  commit_ = Statement(db_, "COMMIT");
  rollback_ = Statement(db_, "ROLLBACK");
  insert_user_ = Statement(
      db_, "INSERT INTO users(name, password_hash, created_ms, role) VALUES(?1, ?2, ?3, ?4)");
  find_user_ = Statement(db_,
                         "SELECT id, name, password_hash, token_gen, role, banned FROM users "
                         "WHERE name=?1 AND deleted_ms IS NULL");
  insert_message_ =
      Statement(db_,
                "INSERT INTO messages(sender, ts, sender_seq, cid, recipients, "
                "content, grp, kind, ref, files) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  find_cid_ = Statement(db_, "SELECT msg FROM cids WHERE sender=?1 AND cid=?2");
  insert_cid_ = Statement(db_, "INSERT OR REPLACE INTO cids(sender, cid, msg) VALUES(?1, ?2, ?3)");
  read_row_ = Statement(db_, kReadLogRowSql);
  last_chunk_seq_ = Statement(
      db_, "SELECT last_seq FROM inbox_chunks WHERE user=?1 ORDER BY first_seq DESC LIMIT 1");
  chunks_back_ = Statement(
      db_, "SELECT first_seq, msgs FROM inbox_chunks WHERE user=?1 ORDER BY first_seq DESC");
  insert_chunk_ = Statement(db_, kInsertChunkSql);
  set_indexed_ = Statement(db_, "UPDATE meta SET value=?1 WHERE key='indexed_upto'");
  read_cursor_ = Statement(db_, "SELECT delivered_seq FROM users WHERE id=?1");
  raise_cursor_ =
      Statement(db_, "UPDATE users SET delivered_seq=MAX(delivered_seq, ?2) WHERE id=?1");
  insert_revoked_ = Statement(db_, "INSERT OR REPLACE INTO revoked(jti, exp) VALUES(?1, ?2)");
  bump_gen_ = Statement(db_, "UPDATE users SET token_gen=token_gen+1 WHERE id=?1");
  read_gen_ = Statement(db_, "SELECT token_gen FROM users WHERE id=?1");
  ping_ = Statement(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('last_ping', ?1)");
  insert_group_ = Statement(db_, "INSERT INTO groups(name, created_ms) VALUES(?1, ?2)");
  rename_group_ = Statement(db_, "UPDATE groups SET name=?2 WHERE id=?1");
  delete_group_ = Statement(db_, "DELETE FROM groups WHERE id=?1");
  upsert_member_ = Statement(db_,
                             "INSERT OR REPLACE INTO group_members(grp, user, role, joined_msg) "
                             "VALUES(?1, ?2, ?3, ?4)");
  delete_member_ = Statement(db_, "DELETE FROM group_members WHERE grp=?1 AND user=?2");
  group_history_ = Statement(db_,
                             "SELECT id FROM messages WHERE grp=?1 AND id>=?2 AND id<?3 "
                             "AND kind<=1 ORDER BY id DESC LIMIT ?4");
}

void SqliteStore::load_users() {
  Statement s(db_, "SELECT id, name, deleted_ms FROM users");
  while (s.step()) {
    std::string name(s.text(1));
    if (s.is_null(2)) {  // a deleted account has no name to find
      ids_.emplace(name, s.int64(0));
      keys_.emplace(util::name_key(name), s.int64(0));
    }
    names_.emplace(s.int64(0), std::move(name));
  }
}

void SqliteStore::load_groups() {
  Statement g(db_, "SELECT id, name FROM groups");
  while (g.step()) groups_[g.int64(0)] = Group{g.int64(0), std::string(g.text(1)), {}};
  Statement m(db_, "SELECT grp, user, role, joined_msg FROM group_members ORDER BY grp, user");
  while (m.step()) {
    auto it = groups_.find(m.int64(0));
    if (it == groups_.end()) continue;
    UserId user = m.int64(1);
    it->second.members.push_back(
        GroupMember{user, user_name(user), GroupRole(m.int64(2)), m.int64(3)});
    user_groups_[user].push_back(it->first);
  }
}

// ---- queue and group commit ------------------------------------------------------------------

void SqliteStore::enqueue(Job job) {
  queue_.push(std::move(job));
}

void SqliteStore::writer_loop() {
  std::vector<Job> jobs;
  for (;;) {
    // Idle with unwritten index entries: wake up in time to write them.
    auto idle = std::chrono::milliseconds(std::chrono::hours(1));
    if (!tail_.empty()) {
      auto due = std::max(tail_since_ + std::chrono::milliseconds(options_.index_flush_ms),
                          index_retry_at_);
      idle = std::max(std::chrono::milliseconds(1),
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          due - std::chrono::steady_clock::now()));
    }
    if (!queue_.pop_batch(jobs, options_.max_batch, idle)) break;
    if (!jobs.empty()) {
      run_batch(jobs);
      jobs.clear();
    } else if (index_due()) {
      flush_index();
    }
  }
  flush_index();  // a clean shutdown leaves nothing to replay
}

bool SqliteStore::index_due() const {
  if (tail_.empty()) return false;
  auto now = std::chrono::steady_clock::now();
  if (now < index_retry_at_) return false;
  return tail_.size() >= options_.index_flush_entries ||
         now - tail_since_ >= std::chrono::milliseconds(options_.index_flush_ms);
}

void SqliteStore::write_index() {
  for (const auto& [user, run] : tail_.runs())
    if (!deleted_.count(user)) insert_chunks(insert_chunk_, user, run.first, run.ids);
  // Sorted, so the inserts walk the B-tree in order.
  std::vector<const std::pair<const IndexTail::CidKey, MessageId>*> cids;
  cids.reserve(tail_.cids().size());
  for (const auto& e : tail_.cids()) cids.push_back(&e);
  std::sort(cids.begin(), cids.end(), [](auto* a, auto* b) {
    return std::tie(a->first.sender, a->first.cid) < std::tie(b->first.sender, b->first.cid);
  });
  for (auto* e : cids)
    insert_cid_.bind(1, e->first.sender).bind(2, e->first.cid).bind(3, e->second).run();
  set_indexed_.bind(1, std::to_string(tail_.last_id())).run();
}

// Inside the batch's transaction, under a savepoint: a failure here must not cost the batch's
// messages (they are safe in the log; the index is only retried later).
bool SqliteStore::write_index_in_batch() {
  exec(db_, "SAVEPOINT index_write");
  try {
    write_index();
    exec(db_, "RELEASE index_write");
    return true;
  } catch (const std::exception& e) {
    exec(db_, "ROLLBACK TO index_write; RELEASE index_write");
    index_write_failed(e);
    return false;
  }
}

void SqliteStore::flush_index() {
  if (tail_.empty()) return;
  try {
    begin_.run();
    write_index();
    commit_.run();
    tail_.clear();
  } catch (const std::exception& e) {
    try {
      rollback_.run();
    } catch (const std::exception&) {
    }
    index_write_failed(e);
  }
}

// The entries stay in memory (and in the log); try again in a second, not at once (a full disk
// would fail every attempt).
void SqliteStore::index_write_failed(const std::exception& e) {
  spdlog::error("store: writing the inbox index failed: {}", e.what());
  index_retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

void SqliteStore::rebuild_tail() {
  tail_.clear();
  MessageId upto = 0;
  std::string v = meta_value(db_, "indexed_upto");
  std::from_chars(v.data(), v.data() + v.size(), upto);
  Statement log(db_,
                "SELECT id, sender, sender_seq, recipients, cid FROM messages WHERE id>?1 "
                "ORDER BY id");
  log.bind(1, upto);
  std::size_t replayed = 0;
  while (log.step()) {
    MessageId id = log.int64(0);
    UserId sender = log.int64(1);
    Seq& sender_head = head_seq(sender);
    sender_head = log.int64(2);
    if (tail_.empty()) tail_since_ = std::chrono::steady_clock::now();
    // A deleted account's inbox is gone: its entries are not rebuilt.
    if (!deleted_.count(sender)) tail_.add(sender, sender_head, id);
    for_each_id(log.text(3), [&](UserId r) {
      Seq seq = ++head_seq(r);
      if (!deleted_.count(r)) tail_.add(r, seq, id);
    });
    if (!log.is_null(4)) tail_.add_cid(sender, std::string(log.text(4)), id);
    ++replayed;
  }
  if (replayed) spdlog::info("store: replayed {} messages into the inbox index", replayed);
}

void SqliteStore::reset_caches() {
  heads_.clear();
  ids_.clear();
  keys_.clear();
  names_.clear();
  deleted_.clear();
  groups_.clear();
  user_groups_.clear();
  try {
    load_users();
    load_deleted();
    load_groups();
    reads_.load(db_);
    rebuild_tail();
  } catch (const std::exception& e) {
    spdlog::error("store: reloading after a rollback failed: {}", e.what());
  }
}

void SqliteStore::run_batch(std::vector<Job>& jobs) {
  std::vector<std::function<void()>> after_commit;
  after_commit.reserve(jobs.size());
  auto started = std::chrono::steady_clock::now();
  bool indexed = false;
  try {
    begin_.run();
    committed_.reserve(jobs.size());  // handed over whole to the sink: one allocation a batch
    for (auto& job : jobs) {
      if (job.send) {
        do_submit(*job.send);
      } else {
        after_commit.push_back(job.run());
      }
    }
    for (auto& [user, seq] : delivered_) raise_cursor_.bind(1, user).bind(2, seq).run();
    delivered_.clear();
    reads_.flush(db_);
    if (index_due()) indexed = write_index_in_batch();
    commit_.run();
  } catch (const std::exception& e) {
    spdlog::error("store: batch of {} rolled back: {}", jobs.size(), e.what());
    try {
      rollback_.run();
    } catch (const std::exception& e2) {
      spdlog::error("store: rollback failed: {}", e2.what());
    }
    // Caches may hold what the rollback undid: rebuild them from the database.
    reset_caches();
    committed_.clear();
    rejected_.clear();
    for (auto& job : jobs) {
      if (job.send) {  // the sender hears it was not stored
        rejected_.push_back(Rejected{job.send->sender, job.send->origin, job.send->cid, false});
      } else {
        job.fail();
      }
    }
    if (sink_ && !rejected_.empty()) sink_->on_rejected(std::exchange(rejected_, {}));
    return;
  }
  if (indexed) tail_.clear();
  if (options_.on_commit_us)
    options_.on_commit_us(std::uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - started)
                                            .count()));
  if (sink_) {
    if (!committed_.empty()) sink_->on_committed(std::exchange(committed_, {}));
    if (!rejected_.empty()) sink_->on_rejected(std::exchange(rejected_, {}));
  }
  for (auto& f : after_commit)
    if (f) f();
}

// ---- helpers (writer thread) -------------------------------------------------------------------

Seq& SqliteStore::head_seq(UserId user) {
  auto it = heads_.find(user);
  if (it != heads_.end()) return it->second;
  // Not cached: the user has no entry in the tail, so the index holds the head.
  last_chunk_seq_.bind(1, user);
  Seq s = last_chunk_seq_.step() ? last_chunk_seq_.int64(0) : 0;
  last_chunk_seq_.reset();
  return heads_.emplace(user, s).first->second;
}

std::string SqliteStore::user_name(UserId id) const {
  auto it = names_.find(id);
  return it == names_.end() ? std::string() : it->second;
}

UserId SqliteStore::conversation_peer(std::string_view name) const {
  if (auto it = ids_.find(std::string(name)); it != ids_.end()) return it->second;
  if (!is_deleted_name(name)) return 0;
  UserId id = 0;
  auto digits = name.substr(9);
  std::from_chars(digits.data(), digits.data() + digits.size(), id);
  return deleted_.count(id) && names_.at(id) == name ? id : 0;
}

std::vector<std::string> SqliteStore::recipient_names(std::string_view ids) const {
  std::vector<std::string> out;
  for_each_id(ids, [&](UserId id) { out.push_back(user_name(id)); });
  return out;
}

InboxView SqliteStore::inbox_view(UserId user) {
  InboxView v;
  v.user = user;
  v.head = head_seq(user);
  v.tail_first = v.head + 1;
  if (const IndexTail::Run* run = tail_.find(user)) {
    v.tail_first = run->first;
    v.tail_ids = run->ids;
  }
  return v;
}

StoredMessage SqliteStore::stored_message(LogRow& row) const {
  StoredMessage m;
  m.id = row.id;
  m.ts = row.ts;
  m.from = user_name(row.sender);
  if (!row.group) m.to = recipient_names(row.recipients);  // a group message goes "to":[]
  m.content = std::move(row.content);
  m.group = row.group;
  m.kind = row.kind;
  m.ref = row.ref;
  m.edited = row.edited;
  m.recalled = row.recalled;
  m.files = std::move(row.files);
  return m;
}

void SqliteStore::scan_backward(UserId user, const Visit& visit) {
  if (const IndexTail::Run* run = tail_.find(user)) {
    for (std::size_t i = run->ids.size(); i-- > 0;)
      if (!visit(run->first + Seq(i), run->ids[i])) return;
  }
  std::vector<MessageId> ids;
  bool more = true;
  chunks_back_.bind(1, user);
  try {
    while (more && chunks_back_.step()) {
      Seq first = chunks_back_.int64(0);
      ids.clear();
      decode_chunk(chunks_back_.blob(1), ids);
      for (std::size_t i = ids.size(); more && i-- > 0;) more = visit(first + Seq(i), ids[i]);
    }
  } catch (...) {
    chunks_back_.reset();
    throw;
  }
  chunks_back_.reset();
}

void SqliteStore::do_submit(SendRequest& req) {
  switch (req.kind) {
    case EntryKind::kRecall:
    case EntryKind::kEdit:
      return do_change_message(req);
    case EntryKind::kRead:
      return do_read(req);
    case EntryKind::kTyping:
      return do_typing(req);
    default:
      break;
  }
  Committed c;
  c.sender = req.sender;
  c.sender_name = std::move(req.sender_name);
  c.cid = req.cid;  // kept in req too: a rollback reports it
  c.origin = req.origin;

  if (!c.cid.empty()) {
    MessageId original = tail_.find_cid(req.sender, c.cid);
    if (!original) {
      find_cid_.bind(1, req.sender).bind(2, c.cid);
      if (find_cid_.step()) original = find_cid_.int64(0);
      find_cid_.reset();
    }
    LogRow row;
    if (original && read_row(original, row)) {
      c.id = original;
      c.ts = row.ts;
      c.sender_seq = row.sender_seq;
      if (!row.group) c.recipient_names = recipient_names(row.recipients);
      c.group = row.group;
      c.duplicate = true;
      committed_.push_back(std::move(c));
      return;
    }
  }

  if (req.group) {
    // Everyone in the group when the send commits, the sender excepted; "to":[].
    auto g = groups_.find(req.group);
    if (g == groups_.end() || !g->second.find(req.sender)) {
      Rejected r{c.sender, c.origin, std::move(c.cid), false};
      r.not_member = true;
      rejected_.push_back(std::move(r));
      return;
    }
    c.group = req.group;
    c.recipients.reserve(g->second.members.size());
    for (const auto& m : g->second.members)
      if (m.id != req.sender) c.recipients.push_back(Recipient{m.id, m.name, 0});
  } else {
    // Resolve names: skip the sender, unknown names and repeats, keep the client's order.
    // (A set for long lists: a linear check made a 1,000-name message cost 500,000 compares.)
    std::unordered_set<UserId> taken;
    const bool use_set = req.to.size() > 16;
    c.recipients.reserve(req.to.size());
    for (auto& name : req.to) {
      auto it = ids_.find(name);
      if (it == ids_.end() || it->second == req.sender) continue;
      bool seen = use_set ? !taken.insert(it->second).second
                          : std::any_of(c.recipients.begin(), c.recipients.end(),
                                        [&](const Recipient& r) { return r.id == it->second; });
      if (!seen) c.recipients.push_back(Recipient{it->second, name, 0});
    }
    if (c.recipients.empty()) {
      rejected_.push_back(Rejected{c.sender, c.origin, std::move(c.cid), true});
      return;
    }
    for (auto& r : c.recipients) c.recipient_names.push_back(r.name);
  }
  if (req.ref) {
    LogRow target;
    if (!read_row(req.ref, target) || !same_conversation(target, req)) {
      reject(req, frame_error::kBadReply);
      return;
    }
    c.ref = req.ref;
  }
  if (!req.files.empty()) {
    if (!attach_files(req, c)) return reject(req, frame_error::kBadFile);
  }
  append_to_log(c, req.content);
  if (!c.files.empty()) mark_referenced(req.files, c.id);
  c.content = std::move(req.content);
  committed_.push_back(std::move(c));
}

void SqliteStore::reject(const SendRequest& req, std::string_view error) {
  Rejected r{req.sender, req.origin, req.cid, false};
  r.error = error;
  rejected_.push_back(std::move(r));
}

// A reply quotes a message of the same conversation: of the same group, or a one-to-one message
// the replier sent or received.
bool SqliteStore::same_conversation(const LogRow& target, const SendRequest& req) const {
  if (target.kind != EntryKind::kMessage || target.group != req.group) return false;
  if (req.group) return true;
  return target.sender == req.sender || lists_user(target.recipients, req.sender);
}

void SqliteStore::do_change_message(SendRequest& req) {
  LogRow target;
  bool visible = read_row(req.ref, target) && target.kind == EntryKind::kMessage &&
                 (target.sender == req.sender || lists_user(target.recipients, req.sender));
  if (!visible) return reject(req, frame_error::kNotFound);
  if (target.sender != req.sender) return reject(req, frame_error::kNotYours);
  if (req.window_ms <= 0) return reject(req, frame_error::kFeatureOff);
  if (target.recalled) return reject(req, frame_error::kRecalled);
  if (util::now_ms() - target.ts > req.window_ms) return reject(req, frame_error::kTooLate);
  bool recall = req.kind == EntryKind::kRecall;
  // The content goes (or is replaced) in the log itself: history and inbox reads show the
  // change, and a recalled text is nowhere to read any more.
  Statement update(db_, recall ? "UPDATE messages SET content='', recalled=1 WHERE id=?1"
                               : "UPDATE messages SET content=?2, edited=1 WHERE id=?1");
  update.bind(1, target.id);
  if (!recall) update.bind_static(2, req.content);
  update.run();
  if (recall && !target.files.empty()) drop_references(target.id, target.files);

  Committed c;
  c.sender = req.sender;
  c.sender_name = std::move(req.sender_name);
  c.cid = req.cid;
  c.origin = req.origin;
  c.group = target.group;
  c.kind = req.kind;
  c.ref = target.id;
  for_each_id(target.recipients, [&](UserId id) {
    c.recipients.push_back(Recipient{id, user_name(id), 0});
  });
  c.cid.clear();                        // the cid named the request, not a message: no dedup entry
  static const std::string kNoContent;  // bound as '' (a null view would bind NULL)
  append_to_log(c,
                recall ? std::string_view(kNoContent.c_str(), 0) : std::string_view(req.content));
  c.cid = req.cid;
  if (!recall) c.content = std::move(req.content);
  committed_.push_back(std::move(c));
}

// The conversation a read marker or typing frame is about: 'u<peer>' or 'g<group>', and who is
// on the other side. False (and rejected) when there is no such conversation for the sender.
bool SqliteStore::resolve_conversation(SendRequest& req, Committed& c, std::int64_t& conv) {
  if (req.group) {
    auto g = groups_.find(req.group);
    if (g == groups_.end() || !g->second.find(req.sender)) {
      Rejected r{req.sender, req.origin, req.cid, false};
      r.not_member = true;
      rejected_.push_back(std::move(r));
      return false;
    }
    c.group = req.group;
    conv = ReadMarkers::group_conv(req.group);
    if (req.kind == EntryKind::kTyping)
      for (const auto& m : g->second.members)
        if (m.id != req.sender) c.recipients.push_back(Recipient{m.id, m.name, 0});
    return true;
  }
  auto it = req.to.size() == 1 ? ids_.find(req.to[0]) : ids_.end();
  if (it == ids_.end() || it->second == req.sender) {
    reject(req, frame_error::kNotFound);
    return false;
  }
  conv = ReadMarkers::user_conv(it->second);
  c.recipients.push_back(Recipient{it->second, req.to[0], 0});
  c.recipient_names.push_back(req.to[0]);
  return true;
}

void SqliteStore::do_read(SendRequest& req) {
  Committed c;
  std::int64_t conv = 0;
  if (!resolve_conversation(req, c, conv)) return;
  // Never past the newest message: a marker from the future would hide what comes next.
  MessageId newest = tail_.last_id();
  if (!newest) {
    Statement last(db_, "SELECT COALESCE(MAX(id), 0) FROM messages");
    newest = last.step() ? last.int64(0) : 0;
  }
  MessageId upto = std::min(req.ref, newest);
  if (!reads_.raise(req.sender, conv, upto)) return;  // markers only rise: nothing to tell
  c.sender = req.sender;
  c.sender_name = std::move(req.sender_name);
  c.origin = req.origin;
  c.kind = EntryKind::kRead;
  c.ref = upto;
  if (req.group) c.recipients.clear();  // in a group only the reader's devices hear of it
  committed_.push_back(std::move(c));
}

void SqliteStore::do_typing(SendRequest& req) {
  Committed c;
  std::int64_t conv = 0;
  if (!resolve_conversation(req, c, conv)) return;
  c.sender = req.sender;
  c.sender_name = std::move(req.sender_name);
  c.origin = req.origin;
  c.kind = EntryKind::kTyping;
  committed_.push_back(std::move(c));
}

void SqliteStore::append_to_log(Committed& c, std::string_view content) {
  c.ts = util::now_ms();
  c.sender_seq = ++head_seq(c.sender);
  std::string ids;
  ids.reserve(c.recipients.size() * 6);
  for (auto& r : c.recipients) {
    if (!ids.empty()) ids += ',';
    ids += std::to_string(r.id);
  }
  insert_message_.bind(1, c.sender).bind(2, c.ts).bind(3, c.sender_seq);
  if (c.cid.empty()) {
    insert_message_.bind_null(4);
  } else {
    insert_message_.bind_static(4, c.cid);
  }
  insert_message_.bind_static(5, ids).bind_static(6, content);
  if (c.group) {
    insert_message_.bind(7, c.group);
  } else {
    insert_message_.bind_null(7);
  }
  insert_message_.bind(8, std::int64_t(c.kind));
  if (c.ref) {
    insert_message_.bind(9, c.ref);
  } else {
    insert_message_.bind_null(9);
  }
  if (c.files.empty()) {
    insert_message_.bind_null(10);
  } else {
    insert_message_.bind_static(10, c.files);
  }
  insert_message_.run();  // run() resets
  c.id = sqlite3_last_insert_rowid(db_);

  if (tail_.empty()) tail_since_ = std::chrono::steady_clock::now();
  tail_.add(c.sender, c.sender_seq, c.id);
  for (auto& r : c.recipients) {
    r.seq = ++head_seq(r.id);
    tail_.add(r.id, r.seq, c.id);
  }
  if (!c.cid.empty()) tail_.add_cid(c.sender, c.cid, c.id);
}

// ---- groups (writer thread) --------------------------------------------------------------------

Result<GroupReply> SqliteStore::do_change_group(const GroupChange& change) {
  GroupReply reply;
  std::vector<GroupMember> named;
  for (const auto& n : change.names) {
    auto it = ids_.find(n);
    if (it == ids_.end()) {
      reply.unknown.push_back(n);
      continue;
    }
    bool seen = std::any_of(named.begin(), named.end(),
                            [&](const GroupMember& m) { return m.id == it->second; });
    if (!seen) named.push_back(GroupMember{it->second, n, GroupRole::kMember, 0});
  }
  if (!reply.unknown.empty()) return reply;

  Group before;
  if (change.op != GroupOp::kCreate) {
    auto it = groups_.find(change.group);
    if (it == groups_.end()) return StoreError::kNoSuchGroup;
    before = it->second;
  }
  Group after = before;
  auto applied = apply_group_change(after, change, named);
  if (auto* e = std::get_if<StoreError>(&applied)) return *e;
  auto& outcome = std::get<GroupOutcome>(applied);

  if (change.op == GroupOp::kCreate) {
    insert_group_.bind(1, after.name).bind(2, util::now_ms()).run();
    after.id = sqlite3_last_insert_rowid(db_);
  }
  // The event, in the log like a message: the actor's copy, then everyone else concerned.
  Committed c;
  c.sender = change.actor;
  c.sender_name = change.actor_name;
  c.group = after.id;
  c.kind = EntryKind::kGroupEvent;
  for (UserId id : event_audience(after, outcome))
    if (id != change.actor) c.recipients.push_back(Recipient{id, user_name(id), 0});
  c.content = group_event_body(outcome, after);
  append_to_log(c, c.content);
  for (UserId id : outcome.added)
    if (GroupMember* m = after.find(id)) m->joined = c.id;
  write_group(before, after);
  if (outcome.deleted) {
    groups_.erase(after.id);
    reply.deleted = true;
  } else {
    groups_[after.id] = after;
  }
  reply.group = std::move(after);
  committed_.push_back(std::move(c));
  return reply;
}

// Writes the difference between two versions of a group (rows of the members that changed).
void SqliteStore::write_group(const Group& before, const Group& after) {
  GroupId id = after.id;
  for (const auto& m : before.members) {
    if (after.find(m.id)) continue;
    delete_member_.bind(1, id).bind(2, m.id).run();
    auto& list = user_groups_[m.id];
    list.erase(std::remove(list.begin(), list.end(), id), list.end());
    if (list.empty()) user_groups_.erase(m.id);
  }
  for (const auto& m : after.members) {
    const GroupMember* old = before.find(m.id);
    if (old && old->role == m.role) continue;
    upsert_member_.bind(1, id).bind(2, m.id).bind(3, std::int64_t(m.role)).bind(4, m.joined).run();
    if (!old) user_groups_[m.id].push_back(id);
  }
  if (after.members.empty()) {
    delete_group_.bind(1, id).run();
  } else if (before.name != after.name && !before.name.empty()) {
    rename_group_.bind(1, id).bind(2, after.name).run();
  }
}

const Group* SqliteStore::member_group(UserId user, GroupId group, StoreError& error) const {
  auto it = groups_.find(group);
  if (it == groups_.end()) {
    error = StoreError::kNoSuchGroup;
    return nullptr;
  }
  if (!it->second.find(user)) {
    error = StoreError::kNotMember;
    return nullptr;
  }
  return &it->second;
}

// ---- operations --------------------------------------------------------------------------------

void SqliteStore::find_user(std::string name, Callback<UserRecord> done) {
  enqueue_query<UserRecord>(
      std::move(done), [this, name = std::move(name)]() -> Result<UserRecord> {
        find_user_.bind(1, name);
        if (!find_user_.step()) {
          find_user_.reset();
          return StoreError::kNotFound;
        }
        UserRecord u{
            find_user_.int64(0), std::string(find_user_.text(1)),   std::string(find_user_.text(2)),
            find_user_.int64(3), std::uint8_t(find_user_.int64(4)), find_user_.int64(5) != 0};
        find_user_.reset();
        return u;
      });
}

void SqliteStore::list_users(Callback<std::vector<std::string>> done) {
  enqueue_query<std::vector<std::string>>(std::move(done),
                                          [this]() -> Result<std::vector<std::string>> {
                                            std::vector<std::string> names;
                                            names.reserve(ids_.size());
                                            for (const auto& [name, id] : ids_)
                                              names.push_back(name);
                                            std::sort(names.begin(), names.end());
                                            return names;
                                          });
}

void SqliteStore::submit(SendRequest req) {
  enqueue(Job{std::move(req), {}, {}});
}

namespace {

// A reader's answer, or kUnavailable when the read threw (a busy or corrupt database).
template <typename T, typename F>
Result<T> guarded_read(const char* what, F&& read) {
  try {
    return read();
  } catch (const std::exception& e) {
    spdlog::error("store: reading {} failed: {}", what, e.what());
    return StoreError::kUnavailable;
  }
}

}  // namespace

// The writer only takes the user's view (a copy of their index tail) in its batch; the rows are
// read by a reader once the batch is committed, so a large inbox never holds up a commit.
void SqliteStore::read_inbox(UserId user, Seq after, bool incoming_only, std::size_t limit,
                             Callback<InboxPage> done) {
  auto cb = std::make_shared<Callback<InboxPage>>(std::move(done));
  enqueue(Job{std::nullopt,
              [=, this]() -> std::function<void()> {
                // A deleted account's entries may still sit in the index tail until its next
                // write.
                if (deleted_.count(user)) return [cb] { (*cb)(InboxPage{}); };
                auto view = std::make_shared<InboxView>(inbox_view(user));
                if (after < 0) view->cursor = cursor(user);
                return [=, this] {
                  reader_->post([=](InboxReads& reads) {
                    (*cb)(guarded_read<InboxPage>("an inbox", [&] {
                      return reads.read_inbox(*view, after, incoming_only, limit);
                    }));
                  });
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

Seq SqliteStore::cursor(UserId user) {
  read_cursor_.bind(1, user);
  Seq s = read_cursor_.step() ? read_cursor_.int64(0) : 0;
  read_cursor_.reset();
  if (auto it = delivered_.find(user); it != delivered_.end()) s = std::max(s, it->second);
  return s;
}

void SqliteStore::mark_delivered(UserId user, Seq seq) {
  enqueue(Job{std::nullopt,
              [=, this]() -> std::function<void()> {
                auto& cur = delivered_[user];
                cur = std::max(cur, seq);
                return {};
              },
              [] {}});
}

// As read_inbox: the view in the batch, the rows on a reader, at most InboxReads::kScanRows.
void SqliteStore::history(UserId user, std::string peer, MessageId before, std::size_t limit,
                          Callback<HistoryPage> done) {
  auto cb = std::make_shared<Callback<HistoryPage>>(std::move(done));
  enqueue(Job{std::nullopt,
              [=, this, peer = std::move(peer)]() -> std::function<void()> {
                UserId peer_id = conversation_peer(peer);
                if (!peer_id) return [cb] { (*cb)(StoreError::kNotFound); };
                auto view = std::make_shared<InboxView>(inbox_view(user));
                return [=, this] {
                  reader_->post([=](InboxReads& reads) {
                    (*cb)(guarded_read<HistoryPage>(
                        "a history", [&] { return reads.history(*view, peer_id, before, limit); }));
                  });
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::conversations(UserId user, std::size_t limit,
                                Callback<std::vector<Conversation>> done) {
  // The peers of the user's most recent messages (a bounded scan of the inbox's tail).
  enqueue_query<std::vector<Conversation>>(
      std::move(done), [=, this]() -> Result<std::vector<Conversation>> {
        // Unread entries are counted in the same scan, so a count can only include what the
        // scan reached (5,000 entries back), and stops at kMaxUnread.
        constexpr std::int64_t kScan = 5000, kMaxUnread = 999;
        std::vector<Conversation> out;
        std::unordered_map<std::string, std::size_t> index;  // conversation key -> place in out
        auto marker = [&](const std::string& key) {
          return reads_.get(user, ReadMarkers::conv_of_key(key));
        };
        std::int64_t scanned = 0;
        LogRow row;
        auto note = [&](const std::string& key, const LogRow& r, auto make) {
          auto [it, fresh] = index.emplace(key, out.size());
          if (fresh) {
            if (out.size() >= limit) {
              index.erase(it);
              return;
            }
            out.push_back(make());
            out.back().read_upto = marker(key);
          }
          Conversation& conv = out[it->second];
          if (r.sender != user && r.id > conv.read_upto && conv.unread < kMaxUnread) ++conv.unread;
        };
        scan_backward(user, [&](Seq, MessageId id) {
          if (++scanned > kScan) return false;
          if (!read_row(id, row)) return true;
          if (row.kind != EntryKind::kMessage && row.kind != EntryKind::kGroupEvent) return true;
          if (row.group) {
            // A group the user still belongs to.
            auto g = groups_.find(row.group);
            if (g == groups_.end() || !g->second.find(user)) return true;
            note("g" + std::to_string(row.group), row, [&] {
              Conversation conv;
              conv.group = row.group;
              conv.group_name = g->second.name;
              conv.last = stored_message(row);
              return conv;
            });
            return true;
          }
          std::vector<UserId> peers;
          if (row.sender != user) {
            peers.push_back(row.sender);
          } else {
            for_each_id(row.recipients, [&](UserId p) { peers.push_back(p); });
          }
          for (UserId p : peers) {
            note("u" + std::to_string(p), row, [&] {
              LogRow copy = row;
              return Conversation{user_name(p), stored_message(copy), 0, {}};
            });
          }
          return true;
        });
        return out;
      });
}

void SqliteStore::change_group(GroupChange change, Callback<GroupReply> done) {
  enqueue_query<GroupReply>(
      std::move(done), [this, change = std::move(change)]() { return do_change_group(change); });
}

void SqliteStore::list_groups(UserId user, Callback<std::vector<Group>> done) {
  enqueue_query<std::vector<Group>>(std::move(done), [this, user]() -> Result<std::vector<Group>> {
    std::vector<Group> out;
    if (auto it = user_groups_.find(user); it != user_groups_.end())
      for (GroupId id : it->second)
        if (auto g = groups_.find(id); g != groups_.end()) out.push_back(g->second);
    std::sort(out.begin(), out.end(), [](const Group& a, const Group& b) { return a.id < b.id; });
    return out;
  });
}

void SqliteStore::get_group(UserId user, GroupId group, Callback<Group> done) {
  enqueue_query<Group>(std::move(done), [this, user, group]() -> Result<Group> {
    StoreError error{};
    const Group* g = member_group(user, group, error);
    if (!g) return error;
    return *g;
  });
}

void SqliteStore::group_history(UserId user, GroupId group, MessageId before, std::size_t limit,
                                Callback<HistoryPage> done) {
  // An index range read, bounded by `limit`: one row per group message, not per member.
  enqueue_query<HistoryPage>(std::move(done), [=, this]() -> Result<HistoryPage> {
    StoreError error{};
    const Group* g = member_group(user, group, error);
    if (!g) return error;
    MessageId from = g->find(user)->joined;
    group_history_.bind(1, group)
        .bind(2, from)
        .bind(3, before > 0 ? before : INT64_MAX)
        .bind(4, std::int64_t(limit) + 1);
    std::vector<MessageId> ids;
    while (group_history_.step()) ids.push_back(group_history_.int64(0));
    group_history_.reset();
    HistoryPage page;
    page.more = ids.size() > limit;
    if (page.more) ids.pop_back();
    LogRow row;
    for (auto it = ids.rbegin(); it != ids.rend(); ++it)
      if (read_row(*it, row)) page.messages.push_back(stored_message(row));
    return page;
  });
}

void SqliteStore::group_reads(UserId user, GroupId group, Callback<std::vector<ReadMarker>> done) {
  enqueue_query<std::vector<ReadMarker>>(
      std::move(done), [=, this]() -> Result<std::vector<ReadMarker>> {
        StoreError error{};
        const Group* g = member_group(user, group, error);
        if (!g) return error;
        std::vector<ReadMarker> out;
        for (const auto& m : g->members)
          if (MessageId upto = reads_.get(m.id, ReadMarkers::group_conv(group)))
            out.push_back(ReadMarker{m.name, upto});
        std::sort(out.begin(), out.end(),
                  [](const ReadMarker& a, const ReadMarker& b) { return a.name < b.name; });
        return out;
      });
}

void SqliteStore::revoke_token(UserId user, std::string jti, std::int64_t exp,
                               Callback<Empty> done) {
  auto cb = std::make_shared<Callback<Empty>>(std::move(done));
  enqueue(Job{std::nullopt,
              [=, this, jti = std::move(jti)]() -> std::function<void()> {
                insert_revoked_.bind(1, jti).bind(2, exp).run();
                return [=, this] {
                  if (sink_) sink_->on_token_revoked(user, jti, exp);
                  (*cb)(Empty{});
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::revoke_all_tokens(UserId user, Callback<std::int64_t> done) {
  set_password(user, {}, std::move(done));
}

// An empty hash keeps the password (revoke_all_tokens).
void SqliteStore::set_password(UserId user, std::string password_hash,
                               Callback<std::int64_t> done) {
  auto cb = std::make_shared<Callback<std::int64_t>>(std::move(done));
  enqueue(Job{std::nullopt,
              [=, this]() -> std::function<void()> {
                if (!password_hash.empty()) {
                  Statement update(db_, "UPDATE users SET password_hash=?2 WHERE id=?1");
                  update.bind(1, user).bind(2, password_hash).run();
                }
                bump_gen_.bind(1, user).run();
                read_gen_.bind(1, user);
                bool found = read_gen_.step();
                std::int64_t gen = found ? read_gen_.int64(0) : 0;
                read_gen_.reset();
                return [=, this] {
                  if (!found) return (*cb)(StoreError::kNotFound);
                  if (sink_) sink_->on_generation(user, gen);
                  (*cb)(gen);
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::ping(Callback<Empty> done) {
  // A real write through the writer thread: readiness means "can store", which a full disk
  // breaks while reads still work.
  enqueue_query<Empty>(std::move(done), [this]() -> Result<Empty> {
    ping_.bind(1, std::to_string(util::now_ms())).run();
    return Empty{};
  });
}

void SqliteStore::load_revocations(Callback<RevocationState> done) {
  enqueue_query<RevocationState>(std::move(done), [this]() -> Result<RevocationState> {
    RevocationState st;
    Statement del(db_, "DELETE FROM revoked WHERE exp<=?1");
    del.bind(1, util::now_s()).run();
    Statement r(db_, "SELECT jti, exp FROM revoked");
    while (r.step()) st.revoked.emplace_back(std::string(r.text(0)), r.int64(1));
    Statement g(db_, "SELECT id, token_gen FROM users WHERE token_gen>0");
    while (g.step()) st.generations.emplace_back(g.int64(0), g.int64(1));
    return st;
  });
}

}  // namespace parley::store::sqlite
