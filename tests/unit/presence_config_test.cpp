// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <tuple>

#include <boost/json.hpp>

#include "config/config.hpp"
#include "hub/presence.hpp"

namespace parley {
namespace {

TEST(Presence, CountsConnectionsAndReportsTransitions) {
  hub::Presence p;
  bool changed = false;
  EXPECT_TRUE(p.add(1, "a", 2, changed));
  EXPECT_TRUE(changed);
  EXPECT_TRUE(p.add(1, "a", 2, changed));
  EXPECT_FALSE(changed);
  EXPECT_FALSE(p.add(1, "a", 2, changed));  // limit
  EXPECT_TRUE(p.add(2, "b", 0, changed));
  EXPECT_EQ(p.names(), (std::vector<std::string>{"a", "b"}));
  auto frame = boost::json::parse(*p.frame()).as_object();
  EXPECT_EQ(frame.at("content").at("names").as_array().size(), 2u);
  EXPECT_FALSE(p.remove(1));
  EXPECT_TRUE(p.remove(1));
  EXPECT_EQ(p.names(), std::vector<std::string>{"b"});
  EXPECT_EQ(boost::json::parse(*p.frame()).at("content").at("names").as_array().size(), 1u);
  EXPECT_EQ(p.connections(), 1u);
}

TEST(Config, YamlOverridesDefaultsAndRejectsBadValues) {
  config::Config c;
  config::apply_yaml(c,
                     "port: 9000\ndata: /tmp/x\nredis: redis://h:1\nlimits:\n  max_recipients: 5\n"
                     "  messages_per_second: 0\nallowed_origins: [\"https://chat.example\"]\n");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.redis_url, "redis://h:1");
  EXPECT_EQ(c.limits.max_recipients, 5u);
  EXPECT_EQ(c.limits.messages_per_second, 0);
  EXPECT_EQ(c.allowed_origins.size(), 1u);
  config::Config d;
  EXPECT_THROW(config::apply_yaml(d, "port: banana"), std::runtime_error);
  EXPECT_THROW(config::apply_yaml(d, "[1, 2"), std::runtime_error);
  EXPECT_THROW(config::apply_yaml(d, "- a\n- b\n"), std::runtime_error);
  EXPECT_THROW(config::apply_yaml(d, "limits:\n  max_frame_bytes: 10\n"), std::runtime_error);
  config::Config e;
  config::apply_yaml(e, "");
  EXPECT_EQ(e.port, 9288);
  // The per-user rate: 4x the per-connection rate unless set; 0 = unlimited; negative refused.
  EXPECT_EQ(config::user_messages_per_second(e.limits), 4 * e.limits.messages_per_second);
  EXPECT_EQ(config::user_message_burst(e.limits), 4 * e.limits.message_burst);
  config::Config u;
  config::apply_yaml(u, "limits:\n  user_messages_per_second: 7\n");
  EXPECT_EQ(config::user_messages_per_second(u.limits), 7);
  config::apply_yaml(u, "limits:\n  user_messages_per_second: 0\n");
  EXPECT_EQ(config::user_messages_per_second(u.limits), 0);
  for (const char* bad :
       {"limits:\n  user_messages_per_second: -5\n", "limits:\n  user_messages_per_second: .nan\n",
        "limits:\n  user_messages_per_second: banana\n"}) {
    config::Config b;
    EXPECT_THROW(config::apply_yaml(b, bad), std::runtime_error) << bad;
  }
  // Abuse limits: defaults, the new keys, and address lists checked at start.
  EXPECT_EQ(e.limits.max_connections_per_ip, 256u);
  EXPECT_EQ(e.limits.request_head_timeout_s, 20);
  EXPECT_EQ(e.limits.request_body_timeout_s, 60);
  EXPECT_TRUE(e.trusted_proxies.empty() && e.metrics_allow.empty() && e.metrics_token.empty());
  config::Config a;
  config::apply_yaml(a,
                     "trusted_proxies: [127.0.0.1, \"10.0.0.0/8\"]\nmetrics_allow: [\"::1\"]\n"
                     "metrics_token: tok\nlimits:\n  request_head_timeout: 5\n"
                     "  request_body_timeout: 7\n");
  EXPECT_EQ(a.trusted_proxies.size(), 2u);
  EXPECT_EQ(a.metrics_allow[0], "::1");
  EXPECT_EQ(a.metrics_token, "tok");
  EXPECT_EQ(a.limits.request_head_timeout_s, 5);
  EXPECT_EQ(a.limits.request_body_timeout_s, 7);
  for (const char* bad :
       {"trusted_proxies: [nginx]\n", "metrics_allow: [\"10.0.0.0/40\"]\n",
        "limits:\n  request_head_timeout: 0\n", "limits:\n  request_body_timeout: -1\n"}) {
    config::Config b;
    try {
      config::apply_yaml(b, bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& err) {
      EXPECT_EQ(std::string(err.what()).rfind("config:", 0), 0u) << err.what();
    }
  }
  // Unknown keys are refused with their name and line: a typo in a security setting (or a
  // setting this build does not have) must not start a server that silently ignores it.
  for (auto [bad, key, line] :
       {std::tuple{"port: 1\nregistation: closed\n", "registation", 2},
        std::tuple{"limits:\n  max_recipents: 5\n", "max_recipents", 2},
        std::tuple{"redis:\n  url: redis://h:1\n  pasword: x\n", "pasword", 3}}) {
    config::Config k;
    try {
      config::apply_yaml(k, bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& err) {
      std::string what = err.what();
      EXPECT_NE(what.find(std::string("'") + key + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("line " + std::to_string(line)), std::string::npos) << what;
    }
  }
  // Found by fuzz_config: each must be a clean "config:" error, never a raw exception or UB.
  for (const char* bad : {"limits:\n  messages_per_second: .nan\n", "limits:\n  idle_timeout: -5\n",
                          "password_hash: [interactive]\n", "token_lifetime: 9223372036854775807\n",
                          "redis: [1]\n", "password_hash: bcrypt\n"}) {
    config::Config f;
    try {
      config::apply_yaml(f, bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& err) {
      EXPECT_EQ(std::string(err.what()).rfind("config:", 0), 0u) << err.what();
    }
  }
}

}  // namespace
}  // namespace parley
