// SPDX-License-Identifier: MIT
// Issue 15, item 4: revocations reach the other nodes over pub/sub only, which does not replay.
// A node whose subscription was down while a user logged out (or logged out everywhere) must
// refuse the token once it is back, not honour it until the token expires.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"

namespace parley::testing {
namespace {

// Runs redis-cli against the test's redis-server; returns what it printed.
std::string redis_cli(RedisProcess& redis, const std::string& args) {
  std::string cmd = "redis-cli -p " + std::to_string(redis.port()) + " " + args + " 2>&1";
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, f)) out += buf;
    pclose(f);
  }
  return out;
}

// Polls until GET /api/user with `token` answers `status` on `port`, up to `timeout`.
bool answers(std::uint16_t port, const std::string& token, int status,
             std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (Http{port}.get("/api/user", token).status == status) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST(RevocationResync, ANodeThatMissedALogoutRefusesTheTokenOnceResubscribed) {
  Deployment d(Deployment::Mode::kRedis3);
  Http first{d.node(0).port()};
  const std::uint16_t missed = d.node(1).port();
  std::string alice = first.login("alice");  // logs out one device
  std::string bob = first.login("bob");      // logs out everywhere
  ASSERT_EQ(Http{missed}.get("/api/user", alice).status, 200);
  Chat alice_on_missed(missed, alice);

  // Cut every node's subscription and keep it from coming back: SUBSCRIBE is refused.
  ASSERT_NE(redis_cli(*d.redis(), "ACL SETUSER default -subscribe").find("OK"), std::string::npos);
  redis_cli(*d.redis(), "CLIENT KILL TYPE pubsub");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  ASSERT_EQ(first.post("/api/logout", "", alice).status, 200);
  ASSERT_EQ(first.post("/api/logout?all=1", "", bob).status, 200);
  EXPECT_EQ(first.get("/api/user", alice).status, 401);  // the node that stored it knows
  // The attack: the node that missed the publications still honours both tokens...
  EXPECT_EQ(Http{missed}.get("/api/user", alice).status, 200);
  EXPECT_EQ(Http{missed}.get("/api/user", bob).status, 200);

  // ...until its subscription is back: then it reads the revocations again.
  ASSERT_NE(redis_cli(*d.redis(), "ACL SETUSER default +subscribe").find("OK"), std::string::npos);
  EXPECT_TRUE(answers(missed, alice, 401, std::chrono::seconds(10)));
  EXPECT_TRUE(answers(missed, bob, 401, std::chrono::seconds(10)));
  EXPECT_EQ(alice_on_missed.ws.read_close(), 4401);  // its open connection is closed too
  EXPECT_TRUE(answers(d.node(2).port(), alice, 401, std::chrono::seconds(10)));
  // New logins keep working on the node that caught up.
  std::string again = first.login("alice");
  EXPECT_EQ(Http{missed}.get("/api/user", again).status, 200);
}

}  // namespace
}  // namespace parley::testing
