// SPDX-License-Identifier: MIT
// Conversation state behaves the same on every backend: recall and edit (the content changes in
// the store itself, an entry records it in every inbox that has the message), replies, read
// markers that only rise and drive the unread counts, typing that is never stored.
#include <gtest/gtest.h>

#include <thread>

#include "conformance/store_fixture.hpp"

namespace parley::store {
namespace {

class StateStoreTest : public StoreTest {
 protected:
  SendRequest special(UserId from, std::string name, EntryKind kind, MessageId ref,
                      std::vector<std::string> to = {}, std::string content = {}) {
    SendRequest r{from, std::move(name), std::move(to), std::move(content), "", 5};
    r.kind = kind;
    r.ref = ref;
    r.window_ms = 120000;
    return r;
  }
  // Everything the sink heard so far, then cleared.
  std::pair<std::vector<Committed>, std::vector<Rejected>> drain(std::size_t c, std::size_t r) {
    sink.wait_for(c, r);
    barrier();
    std::lock_guard l(sink.m);
    return {std::exchange(sink.committed, {}), std::exchange(sink.rejected, {})};
  }
  MessageId send(UserId from, std::string name, std::vector<std::string> to, std::string text) {
    store->submit({from, std::move(name), std::move(to), std::move(text), "", 1});
    auto [c, r] = drain(1, 0);
    EXPECT_EQ(c.size(), 1u);
    return c.empty() ? 0 : c.back().id;
  }
  std::vector<InboxEntry> inbox(UserId u) {
    return wait<InboxPage>([&](auto cb) { store->read_inbox(u, 0, false, 1000, cb); }).entries;
  }
};

TEST_P(StateStoreTest, RecallDeletesTheContentAndTellsEveryInbox) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  MessageId m = send(a, "alice", {"bob", "carol"}, "oops, wrong chat");
  store->submit(special(b, "bob", EntryKind::kRecall, m));         // not hers
  store->submit(special(a, "alice", EntryKind::kRecall, 999999));  // no such message
  auto off = special(a, "alice", EntryKind::kRecall, m);
  off.window_ms = 0;
  store->submit(off);
  auto [none, refused] = drain(0, 3);
  EXPECT_TRUE(none.empty());
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_EQ(refused[0].error, "not_yours");
  EXPECT_EQ(refused[1].error, "not_found");
  EXPECT_EQ(refused[2].error, "feature_off");

  store->submit(special(a, "alice", EntryKind::kRecall, m));
  auto [done, ok] = drain(1, 0);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].kind, EntryKind::kRecall);
  EXPECT_EQ(done[0].ref, m);
  EXPECT_EQ(done[0].recipients.size(), 2u);
  for (UserId u : {a, b, c}) {
    auto in = inbox(u);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_TRUE(in[0].recalled);
    EXPECT_TRUE(in[0].content.empty()) << "the text is gone from the store";
    EXPECT_EQ(in[1].kind, EntryKind::kRecall);
    EXPECT_EQ(in[1].ref, m);
  }
  auto h = wait<HistoryPage>([&](auto cb) { store->history(b, "alice", 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 1u) << "the recall entry itself is not a history item";
  EXPECT_TRUE(h.messages[0].recalled);
  EXPECT_TRUE(h.messages[0].content.empty());

  store->submit(special(a, "alice", EntryKind::kRecall, m));
  store->submit(special(a, "alice", EntryKind::kEdit, m, {}, "new"));
  auto [again, twice] = drain(0, 2);
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[0].error, "recalled");
  EXPECT_EQ(twice[1].error, "recalled");
}

TEST_P(StateStoreTest, EditReplacesTheContentWithinTheWindow) {
  UserId a = user("alice"), b = user("bob");
  MessageId m = send(a, "alice", {"bob"}, "teh typo");
  store->submit(special(a, "alice", EntryKind::kEdit, m, {}, "the typo"));
  auto [c, r] = drain(1, 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, EntryKind::kEdit);
  EXPECT_EQ(c[0].content, "the typo");
  auto in = inbox(b);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].content, "the typo");
  EXPECT_TRUE(in[0].edited);
  EXPECT_EQ(in[1].kind, EntryKind::kEdit);
  EXPECT_EQ(in[1].content, "the typo");
  auto h = wait<HistoryPage>([&](auto cb) { store->history(a, "bob", 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_EQ(h.messages[0].content, "the typo");
  EXPECT_TRUE(h.messages[0].edited);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto late = special(a, "alice", EntryKind::kEdit, m, {}, "later");
  late.window_ms = 5;
  store->submit(late);
  auto [c2, r2] = drain(0, 1);
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].error, "too_late");
  EXPECT_EQ(inbox(b)[0].content, "the typo");
}

TEST_P(StateStoreTest, RepliesQuoteAMessageOfTheSameConversation) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  MessageId ab = send(a, "alice", {"bob"}, "question");
  MessageId ac = send(a, "alice", {"carol"}, "secret");
  SendRequest reply{b, "bob", {"alice"}, "answer", "r-1", 3};
  reply.ref = ab;
  store->submit(reply);
  SendRequest sneaky{b, "bob", {"alice"}, "what secret?", "r-2", 3};
  sneaky.ref = ac;  // bob never had it
  store->submit(sneaky);
  auto [done, refused] = drain(1, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ref, ab);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].error, "bad_reply");
  EXPECT_EQ(refused[0].cid, "r-2");
  auto h = wait<HistoryPage>([&](auto cb) { store->history(a, "bob", 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 2u);
  EXPECT_EQ(h.messages[1].ref, ab);
  EXPECT_EQ(inbox(a).back().ref, ab);
  (void)c;
}

TEST_P(StateStoreTest, ReadMarkersOnlyRiseAndDriveUnreadCounts) {
  UserId a = user("alice"), b = user("bob");
  MessageId m1 = send(a, "alice", {"bob"}, "one");
  MessageId m2 = send(a, "alice", {"bob"}, "two");
  auto convs = [&] {
    return wait<std::vector<Conversation>>([&](auto cb) { store->conversations(b, 10, cb); });
  };
  ASSERT_EQ(convs().size(), 1u);
  EXPECT_EQ(convs()[0].unread, 2);

  store->submit(special(b, "bob", EntryKind::kRead, m1, {"alice"}));
  auto [c, r] = drain(1, 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, EntryKind::kRead);
  EXPECT_EQ(c[0].ref, m1);
  ASSERT_EQ(c[0].recipients.size(), 1u);
  EXPECT_EQ(c[0].recipients[0].id, a) << "the peer hears of it";
  EXPECT_EQ(c[0].recipients[0].seq, 0) << "not an inbox entry";
  EXPECT_EQ(convs()[0].unread, 1);
  EXPECT_EQ(convs()[0].read_upto, m1);

  store->submit(special(b, "bob", EntryKind::kRead, m1 - 1, {"alice"}));        // lower: nothing
  store->submit(special(b, "bob", EntryKind::kRead, m2 + 1000000, {"alice"}));  // clamped
  store->submit(special(b, "bob", EntryKind::kRead, m2, {"nobody"}));
  auto [c2, r2] = drain(1, 1);
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_EQ(c2[0].ref, m2) << "a marker never goes past the newest message";
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].error, "not_found");
  EXPECT_EQ(convs()[0].unread, 0);
  send(a, "alice", {"bob"}, "three");
  EXPECT_EQ(convs()[0].unread, 1);
  // The inbox holds no trace of reads.
  EXPECT_EQ(inbox(b).size(), 3u);

  // Reopened: the marker is durable.
  store.reset();
  open();
  EXPECT_EQ(convs()[0].read_upto, m2);
}

// Thousands of markers (more than the embedded store keeps in its log before a snapshot)
// survive a restart, and a marker raised again after it is still only raised once.
TEST_P(StateStoreTest, ManyReadMarkersSurviveAReopen) {
  UserId a = user("alice"), b = user("bob");
  MessageId m = send(a, "alice", {"bob"}, "hello");
  constexpr int kPeers = 75;
  std::vector<UserId> peers;
  for (int i = 0; i < kPeers; ++i) peers.push_back(user("peer" + std::to_string(i)));
  std::size_t reads = 0;
  for (int i = 0; i < kPeers; ++i)
    for (int j = 0; j < kPeers; ++j)
      if (i != j) {
        store->submit(special(peers[i], "peer" + std::to_string(i), EntryKind::kRead, m,
                              {"peer" + std::to_string(j)}));
        ++reads;
      }
  store->submit(special(b, "bob", EntryKind::kRead, m, {"alice"}));
  auto [c, r] = drain(reads + 1, 0);
  EXPECT_EQ(c.size(), reads + 1);
  for (int round = 0; round < 2; ++round) {
    store.reset();
    open();
    auto convs = wait<std::vector<Conversation>>([&](auto cb) { store->conversations(b, 10, cb); });
    ASSERT_EQ(convs.size(), 1u);
    EXPECT_EQ(convs[0].read_upto, m);
    EXPECT_EQ(convs[0].unread, 0);
    // Already at m: nothing to tell. A new pair still rises.
    store->submit(special(peers[3], "peer3", EntryKind::kRead, m, {"peer7"}));
    store->submit(special(peers[3], "peer3", EntryKind::kRead, m, {round ? "bob" : "alice"}));
    auto [again, none] = drain(1, 0);
    ASSERT_EQ(again.size(), 1u) << "round " << round;
    EXPECT_EQ(again[0].recipients.at(0).id, round ? b : a);
  }
}

TEST_P(StateStoreTest, GroupReadsAndTypingAreLiveOnly) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  GroupChange gc;
  gc.op = GroupOp::kCreate;
  gc.actor = a;
  gc.actor_name = "alice";
  gc.name = "team";
  gc.names = {"bob", "carol"};
  auto g = wait<GroupReply>([&](auto cb) { store->change_group(gc, cb); }).group;
  drain(1, 0);
  SendRequest m{a, "alice", {}, "hi all", "", 1};
  m.group = g.id;
  store->submit(m);
  auto [sent, r0] = drain(1, 0);
  MessageId id = sent[0].id;

  auto read = special(b, "bob", EntryKind::kRead, id);
  read.group = g.id;
  store->submit(read);
  auto typing = special(c, "carol", EntryKind::kTyping, 0);
  typing.group = g.id;
  store->submit(typing);
  auto dm_typing = special(c, "carol", EntryKind::kTyping, 0, {"alice"});
  store->submit(dm_typing);
  auto outsider = special(user("dave"), "dave", EntryKind::kTyping, 0);
  outsider.group = g.id;
  store->submit(outsider);
  auto [live, refused] = drain(3, 1);
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0].kind, EntryKind::kRead);
  EXPECT_TRUE(live[0].recipients.empty()) << "in a group only the reader's devices hear of it";
  EXPECT_EQ(live[1].kind, EntryKind::kTyping);
  EXPECT_EQ(live[1].recipients.size(), 2u);
  EXPECT_EQ(live[1].group, g.id);
  EXPECT_EQ(live[2].recipients.size(), 1u);
  EXPECT_EQ(live[2].recipients[0].id, a);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_TRUE(refused[0].not_member);
  auto reads = wait<std::vector<ReadMarker>>([&](auto cb) { store->group_reads(a, g.id, cb); });
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].name, "bob");
  EXPECT_EQ(reads[0].upto, id);
  std::promise<Result<std::vector<ReadMarker>>> p;
  store->group_reads(user("erin"), g.id, [&](auto r) { p.set_value(std::move(r)); });
  EXPECT_EQ(std::get<StoreError>(p.get_future().get()), StoreError::kNotMember);
  EXPECT_EQ(inbox(c).size(), 2u) << "typing is never stored";
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kRedis), backend_name);

}  // namespace
}  // namespace parley::store
