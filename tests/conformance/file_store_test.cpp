// SPDX-License-Identifier: MIT
// Files and their clean-up behave the same on every backend: a record no message references is
// swept past its grace period (and its usage goes), a sent one stays, a recall makes it
// unreferenced (and unreadable by the recipients), a repeated upload restarts the clock, and a
// content stays in use while any owner's record has it.
#include <gtest/gtest.h>

#include "conformance/store_fixture.hpp"
#include "util/clock.hpp"

namespace parley::store {
namespace {

class FileStoreTest : public StoreTest {
 protected:
  FileRecord upload(UserId owner, std::string id, std::string sha, std::int64_t age_ms = 0) {
    FileRecord f;
    f.id = std::move(id);
    f.owner = owner;
    f.sha256 = std::move(sha);
    f.name = "a.txt";
    f.type = "text/plain";
    f.size = 100;
    f.created_ms = util::now_ms() - age_ms;
    return wait<FileRecord>([&](auto cb) { store->create_file(f, cb); });
  }
  SweptFiles sweep(std::int64_t before_ms) {
    return wait<SweptFiles>([&](auto cb) { store->sweep_files(before_ms, 100, cb); });
  }
  bool readable(UserId user, const std::string& id) {
    std::promise<Result<FileRecord>> p;
    store->readable_file(user, id, [&](Result<FileRecord> r) { p.set_value(std::move(r)); });
    return std::holds_alternative<FileRecord>(p.get_future().get());
  }
  std::int64_t usage(UserId u) {
    return wait<std::int64_t>([&](auto cb) { store->file_usage(u, cb); });
  }
  bool in_use(const std::string& sha) {
    return wait<bool>([&](auto cb) { store->content_in_use(sha, cb); });
  }
  MessageId send_file(UserId from, std::string name, std::string to, std::string file,
                      GroupId group = 0) {
    SendRequest r{from, std::move(name), {std::move(to)}, "", "", 1};
    if (group) r.to.clear();
    r.group = group;
    r.files = {std::move(file)};
    store->submit(r);
    sink.wait_for(1);
    barrier();
    std::lock_guard l(sink.m);
    EXPECT_EQ(sink.committed.size(), 1u);
    MessageId id = sink.committed.empty() ? 0 : sink.committed.back().id;
    sink.committed.clear();
    return id;
  }
  void recall(UserId from, std::string name, MessageId m) {
    SendRequest r{from, std::move(name), {}, "", "", 1};
    r.kind = EntryKind::kRecall;
    r.ref = m;
    r.window_ms = 120000;
    store->submit(r);
    sink.wait_for(1);
    barrier();
    std::lock_guard l(sink.m);
    EXPECT_EQ(sink.committed.size(), 1u);
    sink.committed.clear();
  }
  const std::string sha1 = std::string(64, 'a'), sha2 = std::string(64, 'b');
};

TEST_P(FileStoreTest, AnUploadNeverSentIsSweptPastItsGracePeriodAndItsUsageGoes) {
  UserId a = user("alice");
  upload(a, "f1", sha1, 60000);  // a minute old
  upload(a, "f2", sha2);         // new
  EXPECT_EQ(usage(a), 200);
  auto none = sweep(util::now_ms() - 120000);  // a two-minute grace period: nothing is due
  EXPECT_TRUE(none.ids.empty());
  auto swept = sweep(util::now_ms() - 30000);  // thirty seconds: the old one
  ASSERT_EQ(swept.ids, std::vector<std::string>{"f1"});
  EXPECT_EQ(swept.owners, std::vector<UserId>{a});
  EXPECT_EQ(swept.unused, std::vector<std::string>{sha1});
  EXPECT_FALSE(readable(a, "f1"));
  EXPECT_TRUE(readable(a, "f2"));
  EXPECT_EQ(usage(a), 100);
  EXPECT_FALSE(in_use(sha1));
  EXPECT_TRUE(in_use(sha2));
  EXPECT_TRUE(sweep(util::now_ms() - 30000).ids.empty()) << "a second sweep finds nothing";
  // The same bytes uploaded again: a new record.
  EXPECT_EQ(upload(a, "f3", sha1).id, "f3");
  EXPECT_EQ(usage(a), 200);
}

TEST_P(FileStoreTest, ASentFileStaysAndARecallReleasesIt) {
  UserId a = user("alice"), b = user("bob");
  upload(a, "f1", sha1, 60000);
  EXPECT_FALSE(readable(b, "f1"));
  MessageId m = send_file(a, "alice", "bob", "f1");
  EXPECT_TRUE(readable(b, "f1"));
  EXPECT_TRUE(sweep(util::now_ms() + 1000).ids.empty()) << "referenced: kept whatever its age";
  recall(a, "alice", m);
  EXPECT_FALSE(readable(b, "f1")) << "a recalled message's file is not the recipient's any more";
  EXPECT_TRUE(readable(a, "f1"));
  EXPECT_TRUE(sweep(util::now_ms() - 30000).ids.empty()) << "unreferenced since the recall only";
  auto swept = sweep(util::now_ms() + 1000);
  EXPECT_EQ(swept.ids, std::vector<std::string>{"f1"});
  EXPECT_EQ(usage(a), 0);
}

TEST_P(FileStoreTest, AFileInTwoMessagesStaysReferencedUntilBothAreRecalled) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  upload(a, "f1", sha1, 60000);
  MessageId m1 = send_file(a, "alice", "bob", "f1");
  MessageId m2 = send_file(a, "alice", "carol", "f1");
  recall(a, "alice", m1);
  EXPECT_FALSE(readable(b, "f1"));
  EXPECT_TRUE(readable(c, "f1")) << "carol's message is not recalled";
  EXPECT_TRUE(sweep(util::now_ms() + 1000).ids.empty());
  recall(a, "alice", m2);
  EXPECT_FALSE(readable(c, "f1"));
  EXPECT_EQ(sweep(util::now_ms() + 1000).ids.size(), 1u);
}

TEST_P(FileStoreTest, ARepeatedUploadRestartsTheGracePeriod) {
  UserId a = user("alice");
  upload(a, "f1", sha1, 60000);
  EXPECT_EQ(upload(a, "f9", sha1).id, "f1") << "the same owner's same bytes: the record kept";
  EXPECT_EQ(usage(a), 100);
  EXPECT_TRUE(sweep(util::now_ms() - 30000).ids.empty());
}

TEST_P(FileStoreTest, AContentStaysInUseWhileAnyOwnersRecordHasIt) {
  UserId a = user("alice"), b = user("bob"), c = user("carol");
  upload(a, "fa", sha1, 60000);
  upload(b, "fb", sha1, 60000);
  send_file(b, "bob", "carol", "fb");
  auto swept = sweep(util::now_ms() - 30000);
  EXPECT_EQ(swept.ids, std::vector<std::string>{"fa"});
  EXPECT_TRUE(swept.unused.empty()) << "bob's record keeps the bytes";
  EXPECT_TRUE(in_use(sha1));
  EXPECT_TRUE(readable(c, "fb"));
  EXPECT_EQ(usage(a), 0);
  EXPECT_EQ(usage(b), 100);
}

TEST_P(FileStoreTest, AFailedSendLeavesTheUploadUnreferenced) {
  UserId a = user("alice");
  upload(a, "f1", sha1, 60000);
  SendRequest r{a, "alice", {"nobody"}, "", "c1", 1};  // no such recipient: refused
  r.files = {"f1"};
  store->submit(r);
  sink.wait_for(0, 1);
  barrier();
  {
    std::lock_guard l(sink.m);
    ASSERT_EQ(sink.rejected.size(), 1u);
    EXPECT_TRUE(sink.committed.empty());
  }
  EXPECT_EQ(sweep(util::now_ms() - 30000).ids, std::vector<std::string>{"f1"});
}

TEST_P(FileStoreTest, ASendOfASweptFileIsRefused) {
  UserId a = user("alice");
  user("bob");
  upload(a, "f1", sha1, 60000);
  sweep(util::now_ms());
  SendRequest r{a, "alice", {"bob"}, "", "c1", 1};
  r.files = {"f1"};
  store->submit(r);
  sink.wait_for(0, 1);
  barrier();
  std::lock_guard l(sink.m);
  ASSERT_EQ(sink.rejected.size(), 1u);
  EXPECT_EQ(sink.rejected[0].error, "bad_file");
  EXPECT_TRUE(sink.committed.empty());
}

TEST_P(FileStoreTest, AGroupsMembersReadAFileUntilItsMessageIsRecalled) {
  UserId a = user("alice"), b = user("bob");
  user("carol");
  GroupChange g;
  g.op = GroupOp::kCreate;
  g.actor = a;
  g.actor_name = "alice";
  g.names = {"bob"};
  g.name = "team";
  GroupId gid = wait<GroupReply>([&](auto cb) { store->change_group(g, cb); }).group.id;
  sink.wait_for(1);
  barrier();
  {
    std::lock_guard l(sink.m);
    sink.committed.clear();  // the group's creation event
  }
  upload(a, "f1", sha1, 60000);
  MessageId m = send_file(a, "alice", "", "f1", gid);
  EXPECT_TRUE(readable(b, "f1"));
  EXPECT_FALSE(readable(user("dave"), "f1")) << "not a member";
  EXPECT_TRUE(sweep(util::now_ms() + 1000).ids.empty());
  recall(a, "alice", m);
  EXPECT_FALSE(readable(b, "f1"));
  EXPECT_EQ(sweep(util::now_ms() + 1000).ids.size(), 1u);
}

// Redis keeps no schema version: records from before clean-up (readers in a set, no content set
// or unreferenced entry) are indexed once when a store connects. (SQLite's conversion:
// InboxIndexTest.AVersion5DatabaseGetsFileReferences.)
TEST_P(FileStoreTest, RedisRecordsFromBeforeCleanUpAreIndexedOnce) {
  if (GetParam() != Backend::kRedis) GTEST_SKIP() << "Redis only";
  UserId a = user("alice"), b = user("bob");
  std::string ua = std::to_string(a), ub = std::to_string(b);
  for (const auto& [id, sha] : {std::pair{"old1", sha1}, std::pair{"old2", sha2}}) {
    redis->command(std::string("HSET parley:file:") + id + " owner " + ua + " sha256 " + sha +
                   " name n type text/plain size 100 width 0 height 0 thumb 0 created_ms 1000");
    redis->command("SET parley:file_by:" + ua + ":" + sha + " " + id);
  }
  redis->command("HSET parley:file_usage " + ua + " 200");
  redis->command("SADD parley:file_readers:old1 u" + ub);  // old1 was sent to bob
  redis->command("DEL parley:files_indexed");
  open();
  EXPECT_TRUE(readable(b, "old1"));
  EXPECT_FALSE(readable(b, "old2"));
  auto swept = sweep(2000);
  EXPECT_EQ(swept.ids, std::vector<std::string>{"old2"}) << "never sent: unreferenced since 1000";
  EXPECT_EQ(swept.unused, std::vector<std::string>{sha2});
  EXPECT_TRUE(in_use(sha1));
  EXPECT_EQ(usage(a), 100);
  EXPECT_NE(redis->command("GET parley:files_indexed").find('1'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, FileStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kRedis), backend_name);

}  // namespace
}  // namespace parley::store
