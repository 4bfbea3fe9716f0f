// SPDX-License-Identifier: MIT
// parley's extensions: ids/seq/ts, acks and idempotent retries, resume by seq, history and the
// conversation list.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// Runs on one node and on three nodes sharing one Redis: every client connection lands on the
// next node in turn, so in the cluster run most exchanges cross nodes.
class WsExtensions : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  Deployment server{GetParam()};
  Http http{server.port()};
  std::uint16_t port() { return server.next_port(); }
};

TEST_P(WsExtensions, MessagesCarryIdSeqAndTimestamp) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  alice.send_message({"bob"}, "one");
  alice.send_message({"bob"}, "two");
  auto m1 = bob.next(), m2 = bob.next();
  EXPECT_GT(m1.at("id").as_int64(), 0);
  EXPECT_GT(m2.at("id").as_int64(), m1.at("id").as_int64());
  EXPECT_EQ(m2.at("seq").as_int64(), m1.at("seq").as_int64() + 1);
  EXPECT_GT(m1.at("ts").as_int64(), 1700000000000);
}

TEST_P(WsExtensions, AckAfterStoreAndRetriedCidIsNotStoredTwice) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  alice.send_message({"bob"}, "once", "c-1");
  auto ack = alice.next_of("ack");
  EXPECT_EQ(str(ack.at("cid")), "c-1");
  EXPECT_GT(ack.at("id").as_int64(), 0);
  EXPECT_GT(ack.at("seq").as_int64(), 0);
  EXPECT_EQ(ack.at("to").as_array().size(), 1u);
  alice.send_message({"bob"}, "once", "c-1");  // a retry after a lost ack
  auto ack2 = alice.next_of("ack");
  EXPECT_EQ(ack2.at("id").as_int64(), ack.at("id").as_int64());
  EXPECT_EQ(ack2.at("seq").as_int64(), ack.at("seq").as_int64());
  EXPECT_EQ(str(bob.next().at("content")), "once");
  EXPECT_TRUE(bob.quiet());
  auto hist = http.get_json("/api/history?with=alice", http.login("bob"));
  EXPECT_EQ(hist.at("messages").as_array().size(), 1u);
}

TEST_P(WsExtensions, ResumeDeliversExactlyWhatWasMissedInOrder) {
  std::string bt = http.login("bob");
  std::int64_t last = 0;
  Chat alice(port(), http.login("alice"));
  {
    Chat bob(port(), bt, std::int64_t(0));
    alice.send_message({"bob"}, "a");
    alice.send_message({"bob"}, "b");
    bob.next();
    last = bob.next().at("seq").as_int64();
  }
  for (int i = 0; i < 5; ++i)
    alice.send_message({"bob"}, "missed" + std::to_string(i), "x" + std::to_string(i));
  for (int i = 0; i < 5; ++i) alice.next_of("ack");
  Chat bob(port(), bt, last);
  EXPECT_EQ(bob.ok.at("seq").as_int64(), last + 5);
  for (int i = 0; i < 5; ++i) {
    auto m = bob.next();
    EXPECT_EQ(str(m.at("content")), "missed" + std::to_string(i));
    EXPECT_EQ(m.at("seq").as_int64(), last + 1 + i);
  }
  alice.send_message({"bob"}, "live");
  auto live = bob.next();
  EXPECT_EQ(str(live.at("content")), "live");
  EXPECT_EQ(live.at("seq").as_int64(), last + 6);
  EXPECT_TRUE(bob.quiet());
}

// A resume seq near INT64_MAX used to overflow (`after + 1`) in the store: refused with an
// error frame, as are negative, fractional and out-of-range numbers, and the connection can
// still authenticate.
TEST_P(WsExtensions, ResumeSeqBeyondAnyInboxIsRefused) {
  std::string at = http.login("alice");
  std::string bt = http.login("bob");
  Chat alice(port());
  for (const char* seq :
       {"9223372036854775807", "9007199254740992", "9223372036854775808", "18446744073709551615",
        "99999999999999999999999", "1e300", "-1", "-9223372036854775808", "1.5", "\"5\""}) {
    alice.send_raw_text(std::string(R"({"type":"auth","content":")") + at + R"(","seq":)" + seq +
                        "}");
    json::object e = alice.next();
    EXPECT_EQ(str(e.at("type")), "error") << seq;
    EXPECT_EQ(str(e.at("code")), "bad_frame") << seq;
  }
  // The largest accepted seq (2^53 - 1) authenticates; nothing is replayed, live traffic flows.
  alice.send_raw_text(std::string(R"({"type":"auth","content":")") + at +
                      R"(","seq":9007199254740991})");
  EXPECT_EQ(str(alice.next().at("type")), "ok");
  Chat bob(port(), bt);
  bob.send_message({"alice"}, "still here");
  EXPECT_EQ(str(alice.next_of("normal").at("content")), "still here");
}

TEST_P(WsExtensions, ResumeIncludesCopiesOfWhatOtherDevicesSent) {
  std::string at = http.login("alice");
  http.login("bob");
  Chat phone(port(), at);
  std::int64_t head = phone.ok.at("seq").as_int64();
  phone.send_message({"bob"}, "from my phone", "p1");
  phone.next_of("ack");
  Chat laptop(port(), at, head);
  auto copy = laptop.next();
  EXPECT_EQ(str(copy.at("content")), "from my phone");
  EXPECT_EQ(str(copy.at("from")), "alice");
  EXPECT_EQ(str(copy.at("cid")), "p1");
  EXPECT_EQ(copy.at("to").as_array()[0].as_string(), "bob");
}

TEST_P(WsExtensions, ResumeUnderConcurrentTrafficLosesAndDuplicatesNothing) {
  std::string bt = http.login("bob");
  Chat alice(port(), http.login("alice"));
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    Chat carol(port(), http.login("carol"));
    for (int i = 0; i < 300 && !stop; ++i) {
      carol.send_message({"bob"}, std::to_string(i));
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  std::set<std::int64_t> seen;
  std::int64_t last = 0;
  for (int round = 0; round < 6; ++round) {
    Chat bob(port(), bt, last);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(40);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        auto m = bob.next(true, std::chrono::milliseconds(20));
        std::int64_t seq = m.at("seq").as_int64();
        EXPECT_TRUE(seen.insert(seq).second) << "duplicate seq " << seq;
        EXPECT_EQ(seq, last + 1) << "gap";
        last = seq;
      } catch (const std::runtime_error&) {
      }
    }
  }
  sender.join();
  Chat bob(port(), bt, last);
  for (;;) {
    try {
      auto m = bob.next(true, std::chrono::milliseconds(500));
      std::int64_t seq = m.at("seq").as_int64();
      EXPECT_EQ(seq, last + 1);
      last = seq;
    } catch (const std::runtime_error&) {
      break;
    }
  }
  EXPECT_EQ(last, 300);
}

TEST_P(WsExtensions, HistoryPagesBackwardsBothDirections) {
  std::string at = http.login("alice"), bt = http.login("bob");
  http.login("carol");
  Chat alice(port(), at), bob(port(), bt);
  for (int i = 0; i < 7; ++i) {
    (i % 2 ? bob : alice)
        .send_message({i % 2 ? "alice" : "bob"}, "h" + std::to_string(i), "h" + std::to_string(i));
    (i % 2 ? bob : alice).next_of("ack");
  }
  alice.send_message({"carol"}, "not in this conversation", "other");
  alice.next_of("ack");
  auto page1 = http.get_json("/api/history?with=bob&limit=3", at);
  auto msgs = page1.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(str(msgs[0].at("content")), "h4");
  EXPECT_EQ(str(msgs[2].at("content")), "h6");
  EXPECT_TRUE(page1.at("more").as_bool());
  auto before = msgs[0].at("id").as_int64();
  auto page2 = http.get_json("/api/history?with=bob&limit=10&before=" + std::to_string(before), at);
  auto msgs2 = page2.at("messages").as_array();
  ASSERT_EQ(msgs2.size(), 4u);
  EXPECT_EQ(str(msgs2[0].at("content")), "h0");
  EXPECT_EQ(str(msgs2[1].at("from")), "bob");
  EXPECT_FALSE(page2.at("more").as_bool());
  // Bob sees the same conversation.
  EXPECT_EQ(http.get_json("/api/history?with=alice&limit=50", bt).at("messages").as_array().size(),
            7u);
  // Bad parameters and tokens.
  EXPECT_EQ(http.get("/api/history?with=bob&limit=0", at).status, 400);
  EXPECT_EQ(http.get("/api/history?with=bob&before=x", at).status, 400);
  EXPECT_EQ(http.get("/api/history", at).status, 400);
  EXPECT_EQ(http.get("/api/history?with=nobody", at).status, 404);
  EXPECT_EQ(http.get("/api/history?with=bob").status, 401);
}

TEST_P(WsExtensions, GroupMessagesAppearInEachConversation) {
  std::string at = http.login("alice");
  http.login("bob");
  http.login("carol");
  Chat alice(port(), at);
  alice.send_message({"bob", "carol"}, "to both", "g1");
  alice.next_of("ack");
  EXPECT_EQ(http.get_json("/api/history?with=bob", at).at("messages").as_array().size(), 1u);
  EXPECT_EQ(http.get_json("/api/history?with=carol", at).at("messages").as_array().size(), 1u);
  auto convs = http.get_json("/api/conversations", at).at("conversations").as_array();
  ASSERT_EQ(convs.size(), 2u);
  EXPECT_EQ(str(convs[0].at("last").at("content")), "to both");
  EXPECT_EQ(http.get("/api/conversations").status, 401);
}

TEST_P(WsExtensions, PingFrameGetsPong) {
  Chat alice(port(), http.login("alice"));
  alice.send(json::object{{"type", "ping"}});
  EXPECT_EQ(str(alice.next_of("pong").at("type")), "pong");
}

INSTANTIATE_TEST_SUITE_P(Deployments, WsExtensions,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
