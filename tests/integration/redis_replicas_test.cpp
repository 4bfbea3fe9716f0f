// SPDX-License-Identifier: MIT
// `redis.min_replicas_ack`: on a Redis master with a replica, a send is acknowledged (and
// published) only once the replica holds it (WAIT), so a failover cannot lose an ack. A replica
// that stops answering holds the ack back (nothing is refused, nothing is delivered twice); when
// it recovers the send completes. The default follows the deployment: 1 when the master has
// replicas. Real redis-servers: a master and its replica.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

// Replicas past their first full sync (WAIT counts only those).
bool replica_online(const RedisProcess& master) {
  return master.command("INFO replication").find("state=online") != std::string::npos;
}

TEST(RedisReplicas, AcksWaitForTheReplicaAndAreHeldWhileItIsGone) {
  RedisProcess master, replica;
  ASSERT_EQ(replica.command("REPLICAOF 127.0.0.1 " + std::to_string(master.port())).rfind("+OK", 0),
            0u);
  for (int i = 0; i < 200 && !replica_online(master); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(replica_online(master));
  // Node a: the default (a replica exists: wait for 1). Node b: told not to wait.
  ServerProcess a({"--redis", master.url()});
  ServerProcess b({"--redis", master.url(), "--redis-min-replicas-ack", "0"});
  Http http{a.port()};
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  Chat alice(a.port(), at, std::int64_t(0)), bob(b.port(), bt, std::int64_t(0));
  Chat carol(b.port(), ct, std::int64_t(0));

  alice.send_message({"bob"}, "replicated", "r1");
  EXPECT_EQ(str(alice.next_of("ack").at("cid")), "r1");
  EXPECT_EQ(str(bob.next_of("normal").at("content")), "replicated");
  EXPECT_NE(a.log().find("acknowledged once 1 replica"), std::string::npos) << a.log();

  // The replica hangs: alice's next send is not acknowledged...
  replica.pause();
  alice.send_message({"bob"}, "held", "r2");
  EXPECT_TRUE(alice.drain_of("ack", 1500ms).empty()) << "no ack before the replica has it";
  // ...while a node that does not wait goes on (its writes are at risk, as configured). bob may
  // meet alice's message in his inbox on the way (it is there, only not yet replicated).
  carol.send_message({"bob"}, "unguarded", "c1");
  EXPECT_EQ(str(carol.next_of("ack", 5000ms).at("cid")), "c1");
  std::multiset<std::string> seen;
  for (int i = 0; i < 2 && !seen.count("unguarded"); ++i)
    seen.insert(str(bob.next_of("normal", 5000ms).at("content")));
  EXPECT_EQ(seen.count("unguarded"), 1u);

  // The replica recovers: the held send is acknowledged, and bob has each message once.
  replica.resume();
  EXPECT_EQ(str(alice.next_of("ack", 10000ms).at("cid")), "r2");
  if (!seen.count("held")) seen.insert(str(bob.next_of("normal", 5000ms).at("content")));
  EXPECT_EQ(seen, (std::multiset<std::string>{"held", "unguarded"}));
  EXPECT_TRUE(bob.drain_of("normal", 500ms).empty()) << "delivered exactly once";
  alice.send_message({"bob"}, "after", "r3");
  EXPECT_EQ(str(alice.next_of("ack").at("cid")), "r3");
  // The replica holds what was acknowledged.
  EXPECT_NE(replica.command("DBSIZE"), ":0\r\n");
}

TEST(RedisReplicas, NoReplicasMeansNoWaitAndBadSettingsAreRefused) {
  RedisProcess alone;
  ServerProcess node({"--redis", alone.url()});
  Http http{node.port()};
  std::string at = http.login("alice");
  http.login("bob");
  Chat alice(node.port(), at, std::int64_t(0));
  alice.send_message({"bob"}, "hi", "n1");
  EXPECT_EQ(str(alice.next_of("ack").at("cid")), "n1");
  EXPECT_EQ(node.log().find("replica(s) hold them"), std::string::npos) << node.log();
  int status = 0;
  for (const char* bad : {"-2", "101", "x"}) {
    std::string out = run_parley(std::string("--redis-min-replicas-ack ") + bad, status);
    EXPECT_NE(status, 0) << bad << ": " << out;
  }
}

}  // namespace
}  // namespace parley::testing
