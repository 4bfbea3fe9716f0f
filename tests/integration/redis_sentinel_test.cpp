// SPDX-License-Identifier: MIT
// Redis Sentinel: nodes on `redis+sentinel://` find the master through the sentinels and follow
// a failover without operator action. Real redis-servers: a master, two replicas and three
// sentinels (quorum 2); the master is killed with SIGKILL under load, a replica is promoted,
// and every send that was acknowledged is delivered exactly once afterwards (redis.min_replicas_ack
// defaults to 1 with replicas: an ack means a replica holds the message).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/sentinel_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int online_replicas(const RedisProcess& master) {
  std::string info = master.command("INFO replication");
  int n = 0;
  for (auto at = info.find("state=online"); at != std::string::npos;
       at = info.find("state=online", at + 1))
    ++n;
  return n;
}

// A master with two replicas and three sentinels watching it.
struct SentinelSet {
  SentinelSet() {
    for (auto* r : {&replica1, &replica2})
      r->command("REPLICAOF 127.0.0.1 " + std::to_string(master.port()));
    for (int i = 0; i < 200 && online_replicas(master) < 2; ++i) std::this_thread::sleep_for(50ms);
    EXPECT_EQ(online_replicas(master), 2);
    for (int i = 0; i < 3; ++i)
      sentinels.push_back(std::make_unique<SentinelProcess>(master.port(), 2));
  }
  std::string url() const {
    std::string u = "redis+sentinel://";
    for (std::size_t i = 0; i < sentinels.size(); ++i)
      u += (i ? "," : "") + sentinels[i]->address();
    return u + "/mymaster";
  }
  RedisProcess master, replica1, replica2;
  std::vector<std::unique_ptr<SentinelProcess>> sentinels;
};

// Keeps up to `window` sends in flight; a send that gets an error (or no answer within 3 s) is
// sent again with the same cid after a short pause, and a closed connection is opened again
// (resuming), as a client does.
class Sender {
 public:
  Sender(std::uint16_t port, std::string token, std::string to)
      : port_(port), token_(std::move(token)), to_(std::move(to)) {
    reconnect();
  }
  // Runs until `total` sends are acknowledged or `deadline`; `after_ack(n)` sees each ack.
  template <typename F>
  void run(int total, Clock::time_point deadline, F after_ack) {
    while (int(acked_.size()) < total && Clock::now() < deadline) {
      try {
        while (int(in_flight_.size()) < kWindow && next_ < total) send(next_++);
        step(after_ack);
        resend_stale();
      } catch (const std::exception&) {  // the connection closed: open another, send again
        std::this_thread::sleep_for(200ms);
        reconnect();
      }
    }
  }
  const std::set<int>& acked() const { return acked_; }
  int errors() const { return errors_; }
  int reconnects() const { return reconnects_ - 1; }

 private:
  static constexpr int kWindow = 8;
  template <typename F>
  void step(F& after_ack) {
    json::object f;
    if (!chat_) throw std::runtime_error("not connected");
    auto asked = Clock::now();
    try {
      f = chat_->next(true, 200ms);
    } catch (const std::exception&) {
      if (Clock::now() - asked < 150ms) throw;  // not a time-out: the connection is gone
      return;
    }
    if (!f.contains("cid")) return;
    int i = std::stoi(str(f.at("cid")).substr(1));
    std::string type = str(f.at("type"));
    if (type == "ack" && in_flight_.erase(i)) {
      acked_.insert(i);
      after_ack(int(acked_.size()));
    } else if (type == "error" && in_flight_.count(i)) {
      ++errors_;
      in_flight_[i] = Clock::now() - 2800ms;  // resend after 200 ms
    }
  }
  void reconnect() {
    try {
      chat_ = std::make_unique<Chat>(port_, token_, std::int64_t(0));
      ++reconnects_;
      for (auto& [i, at] : in_flight_) at = Clock::now() - 10s;  // all resent next
      resend_stale();
    } catch (const std::exception&) {
      chat_.reset();
    }
  }
  void send(int i) {
    if (!chat_) throw std::runtime_error("not connected");
    in_flight_[i] = Clock::now();
    chat_->send_message({to_}, "m" + std::to_string(i), "c" + std::to_string(i));
  }
  void resend_stale() {
    for (auto& [i, at] : in_flight_)
      if (Clock::now() - at > 3s) {
        at = Clock::now();
        if (!chat_) throw std::runtime_error("not connected");
        chat_->send_message({to_}, "m" + std::to_string(i), "c" + std::to_string(i));
      }
  }
  std::uint16_t port_;
  std::string token_, to_;
  std::unique_ptr<Chat> chat_;
  int next_ = 0, errors_ = 0, reconnects_ = 0;
  std::map<int, Clock::time_point> in_flight_;
  std::set<int> acked_;
};

TEST(RedisSentinel, FailoverUnderLoadLosesNoAcknowledgedMessage) {
  SentinelSet set;
  ServerProcess a({"--redis", set.url()}), b({"--redis", set.url()});
  Http http{a.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  EXPECT_NE(a.log().find("master mymaster is at 127.0.0.1:" + std::to_string(set.master.port())),
            std::string::npos)
      << a.log();
  Sender sender(a.port(), at, "bob");
  Clock::time_point killed{}, last_ack{};
  Clock::duration outage{};  // the longest wait between two acks after the kill
  try {
    sender.run(400, Clock::now() + 60s, [&](int n) {
      if (n == 100) {
        set.master.kill();
        killed = Clock::now();
      } else if (n > 100) {
        outage = std::max(outage, Clock::now() - std::max(last_ack, killed));
      }
      last_ack = Clock::now();
    });
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\nnode a:\n" << a.log();
  }
  ASSERT_EQ(sender.acked().size(), 400u) << "errors seen: " << sender.errors() << "\n" << a.log();
  std::printf(
      "sentinel failover: longest wait between acks %lld ms, %d error frames, %d "
      "reconnects\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(outage).count()),
      sender.errors(), sender.reconnects());
  EXPECT_LT(outage, 20s);
  std::uint16_t promoted = set.sentinels[0]->master_port();
  EXPECT_TRUE(promoted == set.replica1.port() || promoted == set.replica2.port()) << promoted;

  // bob reads everything from the start on the other node: each acknowledged message once.
  Chat bob(b.port(), bt, std::int64_t(0));
  std::multiset<std::string> got;
  for (auto f : bob.drain(1500ms))
    if (str(f.at("type")) == "normal") got.insert(str(f.at("content")));
  for (int i : sender.acked()) EXPECT_EQ(got.count("m" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(got.size(), 400u) << "nothing twice, nothing unacknowledged";
  // And live delivery goes on across the nodes on the new master.
  Chat alice(a.port(), at, std::int64_t(0));
  alice.drain(300ms);
  alice.send_message({"bob"}, "after the failover", "z1");
  EXPECT_EQ(str(alice.next_of("ack", 10000ms).at("cid")), "z1");
  EXPECT_EQ(str(bob.next_of("normal", 10000ms).at("content")), "after the failover");
}

TEST(RedisSentinel, BadSentinelUrlsAreRefused) {
  for (const char* bad :
       {"redis+sentinel://", "redis+sentinel://127.0.0.1:26379",
        "redis+sentinel://127.0.0.1:26379/", "redis+sentinel://127.0.0.1:0/m",
        "redis+sentinel://127.0.0.1:x/m", "redis+sentinel://,/m",
        "redis+sentinel://127.0.0.1:26379/m/x", "redis+sentinels://127.0.0.1/m"}) {
    int status = 0;
    std::string out = run_parley(std::string("--redis ") + bad + " --port 0", status);
    EXPECT_NE(status, 0) << bad << ": " << out;
    EXPECT_NE(out.find("redis"), std::string::npos) << bad << ": " << out;
  }
}

// As with a plain Redis, a node needs the store at start (the token secret lives there): with no
// sentinel answering it refuses to start, saying why.
TEST(RedisSentinel, NoSentinelAnsweringRefusesToStartWithTheReason) {
  int status = 0;
  std::string out = run_parley(
      "--port 0 --redis redis+sentinel://127.0.0.1:" + std::to_string(free_port()) + "/mymaster",
      status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("no sentinel answered for master mymaster"), std::string::npos) << out;
}

}  // namespace
}  // namespace parley::testing
