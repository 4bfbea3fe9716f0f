// SPDX-License-Identifier: MIT
// RedisStore's account operations (store.hpp "accounts"). Keys: redis_keys.hpp. Each command
// touches one key, so all of it works on a Redis Cluster as well.
#include <algorithm>
#include <cstdlib>

#include "store/redis/redis_codec.hpp"
#include "store/redis/redis_keys.hpp"
#include "store/redis/redis_store.hpp"
#include "util/ascii.hpp"
#include "util/clock.hpp"
#include "util/name_form.hpp"

namespace parley::store::redis {
namespace {}  // namespace

void RedisStore::create_account(NewAccount a, Callback<UserId> done) {
  enqueue_query<UserId>(std::move(done), [a = std::move(a)](RedisConnection& c) -> Result<UserId> {
    std::string key = util::name_key(a.name);
    if (!is_nil(c.command({"HGET", kUsers, a.name}).get()) ||
        !is_nil(c.command({"HGET", kNameKeys, key}).get()))
      return StoreError::kNameTaken;
    std::int64_t now = util::now_ms();
    // A deleted account reserves its key (entries from before keys: its name).
    Reply reserved = c.command({"HMGET", kReserved, a.name, key});
    for (std::size_t i = 0; i < reserved->elements; ++i)
      if (as_int(reserved->element[i]) > now) return StoreError::kNameReserved;
    std::string ikey = invite_key(a.invite);
    auto give_back = [&] {
      if (!a.invite.empty()) {
        c.command({"HINCRBY", ikey, "uses_left", "1"});
        c.command({"HINCRBY", ikey, "uses", "-1"});
      }
    };
    if (!a.invite.empty()) {
      // HINCRBY is atomic: a code is never used more often than it allows, on any node.
      Reply inv = c.command({"HMGET", ikey, "uses_left", "expires_ms"});
      if (inv->elements != 2 || is_nil(inv->element[0]) || as_int(inv->element[1]) <= now)
        return StoreError::kInviteInvalid;
      c.command({"HINCRBY", ikey, "uses", "1"});
      if (as_int(c.command({"HINCRBY", ikey, "uses_left", "-1"}).get()) < 0) {
        give_back();
        return StoreError::kInviteInvalid;
      }
    }
    UserId id = as_int(c.command({"INCR", kUserIds}).get());
    std::string sid = std::to_string(id);
    c.command({"HSET", ukey(id, "profile"), "name", a.name, "password_hash", a.password_hash,
               "token_gen", "0", "delivered_seq", "0", "created_ms", std::to_string(now), "role",
               std::to_string(int(a.role)), "banned", "0"});
    // The key first: of two look-alikes registered at once through different nodes, one wins.
    bool key_won = as_int(c.command({"HSETNX", kNameKeys, key, sid}).get()) == 1;
    if (!key_won || as_int(c.command({"HSETNX", kUsers, a.name, sid}).get()) == 0) {
      if (key_won) c.command({"HDEL", kNameKeys, key});
      c.command({"DEL", ukey(id, "profile")});  // lost a race for the name
      give_back();
      return StoreError::kNameTaken;
    }
    c.command({"HDEL", kReserved, a.name, key});
    return id;
  });
}

void RedisStore::fill_name_keys(RedisConnection& c) {
  if (!is_nil(c.command({"GET", kNameKeysFilled}).get())) return;
  Reply all = c.command({"HGETALL", kUsers});
  // Oldest first: of look-alikes made before keys, the first account holds the key.
  std::vector<std::pair<UserId, std::string>> users;
  for (std::size_t i = 0; i + 1 < all->elements; i += 2)
    users.emplace_back(as_int(all->element[i + 1]), as_string(all->element[i]));
  std::sort(users.begin(), users.end());
  for (const auto& [id, name] : users)
    c.command({"HSETNX", kNameKeys, util::name_key(name), std::to_string(id)});
  c.command({"SET", kNameKeysFilled, "1"});
}

std::optional<Account> RedisStore::read_account(RedisConnection& c, UserId user) {
  Reply p = c.command({"HMGET", ukey(user, "profile"), "name", "display_name", "status", "role",
                       "banned", "created_ms", "deleted_ms", "password_hash"});
  if (p->elements != 8 || is_nil(p->element[0]) || !is_nil(p->element[6])) return std::nullopt;
  return Account{user,
                 as_string(p->element[0]),
                 as_string(p->element[1]),
                 as_string(p->element[2]),
                 Role(as_int(p->element[3])),
                 as_int(p->element[4]) != 0,
                 as_int(p->element[5])};
}

void RedisStore::delete_account(RedisConnection& c, const Account& a, std::int64_t reserve_until) {
  std::string tomb = deleted_name(a.id), id = std::to_string(a.id);
  std::string upto = as_string(c.command({"GET", kMessageIds}).get());
  std::string key = util::name_key(a.name);
  c.command({"HDEL", kUsers, a.name});
  if (as_string(c.command({"HGET", kNameKeys, key}).get()) == id)
    c.command({"HDEL", kNameKeys, key});
  c.command({"HSET", kReserved, key, std::to_string(reserve_until)});
  c.command({"HSET", kDeleted, a.name, id + ":" + (upto.empty() ? "0" : upto)});
  // The inbox and its indexes: every key of the user's hash tag but the profile.
  std::string cursor = "0";
  do {
    Reply r = c.command({"SCAN", cursor, "MATCH", "{u" + id + "}:*", "COUNT", "1000"});
    cursor = as_string(r->element[0]);
    for (std::size_t i = 0; i < r->element[1]->elements; ++i) {
      std::string key = as_string(r->element[1]->element[i]);
      if (key != ukey(a.id, "profile")) c.command({"DEL", key});
    }
  } while (cursor != "0");
  c.command(
      {"HSET", ukey(a.id, "profile"), "name", tomb, "deleted_ms", std::to_string(util::now_ms())});
  c.command(
      {"HDEL", ukey(a.id, "profile"), "password_hash", "display_name", "status", "role", "banned"});
  c.command({"INCR", kDeletedVersion});
  names_[a.id] = tomb;
}

void RedisStore::change_account(AccountChange change, Callback<Account> done) {
  auto cb = std::make_shared<Callback<Account>>(std::move(done));
  enqueue(Job{
      nullptr,
      [this, cb, change = std::move(change)](RedisConnection& c) -> std::function<void()> {
        auto a = read_account(c, change.user);
        if (!a) return [cb] { (*cb)(StoreError::kNotFound); };
        std::string key = ukey(change.user, "profile");
        std::int64_t gen = 0;
        switch (change.op) {
          case AccountOp::kProfile:
            c.command({"HSET", key, "display_name", change.display_name, "status", change.status});
            break;
          case AccountOp::kRole:
            c.command({"HSET", key, "role", std::to_string(int(change.role))});
            break;
          case AccountOp::kUnban:
            c.command({"HSET", key, "banned", "0"});
            break;
          case AccountOp::kBan:
            c.command({"HSET", key, "banned", "1"});
            gen = bump_generation(c, change.user);
            break;
          case AccountOp::kDelete:
            gen = bump_generation(c, change.user);
            delete_account(c, *a, change.reserve_until_ms);
            break;
        }
        Account after = *a;
        if (change.op != AccountOp::kDelete) after = read_account(c, change.user).value_or(*a);
        return [this, cb, after, gen, user = change.user] {
          if (gen && sink_) sink_->on_generation(user, gen);
          (*cb)(after);
        };
      },
      [cb] { (*cb)(StoreError::kUnavailable); }});
}

void RedisStore::search_accounts(std::string query, std::string after, std::size_t limit,
                                 Callback<AccountPage> done) {
  enqueue_query<AccountPage>(
      std::move(done),
      [this, query = util::ascii_lower(query), after = std::move(after),
       limit](RedisConnection& c) -> Result<AccountPage> {
        Reply all = c.command({"HGETALL", kUsers});
        std::vector<std::pair<std::string, UserId>> match;
        for (std::size_t i = 0; i + 1 < all->elements; i += 2) {
          std::string name = as_string(all->element[i]);
          if (name <= after) continue;
          if (!query.empty() && util::ascii_lower(name).find(query) == std::string::npos) continue;
          match.emplace_back(std::move(name), as_int(all->element[i + 1]));
        }
        std::sort(match.begin(), match.end());
        AccountPage page;
        page.total = std::int64_t(all->elements / 2);
        page.more = match.size() > limit;
        if (page.more) match.resize(limit);
        for (const auto& [name, id] : match)
          if (auto a = read_account(c, id)) page.accounts.push_back(std::move(*a));
        return page;
      });
}

void RedisStore::profiles(std::vector<std::string> names, Callback<std::vector<Profile>> done) {
  enqueue_query<std::vector<Profile>>(
      std::move(done),
      [names = std::move(names)](RedisConnection& c) -> Result<std::vector<Profile>> {
        std::vector<Profile> out;
        for (const auto& n : names) {
          if (is_deleted_name(n)) {
            UserId id = std::strtoll(n.c_str() + 9, nullptr, 10);
            Reply p = c.command({"HMGET", ukey(id, "profile"), "name", "deleted_ms"});
            if (p->elements == 2 && as_string(p->element[0]) == n && !is_nil(p->element[1]))
              out.push_back(Profile{n, {}, {}, true});
            continue;
          }
          Reply id = c.command({"HGET", kUsers, n});
          if (is_nil(id.get())) continue;
          Reply p =
              c.command({"HMGET", ukey(as_int(id.get()), "profile"), "display_name", "status"});
          if (p->elements == 2)
            out.push_back(Profile{n, as_string(p->element[0]), as_string(p->element[1]), false});
        }
        return out;
      });
}

void RedisStore::create_invite(Invite invite, Callback<Invite> done) {
  enqueue_query<Invite>(
      std::move(done), [invite = std::move(invite)](RedisConnection& c) -> Result<Invite> {
        std::string key = invite_key(invite.code);
        if (as_int(
                c.command({"HSETNX", key, "uses_left", std::to_string(invite.uses_left)}).get()) ==
            0)
          return StoreError::kNameTaken;
        c.command({"HSET", key, "uses", "0", "expires_ms", std::to_string(invite.expires_ms),
                   "created_ms", std::to_string(invite.created_ms), "created_by",
                   invite.created_by});
        c.command({"SADD", kInvites, invite.code});
        return invite;
      });
}

void RedisStore::list_invites(Callback<std::vector<Invite>> done) {
  enqueue_query<std::vector<Invite>>(
      std::move(done), [](RedisConnection& c) -> Result<std::vector<Invite>> {
        Reply codes = c.command({"SMEMBERS", kInvites});
        std::int64_t now = util::now_ms();
        std::vector<Invite> out;
        for (std::size_t i = 0; i < codes->elements; ++i) {
          std::string code = as_string(codes->element[i]);
          Reply r = c.command({"HMGET", invite_key(code), "uses_left", "uses", "expires_ms",
                               "created_ms", "created_by"});
          Invite inv{code,
                     as_int(r->element[0]),
                     as_int(r->element[1]),
                     as_int(r->element[2]),
                     as_int(r->element[3]),
                     as_string(r->element[4])};
          if (is_nil(r->element[0]) || inv.uses_left <= 0 || inv.expires_ms <= now) {
            c.command({"SREM", kInvites, code});
            c.command({"DEL", invite_key(code)});
            continue;
          }
          out.push_back(std::move(inv));
        }
        std::sort(out.begin(), out.end(), [](const Invite& a, const Invite& b) {
          return std::tie(b.created_ms, a.code) < std::tie(a.created_ms, b.code);
        });
        return out;
      });
}

void RedisStore::delete_invite(std::string code, Callback<Empty> done) {
  enqueue_query<Empty>(std::move(done),
                       [code = std::move(code)](RedisConnection& c) -> Result<Empty> {
                         if (as_int(c.command({"SREM", kInvites, code}).get()) == 0)
                           return StoreError::kNotFound;
                         c.command({"DEL", invite_key(code)});
                         return Empty{};
                       });
}

// Every node, this one included, hears of it through its subscription (cluster/redis_node).
void RedisStore::send_notice(UserId user, std::string content, Callback<Empty> done) {
  enqueue_query<Empty>(std::move(done),
                       [user, content = std::move(content)](RedisConnection& c) -> Result<Empty> {
                         ClusterEvent e{ClusterEvent::Kind::kNotice, user, content, util::now_ms()};
                         c.command({"PUBLISH", "parley:events", encode_event(e)});
                         return Empty{};
                       });
}

void RedisStore::refresh_deleted(RedisConnection& c) {
  std::string version = as_string(c.command({"GET", kDeletedVersion}).get());
  if (version == deleted_version_) return;
  deleted_.clear();
  Reply all = c.command({"HGETALL", kDeleted});
  for (std::size_t i = 0; i + 1 < all->elements; i += 2) {
    std::string v = as_string(all->element[i + 1]);
    auto colon = v.find(':');
    DeletedName d{
        std::strtoll(v.c_str(), nullptr, 10),
        colon == std::string::npos ? 0 : std::strtoll(v.c_str() + colon + 1, nullptr, 10)};
    names_.erase(d.id);  // another node may have deleted it: read the name again
    deleted_.emplace(as_string(all->element[i]), d);
  }
  deleted_version_ = version;
}

void RedisStore::rename_deleted(std::string& name, MessageId id) const {
  if (deleted_.empty()) return;
  auto it = deleted_.find(name);
  // A later account of the same name sent the messages after the deletion.
  if (it != deleted_.end() && id <= it->second.upto) name = deleted_name(it->second.id);
}

void RedisStore::rename_deleted(InboxEntry& e) const {
  rename_deleted(e.from, e.id);
  for (auto& n : e.to) rename_deleted(n, e.id);
}

}  // namespace parley::store::redis
