// SPDX-License-Identifier: MIT
// What makes a node part of a cluster on Redis, besides the shared store:
// - a subscriber thread on `parley:deliver` (committed messages, from any node) and
//   `parley:events` (revocations, presence changes) that feeds the local router; after a lost
//   subscription it asks every connection to catch up from its inbox, and calls `resubscribed`
//   (which reloads the revocations), since pub/sub does not replay what was published meanwhile;
// - a presence thread that publishes this node's online users (a set with a TTL, refreshed every
//   second) and reads everyone else's, so a node that dies drops out within ~3 s.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/redis/redis_connection.hpp"
#include "store/store.hpp"

namespace parley::hub {
class Presence;
}

namespace parley::cluster {

class RedisNode {
 public:
  // `resubscribed` runs on the subscriber thread once a lost subscription is back (optional).
  RedisNode(const std::string& url, store::CommitSink& sink, hub::Presence& presence,
            std::function<void()> resubscribed = {});
  ~RedisNode();

  // Waits until the first subscription is active (deliveries flow), up to `timeout`.
  bool wait_subscribed(std::chrono::milliseconds timeout);
  // This node's online users changed: publish soon. Any thread.
  void local_presence_changed();
  const std::string& node_id() const { return node_id_; }

 private:
  void subscriber_loop();
  void presence_loop();
  void sync_presence(store::redis::RedisConnection& c, bool announce);

  store::redis::RedisUrl url_;
  store::CommitSink& sink_;
  hub::Presence& presence_;
  std::function<void()> resubscribed_;
  std::string node_id_;
  std::atomic<bool> stop_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool subscribed_ = false;        // GUARDED_BY(mutex_)
  bool presence_dirty_ = true;     // GUARDED_BY(mutex_): local change to announce
  bool presence_refresh_ = false;  // GUARDED_BY(mutex_): another node announced a change

  std::set<std::string> nodes_seen_;  // presence thread only: the other live nodes, last beat

  std::thread subscriber_;
  std::thread presence_thread_;
};

}  // namespace parley::cluster
