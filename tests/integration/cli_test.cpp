// SPDX-License-Identifier: MIT
// The command line and the configuration file.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

TEST(Cli, HelpExplainsTheFlags) {
  int status = -1;
  std::string out = run_parley("--help", status);
  EXPECT_EQ(status, 0);
  for (const char* flag : {"--config", "--host", "--port", "--data"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

TEST(Cli, RejectsBadFlagsAndBadConfig) {
  int status = 0;
  run_parley("--port notanumber", status);
  EXPECT_NE(status, 0);
  TempDir dir;
  std::ofstream(dir.path() + "/bad.yaml") << "limits: [1, 2\n";
  std::string out = run_parley("--config " + dir.path() + "/bad.yaml", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("config"), std::string::npos);
  std::ofstream(dir.path() + "/bad2.yaml") << "port: banana\n";
  out = run_parley("--config " + dir.path() + "/bad2.yaml", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("port"), std::string::npos);
  std::ofstream(dir.path() + "/typo.yaml") << "port: 9000\nlimits:\n  max_frame_byte: 1\n";
  out = run_parley("--config " + dir.path() + "/typo.yaml", status);
  EXPECT_NE(status, 0) << "an unknown key refuses to start";
  EXPECT_NE(out.find("unknown key 'max_frame_byte'"), std::string::npos) << out;
  EXPECT_NE(out.find("line 3"), std::string::npos) << out;
  run_parley("--config /nonexistent.yaml", status);
  EXPECT_NE(status, 0);
  out = run_parley("--rate -1", status);  // flags are range-checked like the file
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("messages_per_second"), std::string::npos);
}

TEST(Cli, ConfigFileLimitsApplyAndFlagsOverrideTheFile) {
  TempDir dir;
  std::string cfg = dir.path() + "/parley.yaml";
  // The file asks for port 1 (privileged: would fail); the flag given by ServerProcess wins.
  std::ofstream(cfg) << "port: 1\nlimits:\n  max_recipients: 2\n";
  ServerProcess server({"--config", cfg});
  Http http{server.port()};
  Chat alice(server.port(), http.login("alice"));
  http.login("b");
  http.login("c");
  http.login("d");
  alice.send_message({"b", "c", "d"}, "x");
  EXPECT_EQ(str(alice.next_of("error").at("code")), "too_many_recipients");
}

TEST(Cli, RateLimitRefusesFloods) {
  ServerProcess server({"--rate", "5"}, false);
  Http http{server.port()};
  Chat alice(server.port(), http.login("alice"));
  http.login("bob");
  for (int i = 0; i < 150; ++i) alice.send_message({"bob"}, "flood");
  EXPECT_EQ(str(alice.next_of("error").at("code")), "rate_limited");
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

TEST(Logs, JsonLinesParseAndHoldNoSecrets) {
  ServerProcess server({"--log-json"});
  Http http{server.port()};
  std::string token = http.login("quote\"d \\ name", "pass\"word");
  EXPECT_EQ(http.post("/api/logout", "", token).status, 200);
  server.stop();
  std::istringstream log(server.log());
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    if (line.empty()) continue;
    json::error_code ec;
    json::value v = json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_TRUE(v.as_object().contains("msg"));
    ++lines;
  }
  EXPECT_GE(lines, 4);
  EXPECT_EQ(server.log().find(token.substr(token.rfind('.') + 1)), std::string::npos);
  EXPECT_EQ(server.log().find("pass\\\"word"), std::string::npos);
  EXPECT_NE(server.log().find("quote\\\"d"), std::string::npos);
}

TEST(Metrics, CountErrorFramesByCode) {
  ServerProcess server;
  Http http{server.port()};
  Chat c(server.port(), http.login("alice"));
  c.send_raw_text("nope");
  c.next_of("error");
  c.send_raw_text(R"({"type":"nope"})");
  c.next_of("error");
  std::string m = http.get("/metrics").body;
  EXPECT_NE(m.find("parley_errors_total{code=\"bad_json\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("parley_errors_total{code=\"unknown_type\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
