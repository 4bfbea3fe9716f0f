// SPDX-License-Identifier: MIT
#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "store/sqlite/schema_sql.hpp"
#include "util/clock.hpp"

namespace parley::store::sqlite {

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
    // Checkpoint every ~64 MiB of WAL instead of 4 MiB: a hot inbox page rewritten by many
    // group commits is copied into the database once per checkpoint, not once per commit.
    exec(db_, "PRAGMA wal_autocheckpoint=16384; PRAGMA journal_size_limit=67108864");
    exec(db_, kSchemaSql);
    prepare_statements();
    load_users();
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  queue_.stop();
  if (writer_.joinable()) writer_.join();
  // Statements must be finalised before the connection closes.
  for (Statement* s :
       {&begin_, &commit_, &rollback_, &insert_user_, &find_user_, &insert_message_, &find_cid_,
        &insert_inbox_, &max_seq_, &read_inbox_, &read_inbox_incoming_, &read_cursor_,
        &raise_cursor_, &history_, &recent_, &insert_revoked_, &bump_gen_, &read_gen_, &ping_})
    *s = Statement();
  sqlite3_close_v2(db_);
}

void SqliteStore::prepare_statements() {
  begin_ = Statement(db_, "BEGIN IMMEDIATE");
  commit_ = Statement(db_, "COMMIT");
  rollback_ = Statement(db_, "ROLLBACK");
  insert_user_ =
      Statement(db_, "INSERT INTO users(name, password_hash, created_ms) VALUES(?1, ?2, ?3)");
  find_user_ = Statement(db_, "SELECT id, name, password_hash, token_gen FROM users WHERE name=?1");
  insert_message_ = Statement(db_,
                              "INSERT INTO messages(sender, ts, sender_seq, cid, recipients, "
                              "content) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  find_cid_ = Statement(db_,
                        "SELECT id, ts, sender_seq, recipients FROM messages "
                        "WHERE sender=?1 AND cid=?2");
  insert_inbox_ = Statement(db_, "INSERT INTO inbox(user, seq, msg) VALUES(?1, ?2, ?3)");
  max_seq_ = Statement(db_, "SELECT COALESCE(MAX(seq), 0) FROM inbox WHERE user=?1");
  static constexpr std::string_view kInboxSelect =
      "SELECT i.seq, m.id, m.ts, m.sender, m.recipients, m.content, m.cid "
      "FROM inbox i JOIN messages m ON m.id = i.msg WHERE i.user=?1 AND i.seq>?2 ";
  read_inbox_ = Statement(db_, std::string(kInboxSelect) + "ORDER BY i.seq LIMIT ?3");
  read_inbox_incoming_ =
      Statement(db_, std::string(kInboxSelect) + "AND m.sender<>?1 ORDER BY i.seq LIMIT ?3");
  read_cursor_ = Statement(db_, "SELECT delivered_seq FROM users WHERE id=?1");
  raise_cursor_ =
      Statement(db_, "UPDATE users SET delivered_seq=MAX(delivered_seq, ?2) WHERE id=?1");
  // The conversation with ?2: what ?2 sent to ?1, and what ?1 sent to a list holding ?2 (?3 is
  // ",<id>,"). Seqs and message ids grow together in one inbox, so paging by id walks the
  // primary key backwards.
  history_ = Statement(db_,
                       "SELECT m.id, m.ts, m.sender, m.recipients, m.content FROM inbox i "
                       "JOIN messages m ON m.id = i.msg WHERE i.user=?1 AND i.msg<?4 AND "
                       "(m.sender=?2 OR (m.sender=?1 AND instr(',' || m.recipients || ',', ?3)>0)) "
                       "ORDER BY i.seq DESC LIMIT ?5");
  recent_ = Statement(db_,
                      "SELECT m.id, m.ts, m.sender, m.recipients, m.content FROM inbox i "
                      "JOIN messages m ON m.id = i.msg WHERE i.user=?1 ORDER BY i.seq DESC "
                      "LIMIT ?2");
  insert_revoked_ = Statement(db_, "INSERT OR REPLACE INTO revoked(jti, exp) VALUES(?1, ?2)");
  bump_gen_ = Statement(db_, "UPDATE users SET token_gen=token_gen+1 WHERE id=?1");
  read_gen_ = Statement(db_, "SELECT token_gen FROM users WHERE id=?1");
  ping_ = Statement(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('last_ping', ?1)");
}

void SqliteStore::load_users() {
  Statement s(db_, "SELECT id, name FROM users");
  while (s.step()) {
    std::string name(s.text(1));
    ids_.emplace(name, s.int64(0));
    names_.emplace(s.int64(0), std::move(name));
  }
}

// ---- queue and group commit ------------------------------------------------------------------

void SqliteStore::enqueue(Job job) {
  queue_.push(std::move(job));
}

template <typename T, typename F>
void SqliteStore::enqueue_query(Callback<T> done, F&& body) {
  auto cb = std::make_shared<Callback<T>>(std::move(done));
  enqueue(Job{[this, cb, body = std::forward<F>(body)]() mutable -> std::function<void()> {
                auto result = std::make_shared<Result<T>>(body());
                return [cb, result] { (*cb)(std::move(*result)); };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::writer_loop() {
  std::vector<Job> jobs;
  while (queue_.pop_batch(jobs, options_.max_batch, std::chrono::hours(1))) {
    if (!jobs.empty()) run_batch(jobs);
    jobs.clear();
  }
}

void SqliteStore::run_batch(std::vector<Job>& jobs) {
  std::vector<std::function<void()>> after_commit;
  after_commit.reserve(jobs.size());
  auto started = std::chrono::steady_clock::now();
  try {
    begin_.run();
    for (auto& job : jobs) after_commit.push_back(job.run());
    for (auto& [user, seq] : delivered_) raise_cursor_.bind(1, user).bind(2, seq).run();
    delivered_.clear();
    commit_.run();
  } catch (const std::exception& e) {
    spdlog::error("store: batch of {} rolled back: {}", jobs.size(), e.what());
    try {
      rollback_.run();
    } catch (const std::exception& e2) {
      spdlog::error("store: rollback failed: {}", e2.what());
    }
    // Caches may hold what the rollback undid: rebuild them from the database.
    heads_.clear();
    ids_.clear();
    names_.clear();
    try {
      load_users();
    } catch (const std::exception& e3) {
      spdlog::error("store: reloading users failed: {}", e3.what());
    }
    committed_.clear();
    rejected_.clear();
    for (auto& job : jobs) job.fail();
    if (sink_ && !rejected_.empty()) sink_->on_rejected(std::exchange(rejected_, {}));
    return;
  }
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
  max_seq_.bind(1, user);
  max_seq_.step();
  Seq s = max_seq_.int64(0);
  max_seq_.reset();
  return heads_.emplace(user, s).first->second;
}

std::string SqliteStore::user_name(UserId id) const {
  auto it = names_.find(id);
  return it == names_.end() ? std::string() : it->second;
}

std::vector<std::string> SqliteStore::recipient_names(std::string_view ids) const {
  std::vector<std::string> out;
  while (!ids.empty()) {
    auto comma = ids.find(',');
    auto part = ids.substr(0, comma);
    UserId id = 0;
    std::from_chars(part.data(), part.data() + part.size(), id);
    out.push_back(user_name(id));
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  return out;
}

StoredMessage SqliteStore::read_message(Statement& s, int c) const {
  StoredMessage m;
  m.id = s.int64(c);
  m.ts = s.int64(c + 1);
  m.from = user_name(s.int64(c + 2));
  m.to = recipient_names(s.text(c + 3));
  m.content.assign(s.text(c + 4));
  return m;
}

void SqliteStore::do_submit(SendRequest& req) {
  Committed c;
  c.sender = req.sender;
  c.sender_name = std::move(req.sender_name);
  c.cid = req.cid;  // kept in req too: a rollback reports it
  c.origin = req.origin;

  if (!c.cid.empty()) {
    find_cid_.bind(1, req.sender).bind(2, c.cid);
    if (find_cid_.step()) {
      c.id = find_cid_.int64(0);
      c.ts = find_cid_.int64(1);
      c.sender_seq = find_cid_.int64(2);
      c.recipient_names = recipient_names(find_cid_.text(3));
      c.duplicate = true;
      find_cid_.reset();
      committed_.push_back(std::move(c));
      return;
    }
    find_cid_.reset();
  }

  // Resolve names: skip the sender, unknown names and repeats, keep the client's order.
  for (auto& name : req.to) {
    auto it = ids_.find(name);
    if (it == ids_.end() || it->second == req.sender) continue;
    bool seen = std::any_of(c.recipients.begin(), c.recipients.end(),
                            [&](const Recipient& r) { return r.id == it->second; });
    if (!seen) c.recipients.push_back(Recipient{it->second, name, 0});
  }
  if (c.recipients.empty()) {
    rejected_.push_back(Rejected{c.sender, c.origin, std::move(c.cid), true});
    return;
  }

  c.ts = util::now_ms();
  c.sender_seq = ++head_seq(c.sender);
  std::string ids;
  for (auto& r : c.recipients) {
    if (!ids.empty()) ids += ',';
    ids += std::to_string(r.id);
    c.recipient_names.push_back(r.name);
  }
  insert_message_.bind(1, c.sender).bind(2, c.ts).bind(3, c.sender_seq);
  if (c.cid.empty()) {
    insert_message_.bind_null(4);
  } else {
    insert_message_.bind(4, c.cid);
  }
  insert_message_.bind(5, ids).bind(6, req.content).run();
  c.id = sqlite3_last_insert_rowid(db_);

  insert_inbox_.bind(1, c.sender).bind(2, c.sender_seq).bind(3, c.id).run();
  for (auto& r : c.recipients) {
    r.seq = ++head_seq(r.id);
    insert_inbox_.bind(1, r.id).bind(2, r.seq).bind(3, c.id).run();
  }
  c.content = std::move(req.content);
  committed_.push_back(std::move(c));
}

// ---- operations --------------------------------------------------------------------------------

void SqliteStore::create_user(std::string name, std::string hash, Callback<UserId> done) {
  enqueue_query<UserId>(std::move(done),
                        [this, name = std::move(name), hash = std::move(hash)]() -> Result<UserId> {
                          if (ids_.count(name)) return StoreError::kNameTaken;
                          insert_user_.bind(1, name).bind(2, hash).bind(3, util::now_ms()).run();
                          UserId id = sqlite3_last_insert_rowid(db_);
                          ids_.emplace(name, id);
                          names_.emplace(id, name);
                          return id;
                        });
}

void SqliteStore::find_user(std::string name, Callback<UserRecord> done) {
  enqueue_query<UserRecord>(std::move(done),
                            [this, name = std::move(name)]() -> Result<UserRecord> {
                              find_user_.bind(1, name);
                              if (!find_user_.step()) {
                                find_user_.reset();
                                return StoreError::kNotFound;
                              }
                              UserRecord u{find_user_.int64(0), std::string(find_user_.text(1)),
                                           std::string(find_user_.text(2)), find_user_.int64(3)};
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
  auto shared = std::make_shared<SendRequest>(std::move(req));
  enqueue(Job{[this, shared]() -> std::function<void()> {
                do_submit(*shared);
                return {};
              },
              [this, shared] {  // rolled back: the sender hears it was not stored
                rejected_.push_back(Rejected{shared->sender, shared->origin, shared->cid, false});
              }});
}

void SqliteStore::read_inbox(UserId user, Seq after, bool incoming_only, std::size_t limit,
                             Callback<InboxPage> done) {
  enqueue_query<InboxPage>(std::move(done), [=, this]() -> Result<InboxPage> {
    InboxPage page;
    page.head = head_seq(user);
    Seq from = after >= 0 ? after : cursor(user);
    page.scanned = from;
    Statement& s = incoming_only ? read_inbox_incoming_ : read_inbox_;
    s.bind(1, user).bind(2, from).bind(3, std::int64_t(limit) + 1);
    while (s.step()) {
      if (page.entries.size() == limit) {
        page.more = true;
        break;
      }
      InboxEntry e;
      e.seq = s.int64(0);
      e.id = s.int64(1);
      e.ts = s.int64(2);
      UserId sender = s.int64(3);
      e.from = user_name(sender);
      e.own = sender == user;
      e.to = recipient_names(s.text(4));
      e.content.assign(s.text(5));
      if (e.own && !s.is_null(6)) e.cid.assign(s.text(6));
      page.scanned = e.seq;
      page.entries.push_back(std::move(e));
    }
    s.reset();
    return page;
  });
}

Seq SqliteStore::cursor(UserId user) {
  read_cursor_.bind(1, user);
  Seq s = read_cursor_.step() ? read_cursor_.int64(0) : 0;
  read_cursor_.reset();
  if (auto it = delivered_.find(user); it != delivered_.end()) s = std::max(s, it->second);
  return s;
}

void SqliteStore::mark_delivered(UserId user, Seq seq) {
  enqueue(Job{[=, this]() -> std::function<void()> {
                auto& cur = delivered_[user];
                cur = std::max(cur, seq);
                return {};
              },
              [] {}});
}

void SqliteStore::history(UserId user, std::string peer, MessageId before, std::size_t limit,
                          Callback<HistoryPage> done) {
  enqueue_query<HistoryPage>(std::move(done),
                             [=, this, peer = std::move(peer)]() -> Result<HistoryPage> {
                               HistoryPage page;
                               auto it = ids_.find(peer);
                               if (it == ids_.end()) return StoreError::kNotFound;
                               history_.bind(1, user)
                                   .bind(2, it->second)
                                   .bind(3, "," + std::to_string(it->second) + ",")
                                   .bind(4, before > 0 ? before : INT64_MAX)
                                   .bind(5, std::int64_t(limit) + 1);
                               while (history_.step()) {
                                 if (page.messages.size() == limit) {
                                   page.more = true;
                                   break;
                                 }
                                 page.messages.push_back(read_message(history_, 0));
                               }
                               history_.reset();
                               std::reverse(page.messages.begin(), page.messages.end());
                               return page;
                             });
}

void SqliteStore::conversations(UserId user, std::size_t limit,
                                Callback<std::vector<Conversation>> done) {
  // The peers of the user's most recent messages (a bounded scan of the inbox's tail).
  enqueue_query<std::vector<Conversation>>(
      std::move(done), [=, this]() -> Result<std::vector<Conversation>> {
        constexpr std::int64_t kScan = 5000;
        std::vector<Conversation> out;
        std::unordered_map<std::string, bool> seen;
        recent_.bind(1, user).bind(2, kScan);
        while (recent_.step() && out.size() < limit) {
          StoredMessage m = read_message(recent_, 0);
          std::vector<std::string> peers;
          if (m.from != user_name(user)) {
            peers.push_back(m.from);
          } else {
            peers = m.to;
          }
          for (auto& p : peers) {
            if (out.size() >= limit || !seen.emplace(p, true).second) continue;
            out.push_back(Conversation{p, m});
          }
        }
        recent_.reset();
        return out;
      });
}

void SqliteStore::revoke_token(UserId user, std::string jti, std::int64_t exp,
                               Callback<Empty> done) {
  auto cb = std::make_shared<Callback<Empty>>(std::move(done));
  enqueue(Job{[=, this, jti = std::move(jti)]() -> std::function<void()> {
                insert_revoked_.bind(1, jti).bind(2, exp).run();
                return [=, this] {
                  if (sink_) sink_->on_token_revoked(user, jti, exp);
                  (*cb)(Empty{});
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::revoke_all_tokens(UserId user, Callback<std::int64_t> done) {
  auto cb = std::make_shared<Callback<std::int64_t>>(std::move(done));
  enqueue(Job{[=, this]() -> std::function<void()> {
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
