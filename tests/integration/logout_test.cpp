// SPDX-License-Identifier: MIT
// Logout revokes on the server: the token stops working over HTTP and WebSocket, its live
// connections close, and `all=1` revokes every device. Revocation survives a restart.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// Runs on one node and on three nodes sharing one Redis: every client connection lands on the
// next node in turn, so in the cluster run most exchanges cross nodes.
class Logout : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  Deployment server{GetParam()};
  Http http{server.port()};
  std::uint16_t port() { return server.next_port(); }
};

TEST_P(Logout, RevokesTheTokenAndClosesItsConnections) {
  std::string t1 = http.login("alice");
  std::string t2 = http.login("alice");  // a second device
  Chat phone(port(), t1);
  Chat laptop(port(), t2);
  auto r = http.post("/api/logout", "", t1);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(str(json::parse(r.body).at("code")), "2000");
  EXPECT_EQ(phone.ws.read_close(), 4401);
  EXPECT_EQ(http.get("/api/user", t1).status, 401);
  EXPECT_EQ(http.get("/api/user", t2).status, 200);  // the other device stays
  EXPECT_TRUE(laptop.quiet());
  Chat again(port());
  again.send(json::object{{"type", "auth"}, {"content", t1}});
  EXPECT_EQ(str(again.next_of("no").at("type")), "no");
  EXPECT_EQ(http.post("/api/logout", "", t1).status, 401);
  // Survives a restart.
  server.stop();
  server.restart();
  EXPECT_EQ(http.get("/api/user", t1).status, 401);
  EXPECT_EQ(http.get("/api/user", t2).status, 200);
}

TEST_P(Logout, AllRevokesEveryDevice) {
  std::string t1 = http.login("alice");
  std::string t2 = http.login("alice");
  Chat a(port(), t1), b(port(), t2);
  EXPECT_EQ(http.post("/api/logout?all=1", "", t1).status, 200);
  EXPECT_EQ(a.ws.read_close(), 4401);
  EXPECT_EQ(b.ws.read_close(), 4401);
  EXPECT_EQ(http.get("/api/user", t2).status, 401);
  std::string t3 = http.login("alice");  // logging in again works
  EXPECT_EQ(http.get("/api/user", t3).status, 200);
  server.stop();
  server.restart();
  EXPECT_EQ(http.get("/api/user", t2).status, 401);
  EXPECT_EQ(http.get("/api/user", t3).status, 200);
}

TEST(TokenSecret, IsGeneratedPrivatelyAndKeptAcrossRestarts) {
  ServerProcess server;
  Http http{server.port()};
  std::string t = http.login("alice");
  struct stat st {};
  ASSERT_EQ(::stat((server.data_dir() + "/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server.stop();
  server.restart();
  EXPECT_EQ(http.get("/api/user", t).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Deployments, Logout,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

TEST(TokenExpiry, ExpiredTokensAreRefusedAndTheirConnectionsClosed) {
  TempDir dir;
  std::string cfg = dir.path() + "/parley.yaml";
  std::ofstream(cfg) << "token_lifetime: 2\n";
  ServerProcess server({"--config", cfg});
  Http http{server.port()};
  std::string t = http.login("alice");
  Chat c(server.port(), t);
  EXPECT_EQ(c.ws.read_close(std::chrono::milliseconds(6000)), 4401);
  EXPECT_EQ(http.get("/api/user", t).status, 401);
}

}  // namespace
}  // namespace parley::testing
