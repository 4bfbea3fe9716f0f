// SPDX-License-Identifier: MIT
// SIGHUP through the real binary: the limits and the registration policy are read again from the
// configuration file and take effect on the connections already open, none of which is dropped;
// a file that no longer loads changes nothing and the server goes on.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Polls until GET /api/registration answers `want` (the reload is asynchronous).
bool registration_becomes(Http& http, const std::string& want) {
  for (int i = 0; i < 100; ++i) {
    if (str(http.get_json("/api/registration").at("registration")) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(Reload, SighupAppliesNewLimitsToOpenConnections) {
  TempDir dir;
  std::string file = dir.path() + "/parley.yaml";
  write(file, "registration: open\nlimits:\n  max_content_bytes: 4096\n");
  ServerProcess server({"--config", file});
  Http http{server.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat a(server.port(), at, std::int64_t(0)), b(server.port(), bt, std::int64_t(0));
  std::string text(3000, 'x');
  a.send_message({"bob"}, text, "c1");
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "c1");
  EXPECT_EQ(b.next_of("normal").at("content").as_string().size(), 3000u);

  write(file, "registration: closed\nlimits:\n  max_content_bytes: 2048\n");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(registration_becomes(http, "closed")) << server.log();
  EXPECT_EQ(
      str(http.post_json("/api/register", R"({"name":"carol","password":"secret"})").at("code")),
      "4031");
  // The same connection, not dropped, now refused what it could send before.
  a.send_message({"bob"}, text, "c2");
  auto err = a.next_of("error");
  EXPECT_EQ(str(err.at("code")), "too_large") << json::serialize(err);
  a.send_message({"bob"}, "short", "c3");
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "c3");
  EXPECT_EQ(str(b.next_of("normal").at("content")), "short");

  // A broken file: logged, nothing changes, still serving.
  write(file, "limits: [not, a, mapping\n");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_NE(server.log().find("nothing changed"), std::string::npos) << server.log();
  EXPECT_EQ(str(http.get_json("/api/registration").at("registration")), "closed");
  a.send_message({"bob"}, "still here", "c4");
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "c4");
  // And a correct one again.
  write(file, "registration: invite\n");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(registration_becomes(http, "invite"));
  a.send_message({"bob"}, text, "c5");
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "c5") << "max_content_bytes back to its default";
}

}  // namespace
}  // namespace parley::testing
