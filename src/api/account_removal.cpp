// SPDX-License-Identifier: MIT
#include "api/account_removal.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "store/store.hpp"

namespace parley::api {
namespace {

struct Removal : std::enable_shared_from_this<Removal> {
  store::Store& store;
  store::UserId user;
  std::string name;
  std::int64_t reserve_until_ms;
  std::function<void(RemovalResult)> done;
  std::vector<store::GroupId> groups;

  Removal(store::Store& s, store::UserId u, std::string n, std::int64_t until,
          std::function<void(RemovalResult)> d)
      : store(s), user(u), name(std::move(n)), reserve_until_ms(until), done(std::move(d)) {}

  // One group at a time, from the store's thread: leaving is ordered like any other change.
  void leave_next() {
    if (groups.empty()) return finish();
    store::GroupChange leave;
    leave.op = store::GroupOp::kRemove;
    leave.actor = user;
    leave.actor_name = name;
    leave.group = groups.back();
    leave.names = {name};
    groups.pop_back();
    store.change_group(std::move(leave), [self = shared_from_this()](auto) { self->leave_next(); });
  }

  void finish() {
    store::AccountChange del;
    del.op = store::AccountOp::kDelete;
    del.user = user;
    del.reserve_until_ms = reserve_until_ms;
    store.change_account(std::move(del), [self = shared_from_this()](auto r) {
      if (auto* e = std::get_if<store::StoreError>(&r))
        return self->done(*e == store::StoreError::kNotFound ? RemovalResult::kNotFound
                                                             : RemovalResult::kFailed);
      spdlog::info("account '{}' deleted", self->name);
      self->done(RemovalResult::kDone);
    });
  }
};

}  // namespace

void remove_account(store::Store& store, store::UserId user, std::string name,
                    std::int64_t reserve_until_ms, std::function<void(RemovalResult)> done) {
  auto removal =
      std::make_shared<Removal>(store, user, std::move(name), reserve_until_ms, std::move(done));
  store.list_groups(user, [removal](auto r) {
    auto* list = std::get_if<std::vector<store::Group>>(&r);
    if (!list) return removal->done(RemovalResult::kFailed);
    for (const auto& g : *list) removal->groups.push_back(g.id);
    removal->leave_next();
  });
}

}  // namespace parley::api
