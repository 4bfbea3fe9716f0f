// SPDX-License-Identifier: MIT
// Abuse limits: connections per IP, brute-force login throttling, and slow consumers that stop
// reading while being flooded.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

long metric(std::uint16_t port, const std::string& name) {
  std::string body = Http{port}.get("/metrics").body;
  std::smatch m;
  if (!std::regex_search(body, m, std::regex(name + " (\\d+)"))) return -1;
  return std::stol(m[1]);
}

TEST(Limits, ConnectionsPerIpAreCapped) {
  ServerProcess server({"--max-connections-per-ip", "3"});
  std::vector<client::WsClient> open;
  for (int i = 0; i < 3; ++i) open.push_back(client::WsClient::connect("127.0.0.1", server.port()));
  try {
    client::WsClient::connect("127.0.0.1", server.port());
    FAIL() << "a fourth connection was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("429"), std::string::npos) << e.what();
  }
  open.pop_back();
  std::this_thread::sleep_for(200ms);
  EXPECT_NO_THROW(client::WsClient::connect("127.0.0.1", server.port()));
}

TEST(Limits, ConnectionsPerUserAreCappedAndEveryLimitHasAFlag) {
  ServerProcess server({"--max-connections-per-user", "2", "--max-recipients", "1",
                        "--max-content-bytes", "1024", "--max-frame-bytes", "2048"});
  Http http{server.port()};
  std::string t = http.login("alice");
  http.login("bob");
  http.login("carol");
  Chat a(server.port(), t), b(server.port(), t);
  Chat c(server.port());
  c.send(json::object{{"type", "auth"}, {"content", t}});
  EXPECT_EQ(str(c.next_of("no").at("type")), "no");
  EXPECT_EQ(c.ws.read_close(), 1008);
  a.send_message({"bob", "carol"}, "x");
  EXPECT_EQ(str(a.next_of("error").at("code")), "too_many_recipients");
  a.send_message({"bob"}, std::string(1500, 'x'));
  EXPECT_EQ(str(a.next_of("error").at("code")), "too_large");
  a.send_message({"bob"}, std::string(3000, 'x'));
  EXPECT_EQ(str(a.next_of("error").at("code")), "too_large");
  EXPECT_EQ(a.ws.read_close(), 1009);
}

// One account cannot multiply its rate by opening connections: per connection 5/s (burst 10),
// so 64 connections (the default per-user cap) could send 640 at once; the user's bucket
// (default 4x: 20/s, burst 40), shared by all of them on whatever shard, lets about 40 through.
// Another account is unaffected.
TEST(Limits, AUsersConnectionsShareOneMessageRate) {
  const int kConns = 64;
  ServerProcess server(
      {"--password-hash", "fast", "--rate", "5", "--burst", "10", "--threads", "2"}, false);
  Http http{server.port()};
  std::string t = http.login("alice");
  http.login("bob");
  std::string ct = http.login("carol");
  std::vector<std::unique_ptr<Chat>> conns;
  for (int i = 0; i < kConns; ++i) conns.push_back(std::make_unique<Chat>(server.port(), t));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kConns; ++i)
    for (int j = 0; j < 10; ++j)
      conns[i]->send_message({"bob"}, "m", "c" + std::to_string(i) + "-" + std::to_string(j));
  int acked = 0, limited = 0;
  for (auto& c : conns) {
    for (int answers = 0; answers < 10;) {
      json::object f = c->next();
      std::string type = str(f.at("type"));
      if (type == "normal") continue;  // the copies of what alice's other connections sent
      ++answers;
      if (type == "ack") {
        ++acked;
      } else {
        EXPECT_EQ(str(f.at("code")), "rate_limited");
        ++limited;
      }
    }
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(acked + limited, kConns * 10);
  EXPECT_GE(acked, 40);
  EXPECT_LE(acked, 40 + int(20 * elapsed) + 1) << "after " << elapsed << " s";
  EXPECT_GT(limited, 0);

  Chat carol(server.port(), ct);
  for (int j = 0; j < 10; ++j) carol.send_message({"bob"}, "m", "k" + std::to_string(j));
  for (int j = 0; j < 10; ++j) EXPECT_EQ(str(carol.next().at("type")), "ack");
}

// `limits.user_messages_per_second` (here --user-rate) sets the per-user rate on its own.
TEST(Limits, TheUserRateHasItsOwnSetting) {
  ServerProcess server(
      {"--password-hash", "fast", "--rate", "0", "--user-rate", "0.2", "--burst", "1"}, false);
  Http http{server.port()};
  std::string t = http.login("alice");
  http.login("bob");
  Chat a(server.port(), t), b(server.port(), t);
  // Burst 4 x 1: four messages pass; the next one is due 5 s later, so the fifth and sixth (from
  // the other connection) do not.
  for (int j = 0; j < 4; ++j) a.send_message({"bob"}, "m", "a" + std::to_string(j));
  for (int j = 0; j < 4; ++j) EXPECT_EQ(str(a.next_of("ack").at("cid")), "a" + std::to_string(j));
  b.send_message({"bob"}, "m", "b0");
  b.send_message({"bob"}, "m", "b1");
  for (int j = 0; j < 2; ++j) {
    json::object f = b.next_of("error");
    EXPECT_EQ(str(f.at("code")), "rate_limited");
  }
}

TEST(Limits, FailedLoginsAreThrottledAndSuccessesAreNot) {
  ServerProcess server({"--login-failures", "5"});
  Http http{server.port()};
  http.post("/api/register", R"({"name":"alice","password":"right"})");
  for (int i = 0; i < 20; ++i)  // successes never count
    EXPECT_EQ(
        str(http.post_json("/api/login", R"({"name":"alice","password":"right"})").at("code")),
        "2000");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(
        str(http.post_json("/api/login", R"({"name":"alice","password":"wrong"})").at("code")),
        "4005");
  auto blocked = http.post("/api/login", R"({"name":"alice","password":"right"})");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(str(json::parse(blocked.body).at("code")), "4029");
}

// One person fumbling a password behind a shared address does not lock out the others there;
// a guessing run over many names from one address is still stopped (at 10x the per-name rate).
TEST(Limits, FailedLoginsOfOneNameDoNotLockOutTheAddress) {
  ServerProcess server({"--login-failures", "5"});
  Http http{server.port()};
  http.post("/api/register", R"({"name":"alice","password":"right"})");
  http.post("/api/register", R"({"name":"bob","password":"right"})");
  for (int i = 0; i < 10; ++i) http.post("/api/login", R"({"name":"alice","password":"wrong"})");
  EXPECT_EQ(http.post("/api/login", R"({"name":"alice","password":"right"})").status, 429);
  auto bob = http.post("/api/login", R"({"name":"bob","password":"right"})");
  EXPECT_EQ(bob.status, 200) << bob.body;
  EXPECT_EQ(str(json::parse(bob.body).at("code")), "2000");
  // Guessing across names: 4 failures each (under the per-name limit) for many names.
  int refused_at = -1;
  for (int i = 0; i < 60 && refused_at < 0; ++i) {
    std::string body = R"({"name":"guess)" + std::to_string(i / 4) + R"(","password":"wrong"})";
    if (http.post("/api/login", body).status == 429) refused_at = i;
  }
  EXPECT_GE(refused_at, 40) << "the address limit is 10 x 5 failures a minute";
  EXPECT_LE(refused_at, 55);
  EXPECT_EQ(http.post("/api/login", R"({"name":"bob","password":"right"})").status, 429)
      << "now the whole address waits";
}

TEST(Limits, ASlowConsumerIsDroppedAndResumesWithoutLoss) {
  ServerProcess server({"--max-outbound-bytes", "262144"});
  Http http{server.port()};
  std::string bt = http.login("bob");
  Chat alice(server.port(), http.login("alice"));
  Chat bob(server.port(), bt, std::int64_t(0));  // then never reads
  std::string text(15000, 'x');
  const int kMessages = 1500;  // ~22 MB: more than the kernel's socket buffers hold
  for (int i = 0; i < kMessages; ++i)
    alice.send_message({"bob"}, std::to_string(i) + ":" + text, "s" + std::to_string(i));
  for (int i = 0; i < kMessages; ++i) {
    try {
      alice.next_of("ack", 10000ms);
    } catch (const std::exception& e) {
      FAIL() << "ack " << i << ": " << e.what() << "\n" << server.log();
    }
  }
  EXPECT_GE(metric(server.port(), "parley_slow_consumer_drops_total"), 1);
  // Sanitizers multiply RSS (shadow memory, quarantine): the bound holds for real builds.
  if (!std::getenv("PARLEY_SANITIZER"))
    EXPECT_LT(rss_kib(server.pid()), 200 * 1024) << "server memory must stay bounded";
  // The dropped connection ends (after what the kernel had buffered).
  bool ended = false;
  try {
    for (;;) bob.ws.read(3000ms);
  } catch (const std::runtime_error& e) {
    ended = std::string(e.what()) == "closed";
  }
  EXPECT_TRUE(ended);
  // Everything is still in the inbox: a resume from 0 gets all of it, in order.
  Chat again(server.port(), bt, std::int64_t(0));
  for (int i = 0; i < kMessages; ++i) {
    auto m = again.next(true, 10000ms);
    ASSERT_EQ(str(m.at("content")).substr(0, std::to_string(i).size() + 1),
              std::to_string(i) + ":");
  }
}

}  // namespace
}  // namespace parley::testing
