// SPDX-License-Identifier: MIT
// The command line and the configuration file.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

std::string run(const std::string& args, int& status) {
  std::string cmd = parley_binary() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  status = ::pclose(p);
  return out;
}

TEST(Cli, HelpExplainsTheFlags) {
  int status = -1;
  std::string out = run("--help", status);
  EXPECT_EQ(status, 0);
  for (const char* flag : {"--config", "--host", "--port", "--data"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
}

TEST(Cli, RejectsBadFlagsAndBadConfig) {
  int status = 0;
  run("--port notanumber", status);
  EXPECT_NE(status, 0);
  TempDir dir;
  std::ofstream(dir.path() + "/bad.yaml") << "limits: [1, 2\n";
  std::string out = run("--config " + dir.path() + "/bad.yaml", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("config"), std::string::npos);
  std::ofstream(dir.path() + "/bad2.yaml") << "port: banana\n";
  out = run("--config " + dir.path() + "/bad2.yaml", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("port"), std::string::npos);
  run("--config /nonexistent.yaml", status);
  EXPECT_NE(status, 0);
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
