// SPDX-License-Identifier: MIT
// SqliteStore's account operations (store.hpp "accounts"): creation with invites and reserved
// names, profiles, roles, bans, deletion, search. All of it runs on the writer thread, inside
// the batch transaction, like every other job.
#include <algorithm>

#include "store/sqlite/sqlite_store.hpp"
#include "util/ascii.hpp"
#include "util/clock.hpp"
#include "util/name_form.hpp"

namespace parley::store::sqlite {
namespace {

Account account_of(const Statement& s) {
  // Columns: id, name, display_name, status, role, banned, created_ms.
  return Account{s.int64(0),
                 std::string(s.text(1)),
                 std::string(s.text(2)),
                 std::string(s.text(3)),
                 Role(s.int64(4)),
                 s.int64(5) != 0,
                 s.int64(6)};
}

constexpr const char* kAccountColumns =
    "SELECT id, name, display_name, status, role, banned, created_ms FROM users ";

// ASCII case folding is enough for the admin search box; other scripts match exactly.
}  // namespace

void SqliteStore::load_deleted() {
  Statement s(db_, "SELECT id FROM users WHERE deleted_ms IS NOT NULL");
  while (s.step()) deleted_.insert(s.int64(0));
}

void SqliteStore::create_account(NewAccount a, Callback<UserId> done) {
  enqueue_query<UserId>(std::move(done), [this, a = std::move(a)]() -> Result<UserId> {
    std::string key = util::name_key(a.name);
    if (ids_.count(a.name) || keys_.count(key)) return StoreError::kNameTaken;
    std::int64_t now = util::now_ms();
    // A deleted account reserves its name and its key (rows from before keys: the name).
    Statement reserved(db_, "SELECT MAX(until_ms) FROM reserved_names WHERE name IN (?1, ?2)");
    reserved.bind(1, a.name).bind(2, key);
    if (reserved.step() && !reserved.is_null(0) && reserved.int64(0) > now)
      return StoreError::kNameReserved;
    if (!a.invite.empty()) {
      Statement invite(db_,
                       "UPDATE invites SET uses_left=uses_left-1, uses=uses+1 "
                       "WHERE code=?1 AND uses_left>0 AND expires_ms>?2");
      invite.bind(1, a.invite).bind(2, now).run();
      if (sqlite3_changes(db_) == 0) return StoreError::kInviteInvalid;
    }
    insert_user_.bind(1, a.name)
        .bind(2, a.password_hash)
        .bind(3, now)
        .bind(4, std::int64_t(a.role))
        .run();
    UserId id = sqlite3_last_insert_rowid(db_);
    Statement(db_, "DELETE FROM reserved_names WHERE name IN (?1, ?2)")
        .bind(1, a.name)
        .bind(2, key)
        .run();
    ids_.emplace(a.name, id);
    keys_.emplace(std::move(key), id);
    names_.emplace(id, a.name);
    return id;
  });
}

Result<Account> SqliteStore::read_account(UserId user) {
  Statement s(db_, std::string(kAccountColumns) + "WHERE id=?1 AND deleted_ms IS NULL");
  s.bind(1, user);
  if (!s.step()) return StoreError::kNotFound;
  return account_of(s);
}

// Returns the new token generation when the change revoked the user's tokens (0 otherwise).
std::int64_t SqliteStore::apply_account_change(const AccountChange& c) {
  const std::int64_t id = c.user;
  switch (c.op) {
    case AccountOp::kProfile:
      Statement(db_, "UPDATE users SET display_name=?2, status=?3 WHERE id=?1")
          .bind(1, id)
          .bind(2, c.display_name)
          .bind(3, c.status)
          .run();
      return 0;
    case AccountOp::kRole:
      Statement(db_, "UPDATE users SET role=?2 WHERE id=?1")
          .bind(1, id)
          .bind(2, std::int64_t(c.role))
          .run();
      return 0;
    case AccountOp::kUnban:
      Statement(db_, "UPDATE users SET banned=0 WHERE id=?1").bind(1, id).run();
      return 0;
    case AccountOp::kBan:
      Statement(db_, "UPDATE users SET banned=1, token_gen=token_gen+1 WHERE id=?1")
          .bind(1, id)
          .run();
      break;
    case AccountOp::kDelete: {
      std::string old = user_name(id), tomb = deleted_name(id);
      Statement(db_,
                "UPDATE users SET name=?2, password_hash='', display_name='', status='', role=0, "
                "banned=0, deleted_ms=?3, token_gen=token_gen+1 WHERE id=?1")
          .bind(1, id)
          .bind(2, tomb)
          .bind(3, util::now_ms())
          .run();
      std::string key = util::name_key(old);
      Statement(db_, "INSERT OR REPLACE INTO reserved_names(name, until_ms) VALUES(?1, ?2)")
          .bind(1, key)
          .bind(2, c.reserve_until_ms)
          .run();
      // The inbox: its written chunks, and (via deleted_) whatever the index tail still holds
      // or a replay of the log would add for this user.
      Statement(db_, "DELETE FROM inbox_chunks WHERE user=?1").bind(1, id).run();
      Statement(db_, "DELETE FROM cids WHERE sender=?1").bind(1, id).run();
      heads_.erase(id);
      deleted_.insert(id);
      ids_.erase(old);
      if (auto k = keys_.find(key); k != keys_.end() && k->second == id) keys_.erase(k);
      names_[id] = tomb;
      for (GroupId g : user_groups_[id])
        if (auto it = groups_.find(g); it != groups_.end())
          if (GroupMember* m = it->second.find(id)) m->name = tomb;
      break;
    }
  }
  read_gen_.bind(1, id);
  std::int64_t gen = read_gen_.step() ? read_gen_.int64(0) : 0;
  read_gen_.reset();
  return gen;
}

void SqliteStore::change_account(AccountChange change, Callback<Account> done) {
  auto cb = std::make_shared<Callback<Account>>(std::move(done));
  enqueue(Job{std::nullopt,
              [this, cb, change = std::move(change)]() -> std::function<void()> {
                Result<Account> before = read_account(change.user);
                if (std::holds_alternative<StoreError>(before))
                  return [cb, before] { (*cb)(before); };
                std::int64_t gen = apply_account_change(change);
                Result<Account> after = before;
                if (change.op != AccountOp::kDelete) after = read_account(change.user);
                return [this, cb, after, gen, user = change.user] {
                  if (gen && sink_) sink_->on_generation(user, gen);
                  (*cb)(after);
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void SqliteStore::search_accounts(std::string query, std::string after, std::size_t limit,
                                  Callback<AccountPage> done) {
  enqueue_query<AccountPage>(
      std::move(done),
      [this, query = util::ascii_lower(query), after = std::move(after),
       limit]() -> Result<AccountPage> {
        AccountPage page;
        Statement s(db_, std::string(kAccountColumns) +
                             "WHERE deleted_ms IS NULL AND name>?1 AND "
                             "(?2='' OR instr(lower(name), ?2)>0) ORDER BY name LIMIT ?3");
        s.bind(1, after).bind(2, query).bind(3, std::int64_t(limit) + 1);
        while (s.step()) page.accounts.push_back(account_of(s));
        if (page.accounts.size() > limit) {
          page.accounts.pop_back();
          page.more = true;
        }
        page.total = std::int64_t(ids_.size());
        return page;
      });
}

void SqliteStore::profiles(std::vector<std::string> names, Callback<std::vector<Profile>> done) {
  enqueue_query<std::vector<Profile>>(
      std::move(done), [this, names = std::move(names)]() -> Result<std::vector<Profile>> {
        std::vector<Profile> out;
        Statement s(db_, "SELECT display_name, status, deleted_ms FROM users WHERE name=?1");
        for (const auto& n : names) {
          s.bind(1, n);
          if (s.step())
            out.push_back(
                Profile{n, std::string(s.text(0)), std::string(s.text(1)), !s.is_null(2)});
          s.reset();
        }
        return out;
      });
}

void SqliteStore::create_invite(Invite invite, Callback<Invite> done) {
  enqueue_query<Invite>(std::move(done), [this, invite = std::move(invite)]() -> Result<Invite> {
    Statement(db_,
              "INSERT OR IGNORE INTO invites(code, uses_left, uses, expires_ms, created_ms, "
              "created_by) VALUES(?1, ?2, 0, ?3, ?4, ?5)")
        .bind(1, invite.code)
        .bind(2, invite.uses_left)
        .bind(3, invite.expires_ms)
        .bind(4, invite.created_ms)
        .bind(5, invite.created_by)
        .run();
    if (sqlite3_changes(db_) == 0) return StoreError::kNameTaken;
    return invite;
  });
}

void SqliteStore::list_invites(Callback<std::vector<Invite>> done) {
  enqueue_query<std::vector<Invite>>(std::move(done), [this]() -> Result<std::vector<Invite>> {
    Statement(db_, "DELETE FROM invites WHERE uses_left<=0 OR expires_ms<=?1")
        .bind(1, util::now_ms())
        .run();
    std::vector<Invite> out;
    Statement s(db_,
                "SELECT code, uses_left, uses, expires_ms, created_ms, created_by FROM invites "
                "ORDER BY created_ms DESC, code");
    while (s.step())
      out.push_back(Invite{std::string(s.text(0)), s.int64(1), s.int64(2), s.int64(3), s.int64(4),
                           std::string(s.text(5))});
    return out;
  });
}

void SqliteStore::delete_invite(std::string code, Callback<Empty> done) {
  enqueue_query<Empty>(std::move(done), [this, code = std::move(code)]() -> Result<Empty> {
    Statement(db_, "DELETE FROM invites WHERE code=?1").bind(1, code).run();
    if (sqlite3_changes(db_) == 0) return StoreError::kNotFound;
    return Empty{};
  });
}

void SqliteStore::send_notice(UserId user, std::string content, Callback<Empty> done) {
  auto cb = std::make_shared<Callback<Empty>>(std::move(done));
  enqueue(Job{std::nullopt,
              [this, cb, user, content = std::move(content)]() -> std::function<void()> {
                return [this, cb, user, content] {
                  if (sink_) sink_->on_notice(user, content, util::now_ms());
                  (*cb)(Empty{});
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

}  // namespace parley::store::sqlite
