// SPDX-License-Identifier: MIT
// `parley backup`, `parley restore`, `parley check` on the real binary: a backup taken while
// messages are being sent holds every message acknowledged before it began, restores into a
// fresh folder where a server serves it (tokens still valid), and corrupt or misplaced input is
// refused with a clear message.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

namespace fs = std::filesystem;

TEST(Backup, TakenUnderLoadHoldsEveryAcknowledgedMessageAndRestores) {
  ServerProcess server;
  Http http{server.port()};
  std::string at = http.login("alice");
  http.login("bob");
  std::mutex m;
  std::vector<std::int64_t> acked;  // in ack order
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    Chat alice(server.port(), at, std::int64_t(0));
    for (int i = 0; !stop; ++i) {
      alice.send_message({"bob"}, "m" + std::to_string(i), "c" + std::to_string(i));
      auto ack = alice.next_of("ack");
      std::lock_guard l(m);
      acked.push_back(ack.at("id").as_int64());
    }
  });
  while (true) {
    std::lock_guard l(m);
    if (acked.size() >= 200) break;
  }
  std::size_t before = 0;
  {
    std::lock_guard l(m);
    before = acked.size();
  }
  TempDir dir;
  std::string dest = dir.path() + "/backup";
  int status = -1;
  std::string out = run_parley("backup " + dest + " --data " + server.data_dir(), status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("backed up"), std::string::npos) << out;
  stop = true;
  sender.join();
  EXPECT_GT(acked.size(), before) << "the server kept serving during the backup";
  EXPECT_EQ(fs::status(dest + "/parley.db").permissions() & fs::perms::others_read, fs::perms::none)
      << "password hashes are inside";

  out = run_parley("check " + dest, status);
  EXPECT_EQ(status, 0) << out;
  out = run_parley("backup " + dest + " --data " + server.data_dir(), status);
  EXPECT_NE(status, 0) << "an existing destination is refused";

  // Restore into a fresh folder and serve it: everything acknowledged before the backup began.
  ServerProcess restored;
  restored.stop();
  fs::remove_all(restored.data_dir());
  out = run_parley("restore " + dest + " --data " + restored.data_dir(), status);
  ASSERT_EQ(status, 0) << out;
  restored.start();
  Http http2{restored.port()};
  // The token secret came along: alice's old token still works.
  auto page = json::parse(http2.get("/api/history?with=bob&limit=200", at).body);  // newest 200
  std::set<std::int64_t> have;
  std::int64_t before_id = 0;
  for (;;) {
    for (const auto& msg : page.at("messages").as_array()) have.insert(msg.at("id").as_int64());
    if (!page.at("more").as_bool()) break;
    before_id = *have.begin();
    page = json::parse(
        http2.get("/api/history?with=bob&limit=200&before=" + std::to_string(before_id), at).body);
  }
  for (std::size_t i = 0; i < before; ++i)
    EXPECT_TRUE(have.count(acked[i])) << "message " << acked[i] << " acked before the backup";
  EXPECT_GE(have.size(), before);

  // Restoring over a live database is refused; a corrupt backup is refused and reported.
  out = run_parley("restore " + dest + " --data " + server.data_dir(), status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("exists"), std::string::npos) << out;
  std::string bad = dir.path() + "/bad";
  fs::create_directories(bad);
  fs::copy_file(dest + "/parley.db", bad + "/parley.db");
  {
    std::fstream f(bad + "/parley.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 2);
    std::string junk(8192, '\x5a');
    f.write(junk.data(), std::streamsize(junk.size()));
  }
  out = run_parley("check " + bad, status);
  EXPECT_NE(status, 0) << out;
  TempDir target;
  out = run_parley("restore " + bad + " --data " + target.path() + "/d", status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("refusing"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(target.path() + "/d/parley.db"));
  std::ofstream(dir.path() + "/text.db") << "not a database at all\n";
  out = run_parley("check " + dir.path() + "/text.db", status);
  EXPECT_NE(status, 0);
  out = run_parley("check " + dir.path() + "/nothing-here", status);
  EXPECT_NE(status, 0);
  out = run_parley("backup", status);
  EXPECT_NE(status, 0) << "a destination is required";
}

// Redis mode, as OPERATIONS.md says: BGSAVE while parley serves, copy dump.rdb; restore into a
// new Redis (RDB loaded with AOF off, then AOF on) and start the nodes on it.
TEST(Backup, ARedisSnapshotRestoresWhatWasAcknowledgedBeforeIt) {
  auto redis = std::make_unique<RedisProcess>();
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{"--redis", redis->url()});
  Http http{server->port()};
  std::string at = http.login("alice");
  http.login("bob");
  Chat alice(server->port(), at, std::int64_t(0));
  for (int i = 0; i < 50; ++i) {
    alice.send_message({"bob"}, "before " + std::to_string(i), "b" + std::to_string(i));
    alice.next_of("ack");
  }
  ASSERT_NE(redis->command("BGSAVE").find("Background saving started"), std::string::npos);
  // Done when no save runs any more and the file is there (LASTSAVE has a one-second grain).
  auto saved = [&] {
    std::string info = redis->command("INFO persistence");
    return info.find("rdb_bgsave_in_progress:0") != std::string::npos &&
           info.find("rdb_last_bgsave_status:ok") != std::string::npos &&
           fs::exists(redis->dir() + "/dump.rdb");
  };
  for (int i = 0; i < 200 && !saved(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(saved()) << redis->command("INFO persistence");
  TempDir backup;
  fs::copy_file(redis->dir() + "/dump.rdb", backup.path() + "/dump.rdb");
  for (int i = 0; i < 5; ++i) {
    alice.send_message({"bob"}, "after " + std::to_string(i), "a" + std::to_string(i));
    alice.next_of("ack");
  }
  server->stop();
  redis.reset();  // the old Redis is gone

  RedisProcess restored(backup.path() + "/dump.rdb");
  ServerProcess again({"--redis", restored.url()});
  Http h2{again.port()};
  // The token signing key came back with the data: alice's token still works.
  ASSERT_EQ(h2.get("/api/user", at).status, 200);
  auto page = h2.get_json("/api/history?with=bob&limit=200", at).at("messages").as_array();
  ASSERT_EQ(page.size(), 50u);
  EXPECT_EQ(str(page.front().at("content")), "before 0");
  EXPECT_EQ(str(page.back().at("content")), "before 49");
  // It goes on: new messages get new ids, and the restored Redis writes its AOF.
  Chat a2(again.port(), at, std::int64_t(0));
  a2.send_message({"bob"}, "after the restore", "r1");
  EXPECT_GT(a2.next_of("ack").at("id").as_int64(), page.back().at("id").as_int64());
  EXPECT_NE(restored.command("CONFIG GET appendonly").find("yes"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
