// SPDX-License-Identifier: MIT
// The storage interface: users, tokens and inboxes. Backends (SQLite embedded, Redis) implement
// it; nothing outside src/store knows which one runs.
//
// Contract for every method: it returns at once; the callback runs later on a thread of the
// store's own (never the caller's), after the effect is durable, and must not block — post the
// result to your own executor. Operations from one caller take effect in the order they were
// called. Results are `Result<T>`: a value or a StoreError.
#pragma once
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "store/account.hpp"
#include "store/file.hpp"
#include "store/types.hpp"

namespace parley::store {

template <typename T>
using Result = std::variant<T, StoreError>;

template <typename T>
using Callback = std::function<void(Result<T>)>;

struct Empty {};

// Receives what the store made durable, on a store thread: sends in commit order, and token
// revocations (in a cluster, from every node). Implementations must not block.
class CommitSink {
 public:
  virtual ~CommitSink() = default;
  virtual void on_committed(std::vector<Committed> batch) = 0;
  virtual void on_rejected(std::vector<Rejected> batch) = 0;
  virtual void on_token_revoked(UserId user, const std::string& jti, std::int64_t exp) = 0;
  virtual void on_generation(UserId user, std::int64_t gen) = 0;
  // Live deliveries may have been missed (the cluster bus reconnected): every connection must
  // catch up from its inbox.
  virtual void on_resync() = 0;
  // The online users of the other nodes changed (cluster only).
  virtual void on_cluster_presence(std::vector<std::string> names) = 0;
  // A system notice (Store::send_notice) to every connected user (user 0) or to one.
  virtual void on_notice(UserId user, const std::string& content, std::int64_t ts) = 0;
};

struct RevocationState {
  std::vector<std::pair<std::string, std::int64_t>> revoked;  // jti, exp
  std::vector<std::pair<UserId, std::int64_t>> generations;   // uid, token_gen (non-zero only)
};

class Store {
 public:
  virtual ~Store() = default;

  // Where committed and rejected sends go. Set once, before the first submit.
  virtual void set_sink(CommitSink* sink) = 0;

  // An account with no invite and the user role (see create_account).
  void create_user(std::string name, std::string password_hash, Callback<UserId> done) {
    create_account(NewAccount{std::move(name), std::move(password_hash), {}, Role::kUser},
                   std::move(done));
  }
  // kNameTaken, kNameReserved (a deleted account's name, until its reservation ends),
  // kInviteInvalid (NewAccount::invite given and not usable: nothing is created or consumed).
  virtual void create_account(NewAccount account, Callback<UserId> done) = 0;
  // A registered, not deleted user (kNotFound otherwise).
  virtual void find_user(std::string name, Callback<UserRecord> done) = 0;
  // Every registered name, sorted.
  virtual void list_users(Callback<std::vector<std::string>> done) = 0;

  // Stores a message for every registered recipient (the sender and unknown names skipped) and
  // a copy in the sender's inbox, then reports it to the sink. A (sender, cid) seen before is
  // reported as a duplicate and not stored again. With `group` set the recipients are the
  // group's members when the send commits; a sender who is not one is rejected (not_member).
  // Other kinds (SendRequest::kind): a recall or an edit of the sender's own message `ref`
  // within `window_ms` (the content is deleted / replaced in the store, and an entry recording
  // it goes to the inbox of the sender and of every recipient of the target); a read marker
  // moving forward to `ref` in the conversation with to[0] or `group` (durable; reported live
  // only, to the reader's other devices and a one-to-one peer); typing (reported live only, never
  // stored). A refusal is reported as Rejected with `error` set.
  virtual void submit(SendRequest req) = 0;

  // Inbox entries with seq > after, oldest first, at most `limit`. `incoming_only` skips the
  // user's own copies (the classic "offline messages"). `after` < 0 starts at the user's
  // delivered cursor (one round trip for a classic login).
  virtual void read_inbox(UserId user, Seq after, bool incoming_only, std::size_t limit,
                          Callback<InboxPage> done) = 0;
  // Raises the user's delivered cursor to `seq` (never lowers it). Fire and forget.
  virtual void mark_delivered(UserId user, Seq seq) = 0;

  // Messages between `user` and `peer` with id < before (0 = newest), newest `limit`.
  virtual void history(UserId user, std::string peer, MessageId before, std::size_t limit,
                       Callback<HistoryPage> done) = 0;
  virtual void conversations(UserId user, std::size_t limit,
                             Callback<std::vector<Conversation>> done) = 0;

  // Revokes one token. The sink hears of it (on every node) before `done` runs.
  virtual void revoke_token(UserId user, std::string jti, std::int64_t exp,
                            Callback<Empty> done) = 0;
  // Bumps the user's token generation; returns the new one. The sink hears of it first.
  virtual void revoke_all_tokens(UserId user, Callback<std::int64_t> done) = 0;
  // Replaces the user's password hash and, in the same step, revokes every token (as
  // revoke_all_tokens; returns the new generation). kNotFound for an unknown user.
  virtual void set_password(UserId user, std::string password_hash,
                            Callback<std::int64_t> done) = 0;
  virtual void load_revocations(Callback<RevocationState> done) = 0;

  // ---- groups ----
  // Applies a change (create, add, remove/leave, rename, admins, delete) by the rules of
  // store/group_rules.hpp to the group as it is when the change commits. The change is recorded
  // as an event entry (EntryKind::kGroupEvent) in the inbox of the actor, every member and every
  // removed member, in order with the messages, and reported to the sink like a message (origin
  // 0). Errors: kNoSuchGroup, kNotMember, kForbidden, kTooMany, kBadRequest; unregistered names
  // come back in GroupReply::unknown with nothing changed.
  virtual void change_group(GroupChange change, Callback<GroupReply> done) = 0;
  // The groups `user` is a member of.
  virtual void list_groups(UserId user, Callback<std::vector<Group>> done) = 0;
  // One group, for a member only (kNotMember otherwise, kNoSuchGroup when there is none).
  virtual void get_group(UserId user, GroupId group, Callback<Group> done) = 0;
  // The group's messages and events with id < before (0 = newest), newest `limit`, for a
  // current member only, from the moment they joined.
  virtual void group_history(UserId user, GroupId group, MessageId before, std::size_t limit,
                             Callback<HistoryPage> done) = 0;

  // How far each member has read the group (members only).
  virtual void group_reads(UserId user, GroupId group, Callback<std::vector<ReadMarker>> done) = 0;

  // ---- accounts (store/account.hpp) ----
  // Applies one change to a registered user (kNotFound otherwise) and returns the account after
  // it. kBan and kDelete revoke every token as revoke_all_tokens does (the sink hears of the new
  // generation first); kDelete also renames the account to deleted_name(id) for everything it
  // sent, removes its profile and inbox, and reserves the old name until reserve_until_ms.
  virtual void change_account(AccountChange change, Callback<Account> done) = 0;
  // Registered users whose name contains `query` (ASCII case-insensitive; empty = all), by name,
  // after the name `after`, at most `limit`.
  virtual void search_accounts(std::string query, std::string after, std::size_t limit,
                               Callback<AccountPage> done) = 0;
  // The profiles of those names that exist (deleted_name()s answer as deleted), in input order.
  virtual void profiles(std::vector<std::string> names, Callback<std::vector<Profile>> done) = 0;
  // Invite codes: created as given (kNameTaken if the code exists), listed (expired ones and
  // used-up ones are dropped), deleted (kNotFound).
  virtual void create_invite(Invite invite, Callback<Invite> done) = 0;
  virtual void list_invites(Callback<std::vector<Invite>> done) = 0;
  virtual void delete_invite(std::string code, Callback<Empty> done) = 0;

  // ---- files (store/file.hpp) ----
  // Records an upload; the same bytes uploaded again by the same owner answer the record kept.
  // A record no message references is "unreferenced since" its upload (a repeated upload of it
  // restarts that clock); a send carrying it marks it referenced in the send's own commit, and
  // the recall of the last un-recalled message carrying it makes it unreferenced again from the
  // recall on (its recipients may no longer read it). An account's deletion changes nothing
  // here: what it never sent is unreferenced already, what it sent stays in others' history.
  virtual void create_file(FileRecord file, Callback<FileRecord> done) = 0;
  // Removes (at most `limit`) records unreferenced since before `unreferenced_before_ms`, each
  // only if it still is when removed (atomically with the check: a send committing meanwhile
  // keeps it), and reports the contents (sha256) that no record of any owner keeps any more.
  virtual void sweep_files(std::int64_t unreferenced_before_ms, std::size_t limit,
                           Callback<SweptFiles> done) = 0;
  // Whether any record (any owner) has this content: the sweeper's re-check before it deletes.
  virtual void content_in_use(std::string sha256, Callback<bool> done) = 0;
  // Bytes of the files `user` uploaded and the store still keeps (what counts against the quota).
  virtual void file_usage(UserId user, Callback<std::int64_t> done) = 0;
  // The file if `user` may read it: its uploader, a recipient of an un-recalled message carrying
  // it, or a current member of a group such a message went to. kNotFound otherwise — also when it
  // exists. (A send carrying files — SendRequest::files — is refused with error "bad_file" unless
  // every id is the sender's own upload; its recipients may read them from the commit on.)
  virtual void readable_file(UserId user, std::string id, Callback<FileRecord> done) = 0;

  // A system notice from the administrators to every connected user (user 0) or to one user's
  // connections: live only, never stored; the sink of every node hears of it (on_notice).
  virtual void send_notice(UserId user, std::string content, Callback<Empty> done) = 0;

  // Answers once the backend has completed a round trip (readiness probe).
  virtual void ping(Callback<Empty> done) = 0;
};

}  // namespace parley::store
