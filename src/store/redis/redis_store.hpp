// SPDX-License-Identifier: MIT
// The scale-out store: users, tokens and inboxes in Redis, shared by every node. One worker
// thread owns a pipelined connection; consecutive sends are written as one pipeline (group
// commit). Committed sends are published on `parley:deliver`, so every node — this one
// included — delivers them to its own connections (one delivery path). Keys carry the user's hash
// tag `{u<id>}`, so all of one user's keys live in one Redis Cluster slot (docs/SCALING.md).
//
// When Redis fails, jobs fail fast with StoreError::kUnavailable (no waiting on a dead server),
// the connection is retried with backoff, and nothing is acknowledged that was not written.
#pragma once
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
#include <vector>

#include "store/job_queue.hpp"
#include "store/redis/redis_connection.hpp"
#include "store/store.hpp"

namespace parley::store::redis {

struct RedisOptions {
  std::string url;                                  // redis://[:password@]host:port[/db]
  std::chrono::milliseconds timeout{1000};          // connect and command time-out
  std::size_t max_batch = 1024;                     // jobs per pipeline at most
  std::function<void(std::uint64_t)> on_commit_us;  // observes each batch's latency
  // Failpoint for tests: commit but never publish, as a node killed between the two would.
  bool skip_publish = false;
  // Failpoint for tests: in the first batch of two send pipelines or more, once the first is
  // committed the connection breaks after this many more commands (-1: never).
  int break_batch_after = -1;
  // Replicas that must hold a batch's sends before they are published and acknowledged (WAIT):
  // an ack given before a replica has the write is lost if the master dies. -1 = 1 when the
  // master has replicas (asked at each connection), else 0.
  int min_replicas_ack = -1;
  std::chrono::milliseconds replica_ack_timeout{500};  // below `timeout`
};

class RedisStore final : public Store {
 public:
  explicit RedisStore(RedisOptions options);
  ~RedisStore() override;

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
  // redis_accounts.cpp
  void change_account(AccountChange change, Callback<Account> done) override;
  void search_accounts(std::string query, std::string after, std::size_t limit,
                       Callback<AccountPage> done) override;
  void profiles(std::vector<std::string> names, Callback<std::vector<Profile>> done) override;
  void create_invite(Invite invite, Callback<Invite> done) override;
  void list_invites(Callback<std::vector<Invite>> done) override;
  void delete_invite(std::string code, Callback<Empty> done) override;
  void send_notice(UserId user, std::string content, Callback<Empty> done) override;
  // redis_files.cpp
  void create_file(FileRecord file, Callback<FileRecord> done) override;
  void sweep_files(std::int64_t unreferenced_before_ms, std::size_t limit,
                   Callback<SweptFiles> done) override;
  void content_in_use(std::string sha256, Callback<bool> done) override;
  void file_usage(UserId user, Callback<std::int64_t> done) override;
  void readable_file(UserId user, std::string id, Callback<FileRecord> done) override;

 private:
  struct Job {
    SendRequest* send = nullptr;  // set for sends, which are pipelined together
    std::function<std::function<void()>(RedisConnection&)> run;
    std::function<void()> fail;
  };

  // One plain send on its way through a group commit (prepare_sends, then commit_sends).
  struct SendWork {
    SendRequest* req = nullptr;
    Committed c;
    std::vector<UserId> ids;
    bool rejected = false;
    bool complete_dup = false;
    bool resumed = false;                // an incomplete cid record: reuse its id
    bool not_member = false;             // a group send from outside the group
    bool bad_file = false;               // a file it carries was swept since the check
    int dup_of = -1;                     // the same (sender, cid) earlier in this batch
    std::unique_ptr<SendRequest> owned;  // set when held: the batch that brought it is gone
  };

  template <typename T, typename F>
  void enqueue_query(Callback<T> done, F&& body);
  void enqueue(Job job);
  void worker_loop();
  void run_batch(std::vector<Job>& jobs);
  static std::size_t send_units(const std::vector<Job>& jobs);
  void run_sends(std::vector<SendRequest*>& sends);
  std::vector<SendWork> prepare_sends(std::vector<SendRequest*>& sends);
  void commit_sends(std::vector<SendWork>& work);
  void finish_held();
  SendWork* find_held(const SendRequest* req);
  void flush_cursors();
  void connect();
  // WAIT for the replicas a send needs (min_replicas_ack); throws RedisError when fewer confirm.
  void await_replicas();
  std::string user_name(UserId id);
  Result<GroupReply> do_change_group(RedisConnection& c, const GroupChange& change);
  void record_event(RedisConnection& c, Committed& event);
  std::optional<InboxEntry> find_entry(RedisConnection& c, UserId user, MessageId id);
  // Sent one at a time, after checks: replies, files, and every kind but a plain message.
  static bool special(const SendRequest& r) {
    return r.kind != EntryKind::kMessage || r.ref || !r.files.empty();
  }
  // redis_files.cpp: the sender's own uploads, as FILE JSON into req.files_json (false: not).
  bool attach_files(RedisConnection& c, SendRequest& req);
  // A send's file is referenced by message `msg` (false: the record is gone); a recall drops
  // that reference. Records from before clean-up are indexed once (backfill_files, at connect).
  static bool mark_file(RedisConnection& c, const std::string& id, MessageId msg,
                        const std::string& readers);
  static void unmark_file(RedisConnection& c, const std::string& id, MessageId msg);
  static void backfill_files(RedisConnection& c);
  void run_special(SendRequest& req);
  template <typename Reject>
  void change_message(SendRequest& req, Reject& reject);
  template <typename Reject>
  void live_notice(SendRequest& req, Reject& reject);
  // Inbox entries of `user` at the given seqs, as messages (history and conversations).
  std::vector<StoredMessage> read_stored(RedisConnection& c, UserId user,
                                         const std::vector<Seq>& seqs);
  Seq cursor(RedisConnection& c, UserId user);
  // Bumps the user's token generation and tells every node (the caller calls the sink after).
  std::int64_t bump_generation(RedisConnection& c, UserId user);
  std::optional<Account> read_account(RedisConnection& c, UserId user);
  void delete_account(RedisConnection& c, const Account& a, std::int64_t reserve_until_ms);
  // Fills kNameKeys from kUsers once per Redis (accounts older than name keys).
  static void fill_name_keys(RedisConnection& c);
  // Names of deleted accounts, as entries read back spell them: refreshed when any node
  // deleted one (a version counter), then applied to every `from` and `to` of a read.
  void refresh_deleted(RedisConnection& c);
  void rename_deleted(std::string& name, MessageId id) const;
  void rename_deleted(InboxEntry& e) const;

  RedisOptions options_;
  CommitSink* sink_ = nullptr;
  std::atomic<bool> healthy_{false};  // for logging the transitions only
  RedisConnection conn_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{100};

  JobQueue<Job> queue_;

  // Worker thread only.
  // Sends whose writes a broken connection left in doubt; finished before any other job.
  std::vector<SendWork> held_;
  bool break_fired_ = false;                         // the break_batch_after failpoint fires once
  int replicas_to_wait_ = 0;                         // min_replicas_ack as resolved at connect()
  std::unordered_map<UserId, std::string> names_;    // id -> name (until it is deleted)
  std::unordered_map<UserId, Seq> cursors_;          // pending delivered-cursor raises
  std::string append_sha_, cursor_sha_, raise_sha_;  // loaded Lua scripts
  struct DeletedName {
    UserId id = 0;
    MessageId upto = 0;  // the account sent nothing after this message id
  };
  std::unordered_map<std::string, DeletedName> deleted_;  // old name -> the deleted account
  std::string deleted_version_;
  std::thread worker_;
};

// A job that runs `body(connection)` (returning Result<T>) and answers `done` with it.
template <typename T, typename F>
inline void RedisStore::enqueue_query(Callback<T> done, F&& body) {
  auto cb = std::make_shared<Callback<T>>(std::move(done));
  enqueue(
      Job{nullptr,
          [cb, body = std::forward<F>(body)](RedisConnection& c) mutable -> std::function<void()> {
            auto result = std::make_shared<Result<T>>(body(c));
            return [cb, result] { (*cb)(std::move(*result)); };
          },
          [cb] { (*cb)(StoreError::kUnavailable); }});
}

}  // namespace parley::store::redis
