// SPDX-License-Identifier: MIT
// The store failing (a file-size limit stands in for a full disk): clients get clear errors, no
// acknowledgement for what was not stored, readiness turns 503, and everything recovers when
// the fault clears, without losing what was acknowledged.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

void set_file_limit(pid_t pid, const std::string& limit) {
  std::string cmd = "prlimit --pid " + std::to_string(pid) + " --fsize=" + limit;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(DiskFull, RefusesWithErrorsAndRecovers) {
  ServerProcess server;
  Http http{server.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat alice(server.port(), at);
  alice.send_message({"bob"}, "before", "before");
  alice.next_of("ack");

  set_file_limit(server.pid(), "1:unlimited");  // no file may grow: like a full disk
  std::set<std::string> acked, refused;
  std::string big(8000, 'z');
  for (int i = 0; i < 200; ++i) alice.send_message({"bob"}, big, "f" + std::to_string(i));
  for (int i = 0; i < 200; ++i) {
    auto f = alice.next(true, 10000ms);
    std::string type = str(f.at("type"));
    if (type == "ack") acked.insert(str(f.at("cid")));
    if (type == "error") {
      EXPECT_EQ(str(f.at("code")), "store_unavailable");
      refused.insert(str(f.at("cid")));
    }
  }
  EXPECT_FALSE(refused.empty()) << "the file-size limit was never hit";
  EXPECT_EQ(http.get("/readyz").status, 503);
  EXPECT_EQ(http.get("/healthz").status, 200);

  set_file_limit(server.pid(), "unlimited:unlimited");                    // the fault clears
  for (const auto& cid : refused) alice.send_message({"bob"}, big, cid);  // clients retry
  for (std::size_t i = 0; i < refused.size(); ++i) {
    auto f = alice.next(true, 10000ms);
    ASSERT_EQ(str(f.at("type")), "ack") << json::serialize(f);
    acked.insert(str(f.at("cid")));
  }
  EXPECT_EQ(http.get("/readyz").status, 200);

  Chat bob(server.port(), bt, std::int64_t(0));
  std::map<std::string, int> got;
  for (;;) {
    try {
      auto m = bob.next(true, 1500ms);
      ++got[str(m.at("content")) == "before" ? "before" : std::to_string(m.at("id").as_int64())];
    } catch (const std::runtime_error&) {
      break;
    }
  }
  EXPECT_EQ(got["before"], 1);
  EXPECT_EQ(got.size(), 1 + acked.size()) << "every acknowledged message once, nothing else";
  for (const auto& [k, n] : got) EXPECT_EQ(n, 1) << k;
}

}  // namespace
}  // namespace parley::testing
