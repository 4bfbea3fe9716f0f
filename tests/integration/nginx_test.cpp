// SPDX-License-Identifier: MIT
// deploy/nginx.conf in front of three nodes on Redis: HTTP and WebSocket go through it, and a
// conversation works while nginx spreads the connections over the nodes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// Runs the repository's deploy/nginx.conf with the test's ports and a private prefix.
class Nginx {
 public:
  Nginx(const std::vector<std::uint16_t>& upstreams) : port_(free_port()) {
    std::ifstream in(std::string(PARLEY_SOURCE_DIR) + "/deploy/nginx.conf");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string conf = ss.str();
    for (std::size_t i = 0; i < upstreams.size(); ++i)
      conf = std::regex_replace(conf, std::regex("127\\.0\\.0\\.1:930" + std::to_string(i + 1)),
                                "127.0.0.1:" + std::to_string(upstreams[i]));
    conf = std::regex_replace(conf, std::regex("listen 9288;"),
                              "listen 127.0.0.1:" + std::to_string(port_) + ";");
    conf =
        std::regex_replace(conf, std::regex("/run/nginx-parley.pid"), dir_.path() + "/nginx.pid");
    conf = std::regex_replace(conf, std::regex("/var/log/nginx/"), dir_.path() + "/");
    conf =
        std::regex_replace(conf, std::regex("worker_connections 20000"), "worker_connections 1024");
    std::ofstream(dir_.path() + "/nginx.conf") << conf;
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string c = dir_.path() + "/nginx.conf";
      ::execl("/usr/sbin/nginx", "nginx", "-p", dir_.path().c_str(), "-c", c.c_str(), "-g",
              "daemon off;", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      try {
        if (client::http_request("127.0.0.1", port_, "GET", "/healthz").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    throw std::runtime_error("nginx did not start");
  }
  ~Nginx() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::uint16_t port() const { return port_; }

 private:
  TempDir dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

TEST(Nginx, BalancesHttpAndWebSocketAcrossNodes) {
  Deployment d{Deployment::Mode::kRedis3};
  Nginx nginx({d.node(0).port(), d.node(1).port(), d.node(2).port()});
  Http http{nginx.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  EXPECT_EQ(http.get("/api/user", at).status, 200);
  std::vector<std::unique_ptr<Chat>> bobs;
  for (int i = 0; i < 3; ++i) bobs.push_back(std::make_unique<Chat>(nginx.port(), bt));
  Chat alice(nginx.port(), at);
  alice.send_message({"bob"}, "through nginx", "n1");
  EXPECT_EQ(str(alice.next_of("ack").at("cid")), "n1");
  for (auto& b : bobs) EXPECT_EQ(str(b->next().at("content")), "through nginx");
  // least_conn spread the four sockets: every node holds at least one.
  for (std::size_t i = 0; i < d.size(); ++i) {
    auto metrics = Http{d.node(i).port()}.get("/metrics").body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(metrics, m, std::regex("parley_connections_open (\\d+)")));
    EXPECT_GE(std::stoi(m[1]), 1) << "node " << i;
  }
  auto names = http.get_json("/api/loginlist").at("names").as_array();
  EXPECT_EQ(names.size(), 2u);
}

}  // namespace
}  // namespace parley::testing
