// SPDX-License-Identifier: MIT
// The accounts part of the storage contract, on SQLite and on Redis: invite codes consumed
// atomically and never past their uses, reserved names, roles and bans in find_user, search with
// paging, profiles, deletion (the inbox gone, the name free after its reservation, what the
// account sent shown as from deleted_name(id) even to a later user of the name), and that it all
// survives a reopen.
#include <thread>

#include "conformance/store_fixture.hpp"
#include "util/clock.hpp"

namespace parley::store {
namespace {

class AccountStoreTest : public StoreTest {
 protected:
  Result<UserId> create(NewAccount a) {
    std::promise<Result<UserId>> p;
    store->create_account(std::move(a), [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  Account change(AccountChange c) {
    return wait<Account>([&](auto cb) { store->change_account(c, cb); });
  }
  Invite invite(std::string code, std::int64_t uses, std::int64_t expires_ms) {
    Invite i{std::move(code), uses, 0, expires_ms, util::now_ms(), "root"};
    return wait<Invite>([&](auto cb) { store->create_invite(i, cb); });
  }
  std::vector<InboxEntry> inbox(UserId u) {
    return wait<InboxPage>([&](auto cb) { store->read_inbox(u, 0, false, 100, cb); }).entries;
  }
  void send(UserId from, const std::string& from_name, const std::string& to,
            const std::string& text) {
    SendRequest r;
    r.sender = from;
    r.sender_name = from_name;
    r.to = {to};
    r.content = text;
    store->submit(r);
  }
};

TEST_P(AccountStoreTest, AnInviteIsUsedAtMostItsUsesEvenUnderARace) {
  std::int64_t later = util::now_ms() + 3600 * 1000;
  invite("three", 3, later);
  invite("expired", 5, util::now_ms() - 1);
  EXPECT_EQ(std::get<StoreError>(create({"x", "h", "nope", Role::kUser})),
            StoreError::kInviteInvalid);
  EXPECT_EQ(std::get<StoreError>(create({"x", "h", "expired", Role::kUser})),
            StoreError::kInviteInvalid);
  // Ten registrations at once with one three-use code: exactly three get in.
  std::vector<std::promise<Result<UserId>>> results(10);
  for (int i = 0; i < 10; ++i)
    store->create_account(NewAccount{"racer" + std::to_string(i), "h", "three", Role::kUser},
                          [&results, i](auto r) { results[i].set_value(std::move(r)); });
  int made = 0;
  for (auto& r : results) {
    auto v = r.get_future().get();
    if (std::holds_alternative<UserId>(v)) {
      ++made;
    } else {
      EXPECT_EQ(std::get<StoreError>(v), StoreError::kInviteInvalid);
    }
  }
  EXPECT_EQ(made, 3);
  // A taken name gives the use back.
  invite("one", 1, later);
  EXPECT_EQ(std::get<StoreError>(create({"racer0", "h", "one", Role::kUser})),
            StoreError::kNameTaken);
  EXPECT_TRUE(std::holds_alternative<UserId>(create({"fresh", "h", "one", Role::kUser})));
  // Listing drops what is used up or expired; deleting works once.
  invite("spare", 2, later);
  auto list = wait<std::vector<Invite>>([&](auto cb) { store->list_invites(cb); });
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].code, "spare");
  EXPECT_EQ(list[0].uses_left, 2);
  EXPECT_EQ(list[0].created_by, "root");
  EXPECT_THROW(invite("spare", 1, later), std::runtime_error) << "codes are unique";
  wait<Empty>([&](auto cb) { store->delete_invite("spare", cb); });
  EXPECT_THROW(wait<Empty>([&](auto cb) { store->delete_invite("spare", cb); }),
               std::runtime_error);
}

// Look-alike names are one name in the store itself (util::name_key), whoever calls it: case,
// width and composition do not make a second account, even ten at once.
TEST_P(AccountStoreTest, LookAlikeNamesAreOneName) {
  ASSERT_TRUE(std::holds_alternative<UserId>(create({"Alice", "h", {}, Role::kUser})));
  for (const char* twin : {"alice", "ALICE", "\xEF\xBD\x81lice", "alice\xE2\x80\x8B"})
    EXPECT_EQ(std::get<StoreError>(create({twin, "h", {}, Role::kUser})), StoreError::kNameTaken)
        << twin;
  std::vector<std::promise<Result<UserId>>> results(10);
  for (int i = 0; i < 10; ++i)
    store->create_account(NewAccount{i % 2 ? "Jos\xC3\xA9" : "jose\xCC\x81", "h", {}, Role::kUser},
                          [&results, i](auto r) { results[i].set_value(std::move(r)); });
  int made = 0;
  for (auto& r : results) made += std::holds_alternative<UserId>(r.get_future().get());
  EXPECT_EQ(made, 1);
  // The name of an account is as it was made.
  EXPECT_EQ(wait<UserRecord>([&](auto cb) { store->find_user("Alice", cb); }).name, "Alice");
}

TEST_P(AccountStoreTest, RolesBansAndProfilesAreWhatFindUserAndSearchSee) {
  UserId a = user("Alice"), b = user("bob");
  user("bobby");
  user("carol");
  AccountChange c;
  c.user = a;
  c.op = AccountOp::kRole;
  c.role = Role::kAdmin;
  EXPECT_EQ(change(c).role, Role::kAdmin);
  c = {};
  c.user = b;
  c.op = AccountOp::kBan;
  EXPECT_TRUE(change(c).banned);
  c.op = AccountOp::kProfile;
  c.display_name = "Bob B.";
  c.status = "away";
  change(c);
  sink.wait_for(0);
  auto found = wait<UserRecord>([&](auto cb) { store->find_user("bob", cb); });
  EXPECT_TRUE(found.banned);
  EXPECT_EQ(found.token_gen, 1) << "a ban revokes every token";
  EXPECT_EQ(wait<UserRecord>([&](auto cb) { store->find_user("Alice", cb); }).role,
            std::uint8_t(Role::kAdmin));

  auto page = wait<AccountPage>([&](auto cb) { store->search_accounts("BOB", "", 10, cb); });
  ASSERT_EQ(page.accounts.size(), 2u);
  EXPECT_EQ(page.accounts[0].name, "bob");
  EXPECT_EQ(page.accounts[0].display_name, "Bob B.");
  EXPECT_EQ(page.total, 4);
  auto first = wait<AccountPage>([&](auto cb) { store->search_accounts("", "", 2, cb); });
  ASSERT_EQ(first.accounts.size(), 2u);
  EXPECT_TRUE(first.more);
  auto rest = wait<AccountPage>(
      [&](auto cb) { store->search_accounts("", first.accounts[1].name, 10, cb); });
  EXPECT_EQ(rest.accounts.size(), 2u);
  EXPECT_FALSE(rest.more);

  auto profiles = wait<std::vector<Profile>>([&](auto cb) {
    store->profiles({"bob", "nobody", "Alice"}, cb);
  });
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].status, "away");
  EXPECT_EQ(profiles[1].name, "Alice");

  open();  // all of it is durable
  found = wait<UserRecord>([&](auto cb) { store->find_user("bob", cb); });
  EXPECT_TRUE(found.banned);
  c.op = AccountOp::kUnban;
  EXPECT_FALSE(change(c).banned);
}

TEST_P(AccountStoreTest, ADeletedAccountKeepsWhatItSentUnderItsDeletedName) {
  UserId a = user("alice"), b = user("bob");
  send(b, "bob", "alice", "from the first bob");
  send(a, "alice", "bob", "to the first bob");
  sink.wait_for(2);
  ASSERT_EQ(inbox(b).size(), 2u);
  AccountChange del;
  del.op = AccountOp::kDelete;
  del.user = b;
  del.reserve_until_ms = util::now_ms() + 60000;
  change(del);
  EXPECT_THROW(wait<UserRecord>([&](auto cb) { store->find_user("bob", cb); }), std::runtime_error);
  EXPECT_EQ(std::get<StoreError>(create({"bob", "h", "", Role::kUser})), StoreError::kNameReserved);
  EXPECT_THROW(change(del), std::runtime_error) << "deleting twice: kNotFound";
  EXPECT_TRUE(inbox(b).empty()) << "the inbox is gone";
  auto profiles = wait<std::vector<Profile>>([&](auto cb) {
    store->profiles({deleted_name(b), "bob"}, cb);
  });
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_TRUE(profiles[0].deleted);

  auto check_alice = [&] {
    auto in = inbox(a);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0].from, deleted_name(b));
    EXPECT_EQ(in[1].to, std::vector<std::string>{deleted_name(b)});
    auto h = wait<HistoryPage>([&](auto cb) { store->history(a, deleted_name(b), 0, 10, cb); });
    ASSERT_EQ(h.messages.size(), 2u);
    EXPECT_EQ(h.messages[0].from, deleted_name(b));
  };
  check_alice();
  open();  // durable, and rebuilt the same after a restart
  check_alice();
  EXPECT_TRUE(inbox(b).empty());
  EXPECT_EQ(std::get<StoreError>(create({"bob", "h", "", Role::kUser})), StoreError::kNameReserved);
}

TEST_P(AccountStoreTest, AReservationEndsAndTheNameIsANewAccount) {
  UserId a = user("alice"), b = user("bob");
  send(b, "bob", "alice", "old");
  sink.wait_for(1);
  AccountChange del;
  del.op = AccountOp::kDelete;
  del.user = b;
  del.reserve_until_ms = util::now_ms() - 1;
  change(del);
  auto again = create({"bob", "h2", "", Role::kUser});
  ASSERT_TRUE(std::holds_alternative<UserId>(again));
  UserId b2 = std::get<UserId>(again);
  EXPECT_NE(b2, b);
  send(b2, "bob", "alice", "new");
  sink.wait_for(2);
  auto in = inbox(a);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].from, deleted_name(b));
  EXPECT_EQ(in[1].from, "bob");
  auto h = wait<HistoryPage>([&](auto cb) { store->history(a, "bob", 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_EQ(h.messages[0].content, "new");
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kRedis), backend_name);

}  // namespace
}  // namespace parley::store
