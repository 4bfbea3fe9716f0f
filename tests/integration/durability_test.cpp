// SPDX-License-Identifier: MIT
// Store-then-deliver: every acknowledged message survives kill -9 and is delivered exactly once
// after the restart; a graceful stop closes clients with 1001 and exits 0.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <random>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

TEST(Durability, AcknowledgedMessagesSurviveKill9) {
  ServerProcess server;
  Http http{server.port()};
  std::string bt = http.login("bob");
  std::string at = http.login("alice");
  std::set<std::string> acked;
  std::mt19937 rng(std::random_device{}());
  int sent_total = 0;
  for (int round = 0; round < 3; ++round) {
    {
      Chat alice(server.port(), at);
      int kill_after = 50 + int(rng() % 200);
      for (int i = 0; i < 400; ++i)
        alice.send_message({"bob"}, "r" + std::to_string(round) + "-" + std::to_string(i),
                           "r" + std::to_string(round) + "-" + std::to_string(i));
      sent_total += 400;
      int got = 0;
      while (got < kill_after) {
        auto ack = alice.next_of("ack");
        acked.insert(str(ack.at("cid")));
        ++got;
      }
      server.kill(SIGKILL);  // mid-stream: some messages are in flight, unacknowledged
    }
    server.restart();
  }
  Chat bob(server.port(), bt, std::int64_t(0));
  std::map<std::string, int> received;
  std::int64_t last_seq = 0;
  for (;;) {
    try {
      auto m = bob.next(true, std::chrono::milliseconds(1000));
      ++received[str(m.at("content"))];
      EXPECT_GT(m.at("seq").as_int64(), last_seq);
      last_seq = m.at("seq").as_int64();
    } catch (const std::runtime_error&) {
      break;
    }
  }
  for (const auto& cid : acked) EXPECT_EQ(received[cid], 1) << "acknowledged " << cid << " lost";
  for (const auto& [content, n] : received) EXPECT_EQ(n, 1) << content << " duplicated";
  EXPECT_GE(received.size(), acked.size());
  EXPECT_LE(int(received.size()), sent_total);
}

TEST(Durability, GracefulStopClosesWith1001AndExitsZero) {
  ServerProcess server;
  Http http{server.port()};
  Chat alice(server.port(), http.login("alice"));
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(alice.ws.read_close(), 1001);
  EXPECT_EQ(server.stop(), 0);
}

TEST(Heartbeat, DeadConnectionsLeaveTheOnlineList) {
  TempDir dir;
  std::string cfg = dir.path() + "/parley.yaml";
  std::ofstream(cfg) << "limits:\n  ping_interval: 1\n  idle_timeout: 2\n  auth_timeout: 1\n";
  ServerProcess server({"--config", cfg});
  Http http{server.port()};
  Chat silent(server.port(), http.login("ghost"));  // never reads again, never answers pings
  EXPECT_EQ(http.get_json("/api/loginlist").at("names").as_array().size(), 1u);
  // Closed after 2 s of silence (checked every second); allow for a loaded machine.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while (!http.get_json("/api/loginlist").at("names").as_array().empty() &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(http.get_json("/api/loginlist").at("names").as_array().empty());

  Chat alive(server.port(), http.login("alive"));  // answers pings while reading
  until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3500);
  while (std::chrono::steady_clock::now() < until) {
    try {
      alive.next(false, std::chrono::milliseconds(200));
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_EQ(http.get_json("/api/loginlist").at("names").as_array().size(), 1u);
}

TEST(Heartbeat, UnauthenticatedConnectionsAreClosed) {
  TempDir dir;
  std::string cfg = dir.path() + "/parley.yaml";
  std::ofstream(cfg) << "limits:\n  auth_timeout: 1\n";
  ServerProcess server({"--config", cfg});
  Chat idle(server.port());
  EXPECT_EQ(idle.ws.read_close(std::chrono::milliseconds(4000)), 4408);
}

}  // namespace
}  // namespace parley::testing
