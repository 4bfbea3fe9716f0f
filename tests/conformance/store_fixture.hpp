// SPDX-License-Identifier: MIT
// The fixture of the store suites: a fresh store per test on the backend under test (a real
// SQLite file, or a real redis-server with a cluster node feeding committed sends back to the
// sink, as in production).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cluster/redis_node.hpp"
#include "conformance/harness.hpp"
#include "hub/presence.hpp"
#include "store/redis/redis_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::store {

enum class Backend { kSqlite, kRedis };

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  testing::TempDir dir;
  Sink sink;
  hub::Presence presence;
  std::unique_ptr<testing::RedisProcess> redis;
  std::unique_ptr<cluster::RedisNode> node;
  std::unique_ptr<Store> store;
  void open() {
    node.reset();
    store.reset();
    if (GetParam() == Backend::kSqlite) {
      store = std::make_unique<sqlite::SqliteStore>(sqlite::SqliteOptions{dir.path() + "/t.db"});
    } else {
      store = std::make_unique<redis::RedisStore>(redis::RedisOptions{redis->url()});
      node = std::make_unique<cluster::RedisNode>(redis->url(), sink, presence);
      ASSERT_TRUE(node->wait_subscribed(std::chrono::seconds(5)));
    }
    store->set_sink(&sink);
  }
  void SetUp() override {
    if (GetParam() == Backend::kRedis) redis = std::make_unique<testing::RedisProcess>();
    open();
  }
  UserId user(const std::string& name) {
    return wait<UserId>([&](auto cb) { store->create_user(name, "hash", cb); });
  }
  // Waits until everything queued before has committed.
  void barrier() {
    wait<std::vector<std::string>>([&](auto cb) { store->list_users(cb); });
  }
};

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Redis";
}

}  // namespace parley::store
