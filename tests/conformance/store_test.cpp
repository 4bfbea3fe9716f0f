// SPDX-License-Identifier: MIT
// One suite for every Store backend: the embedded store on a real SQLite file, and the Redis
// store on a real redis-server (with a cluster node feeding committed sends back to the sink, as
// in production). Users, group-committed sends with per-user seqs, idempotent cids, inbox reads,
// cursors, history and revocations must behave the same.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "conformance/store_fixture.hpp"

namespace parley::store {
namespace {

TEST_P(StoreTest, CreatesAndFindsUsers) {
  UserId a = user("张三");
  EXPECT_GT(a, 0);
  std::promise<Result<UserId>> dup;
  store->create_user("张三", "h", [&](auto r) { dup.set_value(r); });
  EXPECT_EQ(std::get<StoreError>(dup.get_future().get()), StoreError::kNameTaken);
  auto u = wait<UserRecord>([&](auto cb) { store->find_user("张三", cb); });
  EXPECT_EQ(u.id, a);
  EXPECT_EQ(u.password_hash, "hash");
  std::promise<Result<UserRecord>> missing;
  store->find_user("nobody", [&](auto r) { missing.set_value(r); });
  EXPECT_EQ(std::get<StoreError>(missing.get_future().get()), StoreError::kNotFound);
}

TEST_P(StoreTest, SubmitAssignsPerUserSeqsAndDedupsCids) {
  UserId a = user("a"), b = user("b"), c = user("c");
  store->submit({a, "a", {"b", "c", "zz", "a"}, "hello", "cid1", 9});
  store->submit({a, "a", {"b"}, "hello again", "cid1", 9});  // retry: duplicate
  store->submit({a, "a", {"b"}, "second", "", 9});
  store->submit({a, "a", {"nobody"}, "lost", "cid2", 9});
  sink.wait_for(3, 1);
  std::lock_guard l(sink.m);
  ASSERT_EQ(sink.committed.size(), 3u);
  const auto& m1 = sink.committed[0];
  EXPECT_FALSE(m1.duplicate);
  ASSERT_EQ(m1.recipients.size(), 2u);
  EXPECT_EQ(m1.recipients[0].id, b);
  EXPECT_EQ(m1.recipients[0].seq, 1);
  EXPECT_EQ(m1.recipients[1].id, c);
  EXPECT_EQ(m1.sender_seq, 1);
  EXPECT_TRUE(sink.committed[1].duplicate);
  EXPECT_EQ(sink.committed[1].id, m1.id);
  EXPECT_EQ(sink.committed[1].sender_seq, m1.sender_seq);
  EXPECT_EQ(sink.committed[2].recipients[0].seq, 2);
  EXPECT_EQ(sink.committed[2].sender_seq, 2);
  ASSERT_EQ(sink.rejected.size(), 1u);
  EXPECT_TRUE(sink.rejected[0].no_recipients);
  EXPECT_EQ(sink.rejected[0].cid, "cid2");
}

TEST_P(StoreTest, InboxReadsPagesAndSeparatesOwnCopies) {
  UserId a = user("a"), b = user("b");
  for (int i = 0; i < 5; ++i) store->submit({a, "a", {"b"}, "m" + std::to_string(i), "", 1});
  store->submit({b, "b", {"a"}, "reply", "r1", 2});
  barrier();
  auto page = wait<InboxPage>([&](auto cb) { store->read_inbox(b, 0, false, 3, cb); });
  EXPECT_EQ(page.head, 6);
  EXPECT_TRUE(page.more);
  ASSERT_EQ(page.entries.size(), 3u);
  EXPECT_EQ(page.entries[0].content, "m0");
  EXPECT_EQ(page.entries[0].from, "a");
  auto rest = wait<InboxPage>([&](auto cb) { store->read_inbox(b, 3, false, 10, cb); });
  ASSERT_EQ(rest.entries.size(), 3u);
  EXPECT_TRUE(rest.entries[2].own);
  EXPECT_EQ(rest.entries[2].cid, "r1");
  EXPECT_EQ(rest.entries[2].to, std::vector<std::string>{"a"});
  auto incoming = wait<InboxPage>([&](auto cb) { store->read_inbox(b, 0, true, 10, cb); });
  EXPECT_EQ(incoming.entries.size(), 5u);
}

TEST_P(StoreTest, ClassicReadsStartAtTheDeliveredCursorWhichOnlyRisesAndPersists) {
  UserId a = user("a"), b = user("b");
  for (int i = 1; i <= 6; ++i) store->submit({a, "a", {"b"}, "m" + std::to_string(i), "", 1});
  auto unread = [&] {
    return wait<InboxPage>([&](auto cb) { store->read_inbox(b, -1, true, 10, cb); }).entries;
  };
  EXPECT_EQ(unread().size(), 6u);  // nothing delivered yet
  store->mark_delivered(b, 5);
  store->mark_delivered(b, 3);  // never lowers
  auto rest = unread();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].content, "m6");
  barrier();
  store.reset();
  open();
  rest = unread();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].seq, 6);
  (void)a;
}

TEST_P(StoreTest, SeqsContinueAfterReopen) {
  UserId a = user("a"), b = user("b");
  store->submit({a, "a", {"b"}, "x", "", 1});
  sink.wait_for(1);
  store.reset();
  {
    std::lock_guard l(sink.m);
    sink.committed.clear();
  }
  open();
  store->submit({a, "a", {"b"}, "y", "", 1});
  sink.wait_for(1);
  std::lock_guard l(sink.m);
  ASSERT_EQ(sink.committed.size(), 1u);
  EXPECT_EQ(sink.committed[0].recipients[0].seq, 2);
  EXPECT_EQ(sink.committed[0].sender_seq, 2);
  (void)b;
}

TEST_P(StoreTest, HistoryAndConversations) {
  UserId a = user("a");
  user("b");
  user("c");
  for (int i = 0; i < 4; ++i) store->submit({a, "a", {"b"}, "ab" + std::to_string(i), "", 1});
  store->submit({a, "a", {"b", "c"}, "group", "", 1});
  barrier();
  auto h = wait<HistoryPage>([&](auto cb) { store->history(a, "b", 0, 2, cb); });
  ASSERT_EQ(h.messages.size(), 2u);
  EXPECT_EQ(h.messages[0].content, "ab3");
  EXPECT_EQ(h.messages[1].content, "group");
  EXPECT_TRUE(h.more);
  auto older =
      wait<HistoryPage>([&](auto cb) { store->history(a, "b", h.messages[0].id, 10, cb); });
  EXPECT_EQ(older.messages.size(), 3u);
  EXPECT_FALSE(older.more);
  auto convs = wait<std::vector<Conversation>>([&](auto cb) { store->conversations(a, 10, cb); });
  ASSERT_EQ(convs.size(), 2u);
  EXPECT_EQ(convs[0].last.content, "group");
}

// A message to many names (past the Redis store's inline limit: one body, references in the
// inboxes) reads the same everywhere as a small one: inbox pages, history, conversations, and the
// cid only on the sender's copy.
TEST_P(StoreTest, AMessageToManyReadsTheSameInEveryInbox) {
  UserId a = user("a");
  std::vector<std::string> to;
  std::vector<UserId> ids;
  for (int i = 0; i < 7; ++i) {
    to.push_back("r" + std::to_string(i));
    ids.push_back(user(to.back()));
  }
  store->submit({a, "a", to, "to everyone", "big-1", 1});
  store->submit({a, "a", {"r0"}, "to one", "small-1", 1});
  sink.wait_for(2);
  barrier();
  auto own = wait<InboxPage>([&](auto cb) { store->read_inbox(a, 0, false, 10, cb); });
  ASSERT_EQ(own.entries.size(), 2u);
  EXPECT_EQ(own.entries[0].content, "to everyone");
  EXPECT_EQ(own.entries[0].to, to);
  EXPECT_EQ(own.entries[0].cid, "big-1");
  EXPECT_TRUE(own.entries[0].own);
  for (UserId r : ids) {
    auto in = wait<InboxPage>([&](auto cb) { store->read_inbox(r, 0, true, 10, cb); });
    ASSERT_GE(in.entries.size(), 1u);
    EXPECT_EQ(in.entries[0].content, "to everyone");
    EXPECT_EQ(in.entries[0].from, "a");
    EXPECT_EQ(in.entries[0].to, to);
    EXPECT_TRUE(in.entries[0].cid.empty()) << "the sender's cid is not shown to recipients";
    EXPECT_FALSE(in.entries[0].own);
  }
  auto h = wait<HistoryPage>([&](auto cb) { store->history(ids[6], "a", 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_EQ(h.messages[0].content, "to everyone");
  auto convs =
      wait<std::vector<Conversation>>([&](auto cb) { store->conversations(ids[3], 10, cb); });
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0].with, "a");
  EXPECT_EQ(convs[0].last.content, "to everyone");
}

TEST_P(StoreTest, RevocationsPersist) {
  UserId a = user("a");
  wait<Empty>([&](auto cb) { store->revoke_token(a, "jti-1", INT64_MAX / 2, cb); });
  wait<Empty>([&](auto cb) { store->revoke_token(a, "old", 1, cb); });
  EXPECT_EQ(wait<std::int64_t>([&](auto cb) { store->revoke_all_tokens(a, cb); }), 1);
  {
    // The sink heard of each before the callbacks ran (in a cluster possibly twice: directly
    // and through the bus; revocation is idempotent).
    std::lock_guard l(sink.m);
    std::set<std::string> revoked(sink.revoked.begin(), sink.revoked.end());
    EXPECT_EQ(revoked, (std::set<std::string>{"jti-1", "old"}));
    ASSERT_GE(sink.generations.size(), 1u);
    EXPECT_EQ(sink.generations[0].second, 1);
  }
  store.reset();
  open();
  auto st = wait<RevocationState>([&](auto cb) { store->load_revocations(cb); });
  ASSERT_EQ(st.revoked.size(), 1u);  // the expired one is pruned
  EXPECT_EQ(st.revoked[0].first, "jti-1");
  ASSERT_EQ(st.generations.size(), 1u);
  EXPECT_EQ(st.generations[0].second, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kRedis),
                         backend_name);

}  // namespace
}  // namespace parley::store
