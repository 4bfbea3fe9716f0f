// SPDX-License-Identifier: MIT
// A Redis group commit that breaks half-way (failpoint PARLEY_FAILPOINT=break-batch:N: in the
// first batch of two send pipelines or more, the store's connection breaks N commands after the
// first pipeline committed). What was committed is acknowledged and delivered once; what was in
// doubt is finished once Redis answers, not refused; only the rest gets `store_unavailable`; and
// a client that resends what was refused stores nothing twice.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

class RedisBatchFailure : public ::testing::Test {
 protected:
  RedisProcess redis;
  std::unique_ptr<ServerProcess> node;

  void start(int break_after) {
    std::string fp = "break-batch:" + std::to_string(break_after);
    ::setenv("PARLEY_FAILPOINT", fp.c_str(), 1);
    node = std::make_unique<ServerProcess>(std::vector<std::string>{"--redis", redis.url()});
    ::unsetenv("PARLEY_FAILPOINT");
  }
  // Holds every Redis client for `ms`: the store's worker waits on the command in flight and
  // what the node queues meanwhile is taken as one batch.
  void pause_redis(int ms) {
    ASSERT_EQ(redis.command("CLIENT PAUSE " + std::to_string(ms) + " ALL").rfind("+OK", 0), 0u);
  }
  static void reply(Chat& c, const std::string& to, const std::string& content, std::int64_t ref,
                    const std::string& cid = {}) {
    json::object f{{"type", "normal"},
                   {"content", content},
                   {"to", json::array{json::value(to)}},
                   {"reply_to", ref}};
    if (!cid.empty()) f["cid"] = cid;
    c.send(f);
  }
  // Every message content in `user`'s inbox (a fresh connection resuming from 0), with counts.
  std::map<std::string, int> inbox(const std::string& token) {
    Chat c(node->port(), token, std::int64_t(0));
    std::map<std::string, int> got;
    for (auto& f : c.drain(800ms))
      if (f.contains("content")) ++got[str(f.at("content"))];
    return got;
  }
  // bob's live frames until quiet: contents with counts, seqs strictly rising.
  static std::map<std::string, int> live(Chat& bob) {
    std::map<std::string, int> got;
    std::int64_t last = 0;
    for (auto& f : bob.drain(1500ms)) {
      if (str(f.at("type")) != "normal") continue;
      ++got[str(f.at("content"))];
      EXPECT_GT(f.at("seq").as_int64(), last);
      last = f.at("seq").as_int64();
    }
    return got;
  }
};

TEST_F(RedisBatchFailure, CommittedSendsAreAcknowledgedAndOnlyTheRestIsRefused) {
  start(0);  // breaks right after the first pipeline of the batch
  std::string at = Http{node->port()}.login("alice"), bt = Http{node->port()}.login("bob");
  Chat alice(node->port(), at, std::int64_t(0)), bob(node->port(), bt, std::int64_t(0));
  alice.send_message({"bob"}, "q", "q");
  std::int64_t q = alice.next_of("ack").at("id").as_int64();
  EXPECT_EQ(str(bob.next().at("content")), "q");

  // One batch of plain sends and replies (each reply is a pipeline of its own).
  constexpr int kSends = 12;
  pause_redis(500);
  for (int i = 0; i < kSends; ++i) {
    std::string m = "b" + std::to_string(i);
    if (i % 3 == 2) {
      reply(alice, "bob", m, q, m);
    } else {
      alice.send_message({"bob"}, m, m);
    }
  }
  std::map<std::string, std::vector<std::string>> outcome;  // cid -> "ack" / error codes
  for (int answered = 0; answered < kSends; ++answered) {
    auto f = alice.next(true, 10000ms);
    std::string type = str(f.at("type"));
    ASSERT_TRUE(type == "ack" || type == "error") << json::serialize(f);
    outcome[str(f.at("cid"))].push_back(type == "ack" ? "ack" : str(f.at("code")));
  }
  EXPECT_TRUE(alice.quiet(700ms)) << "one answer per send";
  std::set<std::string> acked, refused;
  for (auto& [cid, answers] : outcome) {
    ASSERT_EQ(answers.size(), 1u) << cid << " answered twice";
    if (answers[0] == "ack") {
      acked.insert(cid);
    } else {
      EXPECT_EQ(answers[0], "store_unavailable") << cid;
      refused.insert(cid);
    }
  }
  EXPECT_FALSE(acked.empty()) << "the break hit before anything committed";
  EXPECT_FALSE(refused.empty()) << "the break never hit";
  EXPECT_NE(node->log().find("connection broken (failpoint)"), std::string::npos);

  auto got = live(bob);
  for (auto& cid : acked) EXPECT_EQ(got[cid], 1) << cid << " acknowledged";
  for (auto& cid : refused) EXPECT_EQ(got[cid], 0) << cid << " refused";

  // The client sends again what was refused, with the same cids: each is stored once.
  for (int i = 0; i < kSends; ++i) {
    std::string m = "b" + std::to_string(i);
    if (!refused.count(m)) continue;
    if (i % 3 == 2) {
      reply(alice, "bob", m, q, m);
    } else {
      alice.send_message({"bob"}, m, m);
    }
  }
  for (std::size_t i = 0; i < refused.size(); ++i) {
    auto ack = alice.next_of("ack", 10000ms);
    EXPECT_EQ(refused.count(str(ack.at("cid"))), 1u);
  }
  got = live(bob);
  for (auto& cid : refused) EXPECT_EQ(got[cid], 1) << cid << " resent";
  for (auto& cid : acked) EXPECT_EQ(got[cid], 0) << cid << " delivered again";

  auto bobs = inbox(bt), alices = inbox(at);
  EXPECT_EQ(bobs.size(), std::size_t(kSends + 1));
  for (auto& [content, n] : bobs) EXPECT_EQ(n, 1) << content << " in bob's inbox";
  EXPECT_EQ(alices.size(), std::size_t(kSends + 1));
  for (auto& [content, n] : alices) EXPECT_EQ(n, 1) << content << " in alice's inbox";
}

TEST_F(RedisBatchFailure, SendsInDoubtAreFinishedNotRefused) {
  // Replies without cid, each a pipeline of 7 commands (HGET, LINDEX, HMGET, INCR, 2 appends,
  // PUBLISH): the second breaks before its PUBLISH, its appends done but unconfirmed to the
  // client. Refusing it would make a client without cid store it twice.
  start(6);
  std::string at = Http{node->port()}.login("alice"), bt = Http{node->port()}.login("bob");
  Chat alice(node->port(), at, std::int64_t(0)), bob(node->port(), bt, std::int64_t(0));
  alice.send_message({"bob"}, "q", "q");
  std::int64_t q = alice.next_of("ack").at("id").as_int64();
  EXPECT_EQ(str(bob.next().at("content")), "q");

  constexpr int kSends = 8;
  pause_redis(500);
  for (int i = 0; i < kSends; ++i) reply(alice, "bob", "r" + std::to_string(i), q);
  auto got = live(bob);
  std::size_t errors = 0;
  for (auto& f : alice.drain(500ms)) {
    ASSERT_EQ(str(f.at("type")), "error") << json::serialize(f);  // no cid: no ack
    EXPECT_EQ(str(f.at("code")), "store_unavailable");
    ++errors;
  }
  std::vector<std::string> missing;
  for (int i = 0; i < kSends; ++i) {
    std::string m = "r" + std::to_string(i);
    EXPECT_LE(got[m], 1) << m;
    if (got[m] == 0) missing.push_back(m);
  }
  EXPECT_NE(node->log().find("in doubt held"), std::string::npos) << "the break missed the appends";
  EXPECT_GT(errors, 0u) << "the break never hit";
  // Exactly the messages not stored were refused: the one in doubt was finished instead.
  EXPECT_EQ(errors, missing.size());

  for (auto& m : missing) reply(alice, "bob", m, q);  // the client sends the refused ones again
  got = live(bob);
  for (auto& m : missing) EXPECT_EQ(got[m], 1) << m;
  EXPECT_EQ(got.size(), missing.size());
  auto bobs = inbox(bt), alices = inbox(at);
  EXPECT_EQ(bobs.size(), std::size_t(kSends + 1));
  for (auto& [content, n] : bobs) EXPECT_EQ(n, 1) << content << " in bob's inbox";
  EXPECT_EQ(alices.size(), std::size_t(kSends + 1));
  for (auto& [content, n] : alices) EXPECT_EQ(n, 1) << content << " in alice's inbox";
}

}  // namespace
}  // namespace parley::testing
