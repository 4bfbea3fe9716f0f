// SPDX-License-Identifier: MIT
// Attacks on logging in, through the real binary (issue "Abuse resistance", items 2 and 3): a
// registration flood that used to fill the hashing queue logins share; a burst of parallel
// wrong passwords that used to get ~64 guesses instead of the limit; and guessers who used to
// lock the owner of a name out for as long as they kept guessing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/socket.hpp"
#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Answer {
  int status = 0;
  json::value body;
};

// POSTs `body` to `target` from the loopback address `source` (any of 127.0.0.0/8).
Answer post_from(std::uint16_t port, const std::string& source, const std::string& target,
                 const std::string& body) {
  std::string request = "POST " + target +
                        " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  std::string out;
  try {
    client::Socket s = client::Socket::connect("127.0.0.1", port, source);
    s.send_all(request);
    for (std::string chunk; !(chunk = s.read_some(30000ms)).empty();) out += chunk;
  } catch (const std::runtime_error&) {
  }
  Answer a;
  if (out.rfind("HTTP/1.1 ", 0) != 0 || out.size() < 12) return a;
  a.status = std::stoi(out.substr(9, 3));
  auto end = out.find("\r\n\r\n");
  json::error_code ec;
  if (end != std::string::npos) a.body = json::parse(out.substr(end + 4), ec);
  return a;
}

std::string code_of(const Answer& a) {
  return a.body.is_object() && a.body.as_object().contains("code") ? str(a.body.at("code"))
                                                                   : "(none)";
}

std::string credentials(const std::string& name, const std::string& password,
                        const std::string& device = {}) {
  json::object o{{"name", name}, {"password", password}};
  if (!device.empty()) o["device"] = device;
  return json::serialize(o);
}

// 500 registrations at once from 50 addresses, with the real password cost, while the owner of
// an account logs in: each login answers within a second. Registrations are refused cheaply
// (a taken name, the per-address rate) or with 503 once their own queue is full; a login's
// check is never queued behind them.
TEST(LoginAbuse, ARegisterFloodDoesNotHoldUpLogins) {
  ServerProcess server({"--password-hash", "interactive", "--rate", "0"}, false);
  const std::uint16_t port = server.port();
  ASSERT_EQ(code_of(post_from(port, "127.0.0.1", "/api/register", credentials("owner", "secret"))),
            "2000");

  std::atomic<int> started{0};
  std::mutex m;
  std::map<std::string, int> answers;  // "status/code" -> count
  std::vector<std::thread> flood;
  auto flood_started = Clock::now();
  for (int t = 0; t < 100; ++t)
    flood.emplace_back([&, t] {
      std::string source = "127.0.1." + std::to_string(1 + t % 50);
      for (int i = 0; i < 5; ++i) {
        ++started;
        auto a = post_from(port, source, "/api/register",
                           credentials("f" + std::to_string(t) + "_" + std::to_string(i),
                                       "pw" + std::to_string(i) + "x"));
        std::lock_guard lock(m);
        ++answers[std::to_string(a.status) + "/" + code_of(a)];
      }
    });
  while (started < 200) std::this_thread::sleep_for(1ms);

  std::vector<double> latencies;
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    auto a = post_from(port, "127.0.0.2", "/api/login", credentials("owner", "secret"));
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    latencies.push_back(ms);
    EXPECT_EQ(code_of(a), "2000") << "login " << i << " during the flood: " << a.status;
    EXPECT_LT(ms, 1000) << "login " << i;
    std::this_thread::sleep_for(100ms);
  }
  for (auto& t : flood) t.join();
  double flood_s = std::chrono::duration<double>(Clock::now() - flood_started).count();

  int total = 0;
  for (const auto& [k, n] : answers) {
    total += n;
    EXPECT_TRUE(k == "200/2000" || k == "429/4029" || k == "503/5003") << k << " x" << n;
  }
  EXPECT_EQ(total, 500);
  EXPECT_LT(answers["200/2000"], 500) << "the flood was not pushed back at all";
  std::string summary;
  for (const auto& [k, n] : answers) summary += " " + k + "=" + std::to_string(n);
  double worst = *std::max_element(latencies.begin(), latencies.end());
  std::cout << "[ figure ] login latency under a 500-registration flood: worst " << worst
            << " ms of 5; flood answered in " << flood_s << " s;" << summary << "\n";
}

// 64 wrong passwords at once for one name (limit 10 a minute): at most 10 are checked (4005),
// the rest are refused before any hash (429). The count is taken before the hash, not after.
TEST(LoginAbuse, ABurstOfGuessesGetsNoMoreChecksThanTheLimit) {
  ServerProcess server({"--password-hash", "interactive", "--rate", "0"}, false);
  const std::uint16_t port = server.port();
  ASSERT_EQ(code_of(post_from(port, "127.0.0.1", "/api/register", credentials("victim", "secret"))),
            "2000");
  std::mutex m;
  std::map<std::string, int> answers;
  std::vector<std::thread> burst;
  for (int i = 0; i < 64; ++i)
    burst.emplace_back([&, i] {
      auto a = post_from(port, "127.0.2." + std::to_string(1 + i % 8), "/api/login",
                         credentials("victim", "guess" + std::to_string(i)));
      std::lock_guard lock(m);
      ++answers[code_of(a)];
    });
  for (auto& t : burst) t.join();
  EXPECT_LE(answers["4005"], 10);
  EXPECT_GE(answers["4005"], 1);
  EXPECT_EQ(answers["4005"] + answers["4029"], 64)
      << "4005=" << answers["4005"] << " 4029=" << answers["4029"];
}

// Guessers lock the name (3 failures a minute here) and keep guessing. The owner, on a device
// that logged in before (its device proof), still logs in with the right password; a proof
// never stands in for the password, nor works for another account, nor does an access token
// pass for one; a wrong password on the device counts against that device only.
TEST(LoginAbuse, TheOwnersDeviceLogsInWhileGuessersKeepTheNameLocked) {
  ServerProcess server({"--login-failures", "3"});
  const std::uint16_t port = server.port();
  Http http{port};
  http.login("victim");
  http.login("mallory");
  auto first = post_from(port, "127.0.0.1", "/api/login", credentials("victim", "secret"));
  ASSERT_EQ(code_of(first), "2000");
  std::string device = str(first.body.at("device"));
  std::string token = str(first.body.at("token"));
  ASSERT_FALSE(device.empty());
  auto mallory = post_from(port, "127.0.0.3", "/api/login", credentials("mallory", "secret"));
  std::string mallory_device = str(mallory.body.at("device"));

  // The guessers, from two addresses, until the name is locked.
  int guesses = 0;
  while (code_of(post_from(port, "127.0.3." + std::to_string(1 + guesses % 2), "/api/login",
                           credentials("victim", "guess" + std::to_string(guesses)))) == "4005")
    ASSERT_LT(++guesses, 10);
  EXPECT_EQ(guesses, 3);
  EXPECT_EQ(code_of(post_from(port, "127.0.0.4", "/api/login", credentials("victim", "secret"))),
            "4029")
      << "a device never seen before waits, like the guessers";
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(code_of(post_from(port, "127.0.3.1", "/api/login", credentials("victim", "guess"))),
              "4029");
    auto a = post_from(port, "127.0.0.1", "/api/login", credentials("victim", "secret", device));
    ASSERT_EQ(code_of(a), "2000") << "round " << round;
    device = str(a.body.at("device"));  // each login hands out a fresh proof
  }
  // Other proofs do not open the lock.
  EXPECT_EQ(code_of(post_from(port, "127.0.3.1", "/api/login",
                              credentials("victim", "guess", mallory_device))),
            "4029");
  EXPECT_EQ(
      code_of(post_from(port, "127.0.3.1", "/api/login", credentials("victim", "guess", token))),
      "4029");
  EXPECT_EQ(code_of(post_from(port, "127.0.3.1", "/api/login",
                              credentials("victim", "guess", device + "x"))),
            "4029");
  // A proof is not a password, and its own failures are counted.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(
        code_of(post_from(port, "127.0.0.1", "/api/login", credentials("victim", "wrong", device))),
        "4005");
  EXPECT_EQ(
      code_of(post_from(port, "127.0.0.1", "/api/login", credentials("victim", "secret", device))),
      "4029");
  // A signed-in owner's password check is counted per account, not against the locked name.
  EXPECT_EQ(http.post("/api/password", R"({"old":"secret","new":"secret2"})", token).status, 200);
}

}  // namespace
}  // namespace parley::testing
