// SPDX-License-Identifier: MIT
// The embedded store: one SQLite database (WAL) owned by one writer thread. Callers enqueue jobs;
// the thread runs everything that is queued as one transaction (group commit), commits — one
// fsync for the whole batch — and only then fires callbacks and reports sends to the sink. A
// failing batch is rolled back whole and every job in it gets StoreError::kUnavailable.
//
// A send appends one row to the message log; the indexes over it (which seq of which user holds
// which message; which message a client id names) are kept in memory (IndexTail) and written
// behind, every `index_flush_ms` or `index_flush_entries` (see schema.sql).
#pragma once
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/job_queue.hpp"
#include "store/sqlite/inbox_reader.hpp"
#include "store/sqlite/index_tail.hpp"
#include "store/sqlite/log_row.hpp"
#include "store/sqlite/read_markers.hpp"
#include "store/sqlite/statement.hpp"
#include "store/store.hpp"

namespace parley::store::sqlite {

struct SqliteOptions {
  std::string path;              // database file; created with its folder's permissions
  bool sync_full = true;         // synchronous=FULL (survives power loss) or NORMAL (process crash)
  std::size_t max_batch = 4096;  // jobs per transaction at most
  std::size_t index_flush_entries = 65536;  // write the inbox index at this many new entries
  int index_flush_ms = 1000;                // or when the oldest unwritten entry is this old
  std::function<void(std::uint64_t)> on_commit_us;  // observes each commit's latency (optional)
  unsigned reader_threads = 2;  // history and inbox reads, each with a read-only connection
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database; throws on failure.
  explicit SqliteStore(SqliteOptions options);
  // Drains the queue, commits and joins the writer thread.
  ~SqliteStore() override;

  void set_sink(CommitSink* sink) override { sink_ = sink; }
  void create_account(NewAccount account, Callback<UserId> done) override;
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
  void change_group(GroupChange change, Callback<GroupReply> done) override;
  void list_groups(UserId user, Callback<std::vector<Group>> done) override;
  void get_group(UserId user, GroupId group, Callback<Group> done) override;
  void group_history(UserId user, GroupId group, MessageId before, std::size_t limit,
                     Callback<HistoryPage> done) override;
  void group_reads(UserId user, GroupId group, Callback<std::vector<ReadMarker>> done) override;
  void revoke_token(UserId user, std::string jti, std::int64_t exp, Callback<Empty> done) override;
  void revoke_all_tokens(UserId user, Callback<std::int64_t> done) override;
  void set_password(UserId user, std::string password_hash, Callback<std::int64_t> done) override;
  void load_revocations(Callback<RevocationState> done) override;
  void ping(Callback<Empty> done) override;
  // sqlite_accounts.cpp
  void change_account(AccountChange change, Callback<Account> done) override;
  void search_accounts(std::string query, std::string after, std::size_t limit,
                       Callback<AccountPage> done) override;
  void profiles(std::vector<std::string> names, Callback<std::vector<Profile>> done) override;
  void create_invite(Invite invite, Callback<Invite> done) override;
  void list_invites(Callback<std::vector<Invite>> done) override;
  void delete_invite(std::string code, Callback<Empty> done) override;
  void send_notice(UserId user, std::string content, Callback<Empty> done) override;
  // sqlite_files.cpp
  void create_file(FileRecord file, Callback<FileRecord> done) override;
  void sweep_files(std::int64_t unreferenced_before_ms, std::size_t limit,
                   Callback<SweptFiles> done) override;
  void content_in_use(std::string sha256, Callback<bool> done) override;
  void file_usage(UserId user, Callback<std::int64_t> done) override;
  void readable_file(UserId user, std::string id, Callback<FileRecord> done) override;

 private:
  // A unit of work run inside the batch transaction: a send (the hot path: held by value, no
  // allocation of its own), or `run`, which does the SQL and returns the action to take once the
  // batch is committed, with `fail` to report a rolled-back batch.
  struct Job {
    std::optional<SendRequest> send;
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
  void load_groups();
  void load_deleted();
  Result<Account> read_account(UserId user);
  std::int64_t apply_account_change(const AccountChange& change);
  // A send's files: the sender's own uploads, as FILE JSON in c.files (false: one is not).
  bool attach_files(const SendRequest& req, Committed& c);
  // Message `msg` carries them (in its own batch): referenced, and readable by its recipients.
  void mark_referenced(const std::vector<std::string>& files, MessageId msg);
  // Message `msg` (carrying `files_json`) was recalled: its files lose that reference.
  void drop_references(MessageId msg, std::string_view files_json);

  using Visit = std::function<bool(Seq, MessageId)>;  // false stops the scan

  // Writer-thread helpers.
  Seq& head_seq(UserId user);
  Seq cursor(UserId user);
  std::string user_name(UserId id) const;
  // A registered user, or a deleted account by its deleted_name() (history stays readable); 0.
  UserId conversation_peer(std::string_view name) const;
  std::vector<std::string> recipient_names(std::string_view ids) const;
  void do_submit(SendRequest& req);
  void do_change_message(SendRequest& req);  // recall, edit
  void do_read(SendRequest& req);
  void do_typing(SendRequest& req);
  bool resolve_conversation(SendRequest& req, Committed& c, std::int64_t& conv);
  bool same_conversation(const LogRow& target, const SendRequest& req) const;
  void reject(const SendRequest& req, std::string_view error);
  // Appends `c` (recipients resolved, seqs not yet) to the log and the index tail.
  void append_to_log(Committed& c, std::string_view content);
  Result<GroupReply> do_change_group(const GroupChange& change);
  void write_group(const Group& before, const Group& after);
  const Group* member_group(UserId user, GroupId group, StoreError& error) const;
  bool read_row(MessageId id, LogRow& row) { return read_log_row(read_row_, id, row); }
  // What a reader needs of the user's inbox besides the database (inbox_reader.hpp).
  InboxView inbox_view(UserId user);
  StoredMessage stored_message(LogRow& row) const;
  // A user's inbox entries, all in descending order (conversations).
  void scan_backward(UserId user, const Visit& visit);
  bool index_due() const;
  void write_index();           // inside a transaction; the caller clears the tail once committed
  bool write_index_in_batch();  // write_index() under a savepoint; false if it failed
  void flush_index();           // a transaction of its own
  void index_write_failed(const std::exception& e);
  void rebuild_tail();  // replays the log past meta('indexed_upto')
  void reset_caches();  // after a rollback: reload everything from the database

  SqliteOptions options_;
  sqlite3* db_ = nullptr;
  CommitSink* sink_ = nullptr;

  JobQueue<Job> queue_;

  // Writer thread only.
  std::unordered_map<std::string, UserId> ids_;
  // util::name_key of every live name -> its account: look-alike names are one name. Derived
  // from `users` at load (the first account of a key keeps it; older look-alikes keep theirs).
  std::unordered_map<std::string, UserId> keys_;
  std::unordered_map<UserId, std::string> names_;  // deleted accounts: deleted_name(id)
  std::unordered_set<UserId> deleted_;     // their inbox entries are neither kept nor written
  std::unordered_map<UserId, Seq> heads_;  // last seq per user, loaded lazily
  std::unordered_map<GroupId, Group> groups_;
  std::unordered_map<UserId, std::vector<GroupId>> user_groups_;  // the groups of each member
  IndexTail tail_;
  std::chrono::steady_clock::time_point tail_since_;      // when the tail got its first entry
  std::chrono::steady_clock::time_point index_retry_at_;  // after a failed write of the index
  std::unordered_map<UserId, Seq> delivered_;             // pending cursor raises
  std::vector<Committed> committed_;
  std::vector<Rejected> rejected_;

  Statement begin_, commit_, rollback_;
  Statement insert_user_, find_user_, insert_message_, find_cid_, read_row_;
  Statement last_chunk_seq_, chunks_back_, insert_chunk_, set_indexed_;
  Statement insert_cid_;
  Statement read_cursor_, raise_cursor_, insert_revoked_, bump_gen_, read_gen_, ping_;
  Statement insert_group_, rename_group_, delete_group_, upsert_member_, delete_member_;
  Statement group_history_;
  ReadMarkers reads_;  // writer thread

  std::unique_ptr<InboxReader> reader_;  // history and inbox pages, off the writer thread
  std::thread writer_;                   // last: starts after everything above exists
};

// A job that runs `body` (returning Result<T>) and answers `done` with it after the commit.
template <typename T, typename F>
inline void SqliteStore::enqueue_query(Callback<T> done, F&& body) {
  auto cb = std::make_shared<Callback<T>>(std::move(done));
  enqueue(Job{std::nullopt,
              [this, cb, body = std::forward<F>(body)]() mutable -> std::function<void()> {
                auto result = std::make_shared<Result<T>>(body());
                return [cb, result] { (*cb)(std::move(*result)); };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

}  // namespace parley::store::sqlite
