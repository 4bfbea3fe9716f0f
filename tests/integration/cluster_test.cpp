// SPDX-License-Identifier: MIT
// Three nodes on one Redis behave as one server: cross-node delivery and sync, presence that
// expires with a dead node, kill -9 of a node without losing acknowledged messages, and a Redis
// restart that nodes survive.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

class Cluster : public ::testing::Test {
 protected:
  Deployment d{Deployment::Mode::kRedis3};
  Http http{d.port()};
  std::uint16_t node(int i) { return d.node(i).port(); }

  std::vector<std::string> online(int i) {
    std::vector<std::string> out;
    json::value v = Http{node(i)}.get_json("/api/loginlist");
    for (auto& n : v.at("names").as_array()) out.emplace_back(n.as_string());
    return out;
  }
  // Waits until node i lists exactly `n` users online.
  bool wait_online(int i, std::size_t n, std::chrono::milliseconds limit = 8000ms) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (online(i).size() == n) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

TEST_F(Cluster, EveryConnectionOnAnyNodeGetsTheMessageOnce) {
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat alice0(node(0), at), alice2(node(2), at);
  Chat bob1(node(1), bt), bob2(node(2), bt);
  alice0.send_message({"bob"}, "across nodes", "c1");
  EXPECT_EQ(str(bob1.next().at("content")), "across nodes");
  EXPECT_EQ(str(bob2.next().at("content")), "across nodes");
  auto copy = alice2.next();
  EXPECT_EQ(str(copy.at("from")), "alice");
  EXPECT_EQ(str(copy.at("cid")), "c1");
  EXPECT_EQ(str(alice0.next().at("type")), "ack");
  EXPECT_TRUE(bob1.quiet());
  EXPECT_TRUE(bob2.quiet());
  EXPECT_TRUE(alice0.quiet());
}

TEST_F(Cluster, TokensFromOneNodeWorkOnAllAndLogoutClosesEverywhere) {
  std::string t = Http{node(0)}.login("alice");
  EXPECT_EQ(Http{node(1)}.get("/api/user", t).status, 200);
  Chat on1(node(1), t), on2(node(2), t);
  EXPECT_EQ(Http{node(0)}.post("/api/logout", "", t).status, 200);
  EXPECT_EQ(on1.ws.read_close(), 4401);
  EXPECT_EQ(on2.ws.read_close(), 4401);
  EXPECT_EQ(Http{node(2)}.get("/api/user", t).status, 401);
}

TEST_F(Cluster, OnlineListSpansNodesAndADeadNodeExpires) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  Chat alice(node(0), at);
  Chat bob(node(1), bt);
  Chat carol(node(2), ct);
  ASSERT_TRUE(wait_online(0, 3));
  ASSERT_TRUE(wait_online(2, 3));
  // loginlist frames reach connections on other nodes.
  for (;;) {
    auto l = alice.next_of("loginlist", 5000ms);
    if (l.at("content").at("names").as_array().size() == 3) break;
  }
  d.node(1).kill(SIGKILL);  // bob's node dies without a word
  EXPECT_TRUE(wait_online(0, 2, 6000ms)) << "a dead node's users leave within a few seconds";
  auto names = online(2);
  EXPECT_EQ(names, (std::vector<std::string>{"alice", "carol"}));
}

TEST_F(Cluster, OfflineInboxHistoryAndResumeWorkOnAnyNode) {
  std::string at = http.login("alice"), bt = http.login("bob");
  {
    Chat alice(node(0), at);
    for (int i = 0; i < 5; ++i)
      alice.send_message({"bob"}, "m" + std::to_string(i), "m" + std::to_string(i));
    for (int i = 0; i < 5; ++i) alice.next_of("ack");
  }
  std::int64_t last = 0;
  {
    Chat bob(node(1), bt);  // classic: the offline messages, in order
    for (int i = 0; i < 5; ++i) {
      auto m = bob.next();
      EXPECT_EQ(str(m.at("content")), "m" + std::to_string(i));
      if (i == 2) last = m.at("seq").as_int64();
    }
  }
  Chat bob(node(2), bt, last);  // resume elsewhere from seq of m2
  EXPECT_EQ(str(bob.next().at("content")), "m3");
  EXPECT_EQ(str(bob.next().at("content")), "m4");
  EXPECT_TRUE(bob.quiet());
  auto hist = Http{node(2)}.get_json("/api/history?with=alice", bt);
  EXPECT_EQ(hist.at("messages").as_array().size(), 5u);
}

TEST_F(Cluster, KilledNodeLosesNoAcknowledgedMessage) {
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat bob(node(1), bt, std::int64_t(0));
  std::set<std::string> acked;
  std::vector<std::string> all;
  {
    Chat alice(node(0), at, std::int64_t(0));
    for (int i = 0; i < 300; ++i) {
      all.push_back("k" + std::to_string(i));
      alice.send_message({"bob"}, all.back(), all.back());
    }
    for (int i = 0; i < 100; ++i) acked.insert(str(alice.next_of("ack").at("cid")));
    d.node(0).kill(SIGKILL);
  }
  // alice's client reconnects to another node and retries everything not acknowledged.
  Chat alice(node(2), at, std::int64_t(0));
  for (const auto& cid : all)
    if (!acked.count(cid)) alice.send_message({"bob"}, cid, cid);
  std::size_t retried = all.size() - acked.size();
  for (std::size_t i = 0; i < retried; ++i) alice.next_of("ack", 10000ms);
  std::map<std::string, int> got;
  std::int64_t last = 0;
  for (;;) {
    try {
      auto m = bob.next(true, 4000ms);  // generous: a loaded or sanitized machine is slow
      ++got[str(m.at("content"))];
      EXPECT_GT(m.at("seq").as_int64(), last);
      last = m.at("seq").as_int64();
    } catch (const std::runtime_error&) {
      break;
    }
  }
  for (const auto& cid : all) EXPECT_EQ(got[cid], 1) << cid;
}

TEST_F(Cluster, ADeadNodesUnpublishedMessageReachesLiveConnections) {
  // A fourth node that stores but never publishes: what a node killed between the two leaves.
  ::setenv("PARLEY_FAILPOINT", "skip-publish", 1);
  ServerProcess faulty({"--redis", d.redis()->url()});
  ::unsetenv("PARLEY_FAILPOINT");
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat bob(node(1), bt, std::int64_t(0));
  {
    Chat alice(faulty.port(), at, std::int64_t(0));
    alice.send_message({"bob"}, "stored, never published", "u1");
    std::this_thread::sleep_for(500ms);  // stored by now (no ack: acks travel with the publish)
    EXPECT_THROW(bob.next(true, 300ms), std::runtime_error);
    faulty.kill(SIGKILL);
  }
  // bob's node sees the faulty node's heartbeat expire and has its connections catch up.
  auto m = bob.next(true, 10000ms);
  EXPECT_EQ(str(m.at("content")), "stored, never published");
  EXPECT_EQ(m.at("seq").as_int64(), 1);
}

TEST_F(Cluster, NodesSurviveARedisRestartAndResume) {
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat alice(node(0), at);
  Chat bob(node(1), bt, std::int64_t(0));
  alice.send_message({"bob"}, "before", "b1");
  EXPECT_EQ(str(bob.next().at("content")), "before");

  d.redis()->kill(SIGKILL);
  std::this_thread::sleep_for(300ms);
  alice.send_message({"bob"}, "during", "d1");
  auto err = alice.next_of("error", 5000ms);
  EXPECT_EQ(str(err.at("code")), "store_unavailable");
  EXPECT_EQ(str(err.at("cid")), "d1");
  EXPECT_EQ(Http{node(2)}.get("/readyz").status, 503);
  auto reg = Http{node(2)}.post("/api/register", R"({"name":"newbie","password":"abc"})");
  EXPECT_EQ(reg.status, 503);
  EXPECT_EQ(Http{node(1)}.get("/healthz").status, 200);  // alive, just not ready

  d.redis()->start();  // same port, same AOF
  bool sent = false;
  for (int i = 0; i < 100 && !sent; ++i) {  // the client retries with the same cid
    std::this_thread::sleep_for(200ms);
    alice.send_message({"bob"}, "during", "d1");
    try {
      for (;;) {
        auto f = alice.next(true, 1000ms);
        if (str(f.at("type")) == "ack") {
          sent = true;
          break;
        }
        if (str(f.at("type")) == "error") break;
      }
    } catch (const std::runtime_error&) {
    }
  }
  ASSERT_TRUE(sent) << d.node(0).log();
  // bob's connection was kept; he gets the message once (live or by the node's catch-up).
  auto m = bob.next(true, 10000ms);
  EXPECT_EQ(str(m.at("content")), "during");
  EXPECT_TRUE(bob.quiet(1000ms));
  EXPECT_EQ(Http{node(2)}.get("/readyz").status, 200);
}

}  // namespace
}  // namespace parley::testing
