// SPDX-License-Identifier: MIT
// deploy/grafana-dashboard.json and deploy/prometheus.yml stay true to what the server exports:
// every metric a dashboard query names is served by /metrics of a real server (after some
// traffic), and the scrape example points at that path.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Monitoring, EveryMetricTheDashboardQueriesIsExported) {
  ServerProcess server;
  Http http{server.port()};
  Chat alice(server.port(), http.login("alice"), std::int64_t(0));
  http.login("bob");
  alice.send_message({"bob"}, "hi", "m1");
  alice.next_of("ack");
  alice.send_raw_text("not json");
  alice.next_of("error");
  auto metrics = http.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  std::set<std::string> exported;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    exported.insert(line.substr(0, line.find_first_of("{ ")));
  }

  auto dashboard = boost::json::parse(
      read_file(std::string(PARLEY_SOURCE_DIR) + "/deploy/grafana-dashboard.json"));
  std::regex name(R"(parley_[a-z_]+)");
  std::size_t queries = 0;
  for (const auto& panel : dashboard.at("panels").as_array())
    for (const auto& target : panel.at("targets").as_array()) {
      std::string expr(target.at("expr").as_string());
      ++queries;
      for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it)
        EXPECT_TRUE(exported.count(it->str())) << it->str() << " in: " << expr;
    }
  EXPECT_GE(queries, 6u);
  std::string scrape = read_file(std::string(PARLEY_SOURCE_DIR) + "/deploy/prometheus.yml");
  EXPECT_NE(scrape.find("metrics_path: /metrics"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
