// SPDX-License-Identifier: MIT
// Groups behave the same on every backend: who may change what, events in every inbox concerned
// (in order with the messages), sends that reach the members of the moment, history for members
// only and from the moment they joined, groups in the conversation list.
#include <gtest/gtest.h>

#include <algorithm>

#include "conformance/store_fixture.hpp"
#include "store/group_codec.hpp"

namespace parley::store {
namespace {

class GroupStoreTest : public StoreTest {
 protected:
  Result<GroupReply> change(GroupChange c) {
    std::promise<Result<GroupReply>> p;
    store->change_group(std::move(c), [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  Group ok(GroupChange c) {
    auto r = change(std::move(c));
    if (auto* e = std::get_if<StoreError>(&r)) ADD_FAILURE() << "store error " << int(*e);
    auto* reply = std::get_if<GroupReply>(&r);
    if (!reply) return {};
    EXPECT_TRUE(reply->unknown.empty());
    return reply->group;
  }
  StoreError refused(GroupChange c) {
    auto r = change(std::move(c));
    auto* e = std::get_if<StoreError>(&r);
    EXPECT_TRUE(e) << "the change was accepted";
    return e ? *e : StoreError::kUnavailable;
  }
  static GroupChange op(GroupOp o, UserId actor, std::string actor_name, GroupId g,
                        std::vector<std::string> names = {}, std::string name = {}) {
    GroupChange c;
    c.op = o;
    c.actor = actor;
    c.actor_name = std::move(actor_name);
    c.group = g;
    c.names = std::move(names);
    c.name = std::move(name);
    return c;
  }
  std::vector<InboxEntry> inbox(UserId u) {
    return wait<InboxPage>([&](auto cb) { store->read_inbox(u, 0, false, 1000, cb); }).entries;
  }
  std::vector<std::string> member_names(const Group& g) {
    std::vector<std::string> names;
    for (const auto& m : g.members) names.push_back(m.name);
    std::sort(names.begin(), names.end());
    return names;
  }
  std::optional<StoreError> history_error(UserId u, GroupId g) {
    std::promise<Result<HistoryPage>> p;
    store->group_history(u, g, 0, 10, [&](auto r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    if (auto* e = std::get_if<StoreError>(&r)) return *e;
    return std::nullopt;
  }
};

TEST_P(GroupStoreTest, CreateRecordsAnEventInEveryMembersInbox) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  // Unknown names: nothing created, the names come back.
  auto bad = change(op(GroupOp::kCreate, a, "alice", 0, {"bob", "nobody"}, "team"));
  ASSERT_TRUE(std::holds_alternative<GroupReply>(bad));
  EXPECT_EQ(std::get<GroupReply>(bad).unknown, std::vector<std::string>{"nobody"});
  EXPECT_EQ(refused(op(GroupOp::kCreate, a, "alice", 0, {"bob"}, "  ")), StoreError::kBadRequest);
  EXPECT_EQ(refused(op(GroupOp::kCreate, a, "alice", 0, {"bob"}, std::string(65, 'x'))),
            StoreError::kBadRequest);

  Group g = ok(op(GroupOp::kCreate, a, "alice", 0, {"bob", "carol", "bob"}, " 项目组 "));
  EXPECT_GT(g.id, 0);
  EXPECT_EQ(g.name, "项目组");
  EXPECT_EQ(member_names(g), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(g.owner()->name, "alice");
  sink.wait_for(1);
  for (UserId u : {a, b, c}) {
    auto in = inbox(u);
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].kind, EntryKind::kGroupEvent);
    EXPECT_EQ(in[0].group, g.id);
    EXPECT_EQ(in[0].from, "alice");
    auto ev = read_group_event(in[0].content);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->event, "created");
  }
  std::lock_guard l(sink.m);
  ASSERT_EQ(sink.committed.size(), 1u);
  EXPECT_EQ(sink.committed[0].kind, EntryKind::kGroupEvent);
  EXPECT_EQ(sink.committed[0].recipients.size(), 2u);
  EXPECT_EQ(sink.committed[0].sender_seq, 1);
}

TEST_P(GroupStoreTest, SendsReachTheMembersOfTheMoment) {
  UserId a = user("alice"), b = user("bob"), c = user("carol"), d = user("dave");
  Group g = ok(op(GroupOp::kCreate, a, "alice", 0, {"bob", "carol"}, "team"));
  SendRequest s{a, "alice", {}, "hello team", "g-1", 7};
  s.group = g.id;
  store->submit(s);
  SendRequest outsider{d, "dave", {}, "let me in", "d-1", 8};
  outsider.group = g.id;
  store->submit(outsider);
  SendRequest nowhere{a, "alice", {}, "?", "n-1", 7};
  nowhere.group = 999999;
  store->submit(nowhere);
  sink.wait_for(2, 2);
  {
    std::lock_guard l(sink.m);
    ASSERT_EQ(sink.committed.size(), 2u);
    const Committed& m = sink.committed[1];
    EXPECT_EQ(m.group, g.id);
    EXPECT_EQ(m.kind, EntryKind::kMessage);
    EXPECT_TRUE(m.recipient_names.empty()) << "a group message goes to:[]";
    std::vector<UserId> to;
    for (const auto& r : m.recipients) to.push_back(r.id);
    std::sort(to.begin(), to.end());
    EXPECT_EQ(to, (std::vector<UserId>{b, c}));
    ASSERT_EQ(sink.rejected.size(), 2u);
    EXPECT_TRUE(sink.rejected[0].not_member);
    EXPECT_EQ(sink.rejected[0].cid, "d-1");
    EXPECT_TRUE(sink.rejected[1].not_member);
  }
  auto in = inbox(c);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[1].content, "hello team");
  EXPECT_EQ(in[1].group, g.id);
  EXPECT_TRUE(in[1].to.empty());
  EXPECT_TRUE(inbox(d).empty());

  // Removed: an event for carol too, then nothing more.
  Group after = ok(op(GroupOp::kRemove, a, "alice", g.id, {"carol"}));
  EXPECT_EQ(member_names(after), (std::vector<std::string>{"alice", "bob"}));
  SendRequest s2{b, "bob", {}, "carol is gone", "", 9};
  s2.group = g.id;
  store->submit(s2);
  sink.wait_for(4, 2);
  auto cin = inbox(c);
  ASSERT_EQ(cin.size(), 3u);
  EXPECT_EQ(cin[2].kind, EntryKind::kGroupEvent);
  EXPECT_EQ(read_group_event(cin[2].content)->event, "removed");
  EXPECT_EQ(read_group_event(cin[2].content)->names, std::vector<std::string>{"carol"});
  auto ain = inbox(a);
  ASSERT_EQ(ain.size(), 4u);  // created, own copy, removed, bob's message
  EXPECT_TRUE(ain[1].own);
  EXPECT_EQ(ain[1].cid, "g-1");
  EXPECT_EQ(ain[3].content, "carol is gone");
  EXPECT_EQ(history_error(c, g.id), StoreError::kNotMember);
  EXPECT_EQ(history_error(d, g.id), StoreError::kNotMember);
  EXPECT_EQ(history_error(a, 424242), StoreError::kNoSuchGroup);
}

TEST_P(GroupStoreTest, RolesDecideWhoMayChangeWhat) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  user("dave");
  user("erin");
  Group g = ok(op(GroupOp::kCreate, a, "alice", 0, {"bob", "carol"}, "team"));
  EXPECT_EQ(refused(op(GroupOp::kAdd, b, "bob", g.id, {"dave"})), StoreError::kForbidden);
  EXPECT_EQ(refused(op(GroupOp::kRename, b, "bob", g.id, {}, "mine")), StoreError::kForbidden);
  EXPECT_EQ(refused(op(GroupOp::kAddAdmins, b, "bob", g.id, {"bob"})), StoreError::kForbidden);
  EXPECT_EQ(refused(op(GroupOp::kDelete, b, "bob", g.id)), StoreError::kForbidden);
  EXPECT_EQ(refused(op(GroupOp::kRemove, b, "bob", g.id, {"carol"})), StoreError::kForbidden);
  EXPECT_EQ(refused(op(GroupOp::kAdd, a, "alice", g.id, {"bob"})), StoreError::kBadRequest);
  EXPECT_EQ(refused(op(GroupOp::kAdd, a, "alice", 777777, {"dave"})), StoreError::kNoSuchGroup);
  UserId d = user("frank");
  EXPECT_EQ(refused(op(GroupOp::kAdd, d, "frank", g.id, {"dave"})), StoreError::kNotMember);

  g = ok(op(GroupOp::kAddAdmins, a, "alice", g.id, {"bob"}));
  EXPECT_EQ(g.find(b)->role, GroupRole::kAdmin);
  g = ok(op(GroupOp::kAdd, b, "bob", g.id, {"dave", "erin"}));
  EXPECT_EQ(g.members.size(), 5u);
  g = ok(op(GroupOp::kRename, b, "bob", g.id, {}, "renamed"));
  EXPECT_EQ(g.name, "renamed");
  // An admin removes plain members, not the owner.
  EXPECT_EQ(refused(op(GroupOp::kRemove, b, "bob", g.id, {"alice"})), StoreError::kForbidden);
  g = ok(op(GroupOp::kRemove, b, "bob", g.id, {"erin"}));
  EXPECT_EQ(g.members.size(), 4u);
  // The owner leaves: the admin takes over.
  g = ok(op(GroupOp::kRemove, a, "alice", g.id, {"alice"}));
  EXPECT_EQ(g.owner()->name, "bob");
  EXPECT_EQ(refused(op(GroupOp::kDelete, c, "carol", g.id)), StoreError::kForbidden);
  auto del = change(op(GroupOp::kDelete, b, "bob", g.id));
  ASSERT_TRUE(std::holds_alternative<GroupReply>(del));
  EXPECT_TRUE(std::get<GroupReply>(del).deleted);
  EXPECT_EQ(history_error(b, g.id), StoreError::kNoSuchGroup);
  auto last = inbox(c).back();
  EXPECT_EQ(read_group_event(last.content)->event, "deleted");
  EXPECT_TRUE(wait<std::vector<Group>>([&](auto cb) { store->list_groups(c, cb); }).empty());
}

TEST_P(GroupStoreTest, TheMemberCapHolds) {
  UserId a = user("alice");
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) names.push_back("u" + std::to_string(i)), user(names.back());
  GroupChange c = op(GroupOp::kCreate, a, "alice", 0, names, "big");
  c.max_members = 5;
  EXPECT_EQ(refused(c), StoreError::kTooMany);
  c.names.pop_back();
  Group g = ok(c);
  GroupChange add = op(GroupOp::kAdd, a, "alice", g.id, {"u4"});
  add.max_members = 5;
  EXPECT_EQ(refused(add), StoreError::kTooMany);
}

TEST_P(GroupStoreTest, HistoryStartsWhenAMemberJoinedAndGroupsAreConversations) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  Group g = ok(op(GroupOp::kCreate, a, "alice", 0, {"bob"}, "team"));
  for (int i = 0; i < 3; ++i) {
    SendRequest s{a, "alice", {}, "early " + std::to_string(i), "", 1};
    s.group = g.id;
    store->submit(s);
  }
  store->submit({a, "alice", {"bob"}, "private", "", 1});
  ok(op(GroupOp::kAdd, a, "alice", g.id, {"carol"}));
  SendRequest late{b, "bob", {}, "welcome carol", "", 2};
  late.group = g.id;
  store->submit(late);
  barrier();
  auto hb = wait<HistoryPage>([&](auto cb) { store->group_history(b, g.id, 0, 3, cb); });
  ASSERT_EQ(hb.messages.size(), 3u);
  EXPECT_TRUE(hb.more);
  EXPECT_EQ(hb.messages[2].content, "welcome carol");
  EXPECT_EQ(hb.messages[1].kind, EntryKind::kGroupEvent);
  EXPECT_EQ(hb.messages[0].content, "early 2");
  auto older =
      wait<HistoryPage>([&](auto cb) { store->group_history(b, g.id, hb.messages[0].id, 10, cb); });
  ASSERT_EQ(older.messages.size(), 3u);  // created + early 0, 1
  EXPECT_FALSE(older.more);
  EXPECT_EQ(older.messages[0].kind, EntryKind::kGroupEvent);
  auto hc = wait<HistoryPage>([&](auto cb) { store->group_history(c, g.id, 0, 10, cb); });
  ASSERT_EQ(hc.messages.size(), 2u) << "carol sees the history from her joining on";
  EXPECT_EQ(hc.messages[0].kind, EntryKind::kGroupEvent);
  EXPECT_EQ(hc.messages[1].content, "welcome carol");
  // The one-to-one history with alice does not include group messages.
  auto dm = wait<HistoryPage>([&](auto cb) { store->history(b, "alice", 0, 10, cb); });
  ASSERT_EQ(dm.messages.size(), 1u);
  EXPECT_EQ(dm.messages[0].content, "private");

  auto convs = wait<std::vector<Conversation>>([&](auto cb) { store->conversations(b, 10, cb); });
  ASSERT_EQ(convs.size(), 2u);
  EXPECT_EQ(convs[0].group, g.id);
  EXPECT_EQ(convs[0].group_name, "team");
  EXPECT_EQ(convs[0].last.content, "welcome carol");
  EXPECT_EQ(convs[1].with, "alice");
  auto groups = wait<std::vector<Group>>([&](auto cb) { store->list_groups(c, cb); });
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].id, g.id);
  auto one = wait<Group>([&](auto cb) { store->get_group(c, g.id, cb); });
  EXPECT_EQ(one.members.size(), 3u);
}

TEST_P(GroupStoreTest, GroupsSurviveAReopen) {
  UserId a = user("alice"), b = user("bob");
  Group g = ok(op(GroupOp::kCreate, a, "alice", 0, {"bob"}, "team"));
  ok(op(GroupOp::kAddAdmins, a, "alice", g.id, {"bob"}));
  SendRequest s{a, "alice", {}, "before", "", 1};
  s.group = g.id;
  store->submit(s);
  barrier();
  store.reset();
  open();
  auto again = wait<Group>([&](auto cb) { store->get_group(b, g.id, cb); });
  EXPECT_EQ(again.name, "team");
  EXPECT_EQ(again.find(b)->role, GroupRole::kAdmin);
  auto h = wait<HistoryPage>([&](auto cb) { store->group_history(b, g.id, 0, 10, cb); });
  ASSERT_EQ(h.messages.size(), 3u);
  EXPECT_EQ(h.messages[2].content, "before");
  SendRequest s2{b, "bob", {}, "after", "", 1};
  s2.group = g.id;
  store->submit(s2);
  barrier();
  auto in = inbox(a);
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[3].content, "after");
  EXPECT_EQ(in[3].seq, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kRedis), backend_name);

}  // namespace
}  // namespace parley::store
