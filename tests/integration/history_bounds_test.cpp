// SPDX-License-Identifier: MIT
// Issue 15, item 1: a user with a large inbox asking for the history with a peer it hardly talks
// to made the store read every row of that inbox, on its writer thread, for each request, so a
// loop of such requests stopped every commit. History pages are now read off the writer thread
// and each reads a bounded number of rows, ending early with `more` and where to go on.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

constexpr int kOwnCopies = 2500;  // more than one request reads (InboxReads::kScanRows = 2000)

// `user` sends kOwnCopies messages of 4 KiB to `sink` (its own copies fill its inbox); returns
// once the newest is stored.
void send_own_copies(ServerProcess& server, Http& http, const std::string& user) {
  Chat b(server.port(), user);
  std::string filler(4096, 'x');
  for (int i = 0; i < kOwnCopies; ++i) b.send_message({"sink"}, filler + std::to_string(i));
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto h = http.get_json("/api/history?with=sink&limit=1", user).at("messages").as_array();
    if (!h.empty() && str(h[0].at("content")) == filler + std::to_string(kOwnCopies - 1)) return;
    ASSERT_LT(std::chrono::steady_clock::now(), until);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Two other users talk, one message at a time: the longest a message took to arrive.
std::chrono::milliseconds worst_of_fifty_messages(ServerProcess& server, Http& http) {
  std::string a_token = http.login("alice"), b_token = http.login("bob");
  Chat alice(server.port(), a_token), bob(server.port(), b_token);
  std::chrono::milliseconds worst{0};
  for (int i = 0; i < 50; ++i) {
    auto sent = std::chrono::steady_clock::now();
    alice.send_message({"bob"}, "ping " + std::to_string(i));
    json::object m = bob.next_of("normal");
    EXPECT_EQ(str(m.at("content")), "ping " + std::to_string(i));
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - sent));
  }
  return worst;
}

TEST(HistoryBounds, AReadOfALargeInboxIsBoundedAndCommitsKeepFlowing) {
  ServerProcess server;
  Http http{server.port()};
  std::string big = http.login("big"), rare = http.login("rare"), sink = http.login("sink");
  {
    Chat r(server.port(), rare);
    r.send_message({"big"}, "hello from long ago");
  }
  ASSERT_NO_FATAL_FAILURE(send_own_copies(server, http, big));

  // The first page stops at the bound: nothing with rare yet, `more`, and where to go on.
  json::object first = http.get_json("/api/history?with=rare", big).as_object();
  EXPECT_TRUE(first.at("messages").as_array().empty());
  ASSERT_TRUE(first.at("more").as_bool());
  std::int64_t before = first.at("before").as_int64();
  json::object next =
      http.get_json("/api/history?with=rare&before=" + std::to_string(before), big).as_object();
  auto messages = next.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(str(messages[0].at("content")), "hello from long ago");
  EXPECT_FALSE(next.at("more").as_bool());

  // The attack: ten clients loop on that request while two other users talk.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 10; ++i)
    readers.emplace_back([&] {
      while (!stop)
        if (http.get("/api/history?with=rare", big).status == 200) ++reads;
    });
  std::chrono::milliseconds worst = worst_of_fifty_messages(server, http);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 10);
  EXPECT_LT(worst.count(), 1000) << "a message took " << worst.count() << " ms to deliver";
}

// The classic login's side of the same attack: `big` is a classic client (the original's page)
// whose delivered cursor cannot move past its own 2,500 sent copies, so every classic login used
// to walk all of them on the writer thread. Ten clients log in as `big` in a loop while two others
// talk: each login is answered and no message waits a second.
TEST(HistoryBounds, ClassicLoginsPastALargeInboxKeepCommitsFlowing) {
  ServerProcess server;
  Http http{server.port()};
  std::string big = http.login("big"), rare = http.login("rare"), sink = http.login("sink");
  {
    Chat r(server.port(), rare);
    r.send_message({"big"}, "hello from long ago");  // big is offline: stays undelivered
  }
  {
    Chat b(server.port(), big);  // classic: takes rare's message (the cursor moves past it)
    EXPECT_EQ(str(b.next_of("normal").at("content")), "hello from long ago");
  }
  ASSERT_NO_FATAL_FAILURE(send_own_copies(server, http, big));

  std::atomic<bool> stop{false};
  std::atomic<int> logins{0};
  std::vector<std::thread> loggers;
  for (int i = 0; i < 10; ++i)
    loggers.emplace_back([&] {
      while (!stop) {
        Chat c(server.port(), big);  // throws unless `ok` comes
        if (str(c.ok.at("type")) == "ok") ++logins;
      }
    });
  std::chrono::milliseconds worst = worst_of_fifty_messages(server, http);
  stop = true;
  for (auto& t : loggers) t.join();
  EXPECT_GT(logins.load(), 10);
  EXPECT_LT(worst.count(), 1000) << "a message took " << worst.count() << " ms to deliver";
  // Nothing was lost or repeated for the classic client: a new message still arrives, once.
  Chat r(server.port(), rare);
  r.send_message({"big"}, "hello again");
  Chat b(server.port(), big);
  EXPECT_EQ(str(b.next_of("normal").at("content")), "hello again");
}

}  // namespace
}  // namespace parley::testing
