// SPDX-License-Identifier: MIT
// The embedded store: one SQLite database (WAL) owned by one writer thread. Callers enqueue jobs;
// the thread runs everything that is queued as one transaction (group commit), commits — one
// fsync for the whole batch — and only then fires callbacks and reports sends to the sink. A
// failing batch is rolled back whole and every job in it gets StoreError::kUnavailable.
#pragma once
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/job_queue.hpp"
#include "store/sqlite/statement.hpp"
#include "store/store.hpp"

namespace parley::store::sqlite {

struct SqliteOptions {
  std::string path;              // database file; created with its folder's permissions
  bool sync_full = true;         // synchronous=FULL (survives power loss) or NORMAL (process crash)
  std::size_t max_batch = 4096;  // jobs per transaction at most
  std::function<void(std::uint64_t)> on_commit_us;  // observes each commit's latency (optional)
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database; throws on failure.
  explicit SqliteStore(SqliteOptions options);
  // Drains the queue, commits and joins the writer thread.
  ~SqliteStore() override;

  void set_sink(CommitSink* sink) override { sink_ = sink; }
  void create_user(std::string name, std::string password_hash, Callback<UserId> done) override;
  void find_user(std::string name, Callback<UserRecord> done) override;
  void list_users(Callback<std::vector<std::string>> done) override;
  void submit(SendRequest req) override;
  void read_inbox(UserId user, Seq after, bool incoming_only, std::size_t limit,
                  Callback<InboxPage> done) override;
  void mark_delivered(UserId user, Seq seq) override;
  void history(UserId user, std::string peer, MessageId before, std::size_t limit,
               Callback<HistoryPage> done) override;
  void conversations(UserId user, std::size_t limit,
                     Callback<std::vector<Conversation>> done) override;
  void revoke_token(UserId user, std::string jti, std::int64_t exp, Callback<Empty> done) override;
  void revoke_all_tokens(UserId user, Callback<std::int64_t> done) override;
  void load_revocations(Callback<RevocationState> done) override;
  void ping(Callback<Empty> done) override;

 private:
  // A unit of work run inside the batch transaction. `run` does the SQL and returns the action
  // to take once the batch is committed; `fail` reports a rolled-back batch.
  struct Job {
    std::function<std::function<void()>()> run;
    std::function<void()> fail;
  };

  template <typename T, typename F>
  void enqueue_query(Callback<T> done, F&& body);
  void enqueue(Job job);
  void writer_loop();
  void run_batch(std::vector<Job>& jobs);
  void prepare_statements();
  void load_users();

  // Writer-thread helpers.
  Seq& head_seq(UserId user);
  Seq cursor(UserId user);
  std::string user_name(UserId id) const;
  std::vector<std::string> recipient_names(std::string_view ids) const;
  void do_submit(SendRequest& req);
  StoredMessage read_message(Statement& s, int first_col) const;

  SqliteOptions options_;
  sqlite3* db_ = nullptr;
  CommitSink* sink_ = nullptr;

  JobQueue<Job> queue_;

  // Writer thread only.
  std::unordered_map<std::string, UserId> ids_;
  std::unordered_map<UserId, std::string> names_;
  std::unordered_map<UserId, Seq> heads_;      // last seq per user, loaded lazily
  std::unordered_map<UserId, Seq> delivered_;  // pending cursor raises
  std::vector<Committed> committed_;
  std::vector<Rejected> rejected_;

  Statement begin_, commit_, rollback_;
  Statement insert_user_, find_user_, insert_message_, find_cid_, insert_inbox_;
  Statement max_seq_, read_inbox_, read_inbox_incoming_, read_cursor_, raise_cursor_;
  Statement history_, recent_, insert_revoked_, bump_gen_, read_gen_;
  Statement ping_;

  std::thread writer_;  // last: starts after everything above exists
};

}  // namespace parley::store::sqlite
