// SPDX-License-Identifier: MIT
// Store-then-deliver: every acknowledged message survives kill -9 and is delivered exactly once
// after the restart; a graceful stop closes clients with 1001 and exits 0.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// Several senders stream acknowledged messages to several receivers; the server is killed at a
// random moment, several times. Every acknowledged message must come out exactly once, and each
// sender's messages in the order they were sent.
TEST(Durability, AcknowledgedMessagesSurviveKill9) {
  ServerProcess server;
  Http http{server.port()};
  const int kSenders = 4, kReceivers = 2, kRounds = 3, kPerRound = 200;
  std::vector<std::string> sender_tokens, receiver_tokens;
  for (int i = 0; i < kSenders; ++i) sender_tokens.push_back(http.login("s" + std::to_string(i)));
  for (int i = 0; i < kReceivers; ++i)
    receiver_tokens.push_back(http.login("r" + std::to_string(i)));
  std::mutex mu;
  std::set<std::string> acked;  // "s<i>-<n>"
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> total_acks{0};
    std::atomic<bool> killed{false};
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] {
        try {
          Chat c(server.port(), sender_tokens[s]);
          for (int n = 0; n < kPerRound; ++n) {
            std::string id = "s" + std::to_string(s) + "-" + std::to_string(round * kPerRound + n);
            c.send_message({"r" + std::to_string(n % kReceivers)}, id, id);
          }
          for (;;) {
            auto f = c.next(true, std::chrono::milliseconds(3000));
            if (f.at("type").as_string() != "ack") continue;
            std::lock_guard l(mu);
            acked.insert(str(f.at("cid")));
            ++total_acks;
          }
        } catch (const std::exception&) {
          // the kill ends the stream
        }
      });
    }
    int kill_at = 100 + int(rng() % 400);
    while (total_acks < kill_at && total_acks < kSenders * kPerRound)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server.kill(SIGKILL);
    killed = true;
    for (auto& t : senders) t.join();
    server.restart();
  }
  for (int r = 0; r < kReceivers; ++r) {
    Chat c(server.port(), receiver_tokens[r], std::int64_t(0));
    std::map<std::string, int> got;
    std::map<int, int> last_n;  // per sender: the last counter seen
    for (;;) {
      try {
        auto m = c.next(true, std::chrono::milliseconds(1500));
        std::string content = str(m.at("content"));
        ++got[content];
        int sender = std::stoi(content.substr(1, content.find('-') - 1));
        int n = std::stoi(content.substr(content.find('-') + 1));
        auto it = last_n.find(sender);
        EXPECT_TRUE(it == last_n.end() || n > it->second) << "out of order: " << content;
        last_n[sender] = n;
      } catch (const std::runtime_error&) {
        break;
      }
    }
    for (const auto& [content, count] : got) EXPECT_EQ(count, 1) << content << " duplicated";
    for (const auto& id : acked) {
      int n = std::stoi(id.substr(id.find('-') + 1));
      if (n % kReceivers == r) EXPECT_EQ(got[id], 1) << "acknowledged " << id << " lost";
    }
  }
  EXPECT_GT(acked.size(), 300u);
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
