// SPDX-License-Identifier: MIT
// The classic WebSocket protocol: auth, messages to one and to many, the server-set `from`,
// many connections per user, presence pushes and offline messages.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// Runs on one node and on three nodes sharing one Redis: every client connection lands on the
// next node in turn, so in the cluster run most exchanges cross nodes.
class WsClassic : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  Deployment server{GetParam()};
  Http http{server.port()};
  std::uint16_t port() { return server.next_port(); }
};

TEST_P(WsClassic, AuthAnswersOkOrNoAndCloses) {
  std::string token = http.login("alice");
  Chat good(port(), token);
  EXPECT_EQ(str(good.ok.at("type")), "ok");
  EXPECT_TRUE(good.ok.at("to").as_array().empty());
  EXPECT_EQ(str(good.ok.at("name")), "alice");

  Chat bad(port());
  bad.send(json::object{{"type", "auth"}, {"content", "not-a-token"}});
  auto no = bad.next_of("no");
  EXPECT_TRUE(no.at("to").as_array().empty());
  EXPECT_EQ(bad.ws.read_close(), 4401);
}

TEST_P(WsClassic, DeliversToOneUserWithServerSetFrom) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  alice.send_message({"bob"}, "你好 bob 👋");
  auto m = bob.next();
  EXPECT_EQ(str(m.at("type")), "normal");
  EXPECT_EQ(str(m.at("content")), "你好 bob 👋");
  EXPECT_EQ(str(m.at("from")), "alice");  // the client's "from":"spoofed" is ignored
  EXPECT_TRUE(m.at("to").as_array().empty());
  EXPECT_TRUE(alice.quiet());  // the sending connection does not get its own message
}

TEST_P(WsClassic, ASenderNeverGetsItsOwnMessagesBack) {
  // Its own sends take seqs in its inbox without reaching this connection: not a gap.
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  for (int i = 0; i < 3; ++i) alice.send_message({"bob"}, "a" + std::to_string(i));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(str(bob.next().at("content")), "a" + std::to_string(i));
  bob.send_message({"alice"}, "reply");
  auto m = alice.next();
  EXPECT_EQ(str(m.at("content")), "reply");
  EXPECT_TRUE(alice.quiet());
}

TEST_P(WsClassic, DeliversToManySkippingSenderAndUnknownNames) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  Chat carol(port(), http.login("carol"));
  alice.send_message({"bob", "nobody", "alice", "carol", "bob"}, "hi all");
  EXPECT_EQ(str(bob.next().at("content")), "hi all");
  EXPECT_EQ(str(carol.next().at("content")), "hi all");
  EXPECT_TRUE(bob.quiet());  // once, though named twice
  EXPECT_TRUE(alice.quiet());
}

TEST_P(WsClassic, EveryConnectionOfARecipientGetsTheMessageAndSenderDevicesSync) {
  std::string bt = http.login("bob");
  std::string at = http.login("alice");
  Chat bob1(port(), bt), bob2(port(), bt);
  Chat alice1(port(), at), alice2(port(), at);
  alice1.send_message({"bob"}, "to both tabs");
  EXPECT_EQ(str(bob1.next().at("content")), "to both tabs");
  EXPECT_EQ(str(bob2.next().at("content")), "to both tabs");
  auto copy = alice2.next();  // the sender's other device
  EXPECT_EQ(str(copy.at("content")), "to both tabs");
  EXPECT_EQ(str(copy.at("from")), "alice");
  ASSERT_EQ(copy.at("to").as_array().size(), 1u);
  EXPECT_EQ(copy.at("to").as_array()[0].as_string(), "bob");
  EXPECT_TRUE(alice1.quiet());
}

TEST_P(WsClassic, PushesLoginlistAndKeepsUserOnlineUntilLastConnectionCloses) {
  std::string bt = http.login("bob");
  Chat alice(port(), http.login("alice"));
  auto first = alice.next_of("loginlist");
  EXPECT_EQ(first.at("content").at("names").as_array().size(), 1u);
  {
    Chat bob1(port(), bt);
    Chat bob2(port(), bt);
    // alice hears bob come online.
    for (;;) {
      auto l = alice.next_of("loginlist");
      if (l.at("content").at("names").as_array().size() == 2) break;
    }
    // Each of bob's devices gets the list too: the first with the push its login caused, the
    // second (bob was online already: no push) right after its `ok`.
    for (Chat* b : {&bob1, &bob2})
      EXPECT_EQ(b->next_of("loginlist").at("content").at("names").as_array().size(), 2u);
    bob1.ws.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto names = http.get_json("/api/loginlist").at("names").as_array();
    EXPECT_EQ(names.size(), 2u) << "bob still has a connection";
  }
  for (;;) {
    auto l = alice.next_of("loginlist");
    auto names = l.at("content").at("names").as_array();
    if (names.size() == 1) {
      EXPECT_EQ(names[0].as_string(), "alice");
      break;
    }
  }
  EXPECT_EQ(http.get_json("/api/loginlist").at("names").as_array().size(), 1u);
}

TEST_P(WsClassic, OfflineMessagesArriveInSendOrderOnceAfterOk) {
  std::string bt = http.login("bob");
  Chat alice(port(), http.login("alice"));
  for (int i = 0; i < 20; ++i) alice.send_message({"bob"}, "m" + std::to_string(i));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    Chat bob(port(), bt);  // the constructor read `ok` first
    for (int i = 0; i < 20; ++i) {
      auto m = bob.next();
      EXPECT_EQ(str(m.at("content")), "m" + std::to_string(i));
      EXPECT_EQ(str(m.at("from")), "alice");
    }
    EXPECT_TRUE(bob.quiet());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Chat again(port(), http.login("bob"));  // the next login does not get them again
  EXPECT_TRUE(again.quiet(std::chrono::milliseconds(500)));
}

TEST_P(WsClassic, OfflineMessagesSurviveARestart) {
  std::string bt = http.login("bob");
  {
    Chat alice(port(), http.login("alice"));
    alice.send_message({"bob"}, "kept");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(server.stop(), 0);
  server.restart();
  Chat bob(port(), bt);
  EXPECT_EQ(str(bob.next().at("content")), "kept");
}

INSTANTIATE_TEST_SUITE_P(Deployments, WsClassic,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
