// SPDX-License-Identifier: MIT
#include "cluster/redis_node.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "hub/presence.hpp"
#include "store/redis/redis_codec.hpp"
#include "util/clock.hpp"

namespace parley::cluster {
using store::redis::as_int;
using store::redis::as_string;
using store::redis::RedisConnection;
using store::redis::RedisError;

namespace {

constexpr std::int64_t kPresenceTtlMs = 3000;
constexpr auto kHeartbeat = std::chrono::milliseconds(1000);

std::string random_node_id() {
  unsigned char b[8];
  randombytes_buf(b, sizeof b);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

}  // namespace

RedisNode::RedisNode(const std::string& url, store::CommitSink& sink, hub::Presence& presence,
                     std::function<void()> resubscribed)
    : url_(store::redis::parse_redis_url(url)),
      sink_(sink),
      presence_(presence),
      resubscribed_(std::move(resubscribed)),
      node_id_(random_node_id()) {
  subscriber_ = std::thread([this] { subscriber_loop(); });
  presence_thread_ = std::thread([this] { presence_loop(); });
}

RedisNode::~RedisNode() {
  stop_ = true;
  wake_.notify_all();
  if (subscriber_.joinable()) subscriber_.join();
  if (presence_thread_.joinable()) presence_thread_.join();
}

bool RedisNode::wait_subscribed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, timeout, [&] { return subscribed_; });
}

void RedisNode::local_presence_changed() {
  {
    std::lock_guard lock(mutex_);
    presence_dirty_ = true;
  }
  wake_.notify_all();
}

void RedisNode::subscriber_loop() {
  RedisConnection sub(url_, std::chrono::milliseconds(1000));
  bool was_subscribed = false;
  auto backoff = std::chrono::milliseconds(100);
  while (!stop_) {
    try {
      sub.ensure();
      sub.append({"SUBSCRIBE", "parley:deliver", "parley:events"});
      for (int i = 0; i < 2; ++i) {
        bool timed_out = false;
        auto r = sub.read_timeout(std::chrono::milliseconds(2000), timed_out);
        // An error reply (e.g. NOPERM) is no subscription: retry, and catch up once there is.
        if (!r || r->type != REDIS_REPLY_ARRAY) throw RedisError("redis: subscription refused");
      }
      if (was_subscribed) {
        spdlog::info(
            "cluster: subscription restored; revocations reloaded, connections catch up from "
            "their inboxes");
        // Subscribed again first, so nothing published from now on is missed; then what was.
        if (resubscribed_) resubscribed_();
        sink_.on_resync();
      }
      was_subscribed = true;
      backoff = std::chrono::milliseconds(100);
      {
        std::lock_guard lock(mutex_);
        subscribed_ = true;
        presence_refresh_ = true;
      }
      wake_.notify_all();
      while (!stop_) {
        bool timed_out = false;
        auto r = sub.read_timeout(std::chrono::milliseconds(250), timed_out);
        if (timed_out) continue;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) continue;
        std::string channel = as_string(r->element[1]);
        std::string_view payload(r->element[2]->str, r->element[2]->len);
        if (channel == "parley:deliver") {
          if (auto batch = store::redis::decode_committed(payload)) {
            sink_.on_committed(std::move(*batch));
          } else {
            spdlog::warn("cluster: malformed delivery batch ignored");
          }
        } else if (auto e = store::redis::decode_event(payload)) {
          using Kind = store::redis::ClusterEvent::Kind;
          if (e->kind == Kind::kRevoke) sink_.on_token_revoked(e->user, e->jti, e->value);
          if (e->kind == Kind::kGeneration) sink_.on_generation(e->user, e->value);
          if (e->kind == Kind::kNotice) sink_.on_notice(e->user, e->jti, e->value);
          if (e->kind == Kind::kPresence) {
            std::lock_guard lock(mutex_);
            presence_refresh_ = true;
            wake_.notify_all();
          }
        }
      }
    } catch (const std::exception& e) {
      {
        std::lock_guard lock(mutex_);
        if (subscribed_) spdlog::error("cluster: subscription lost: {}", e.what());
        subscribed_ = false;
      }
      sub.reset();
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
}

void RedisNode::sync_presence(RedisConnection& c, bool announce) {
  std::string key = "parley:node:" + node_id_ + ":online";
  std::int64_t now = util::now_ms();
  std::vector<std::string> sadd = {"SADD", key};
  for (auto& n : presence_.local_names()) sadd.push_back(n);
  c.append({"MULTI"});
  c.append({"DEL", key});
  if (sadd.size() > 2) c.append(sadd);
  c.append({"PEXPIRE", key, std::to_string(kPresenceTtlMs)});
  c.append({"ZADD", "parley:nodes", std::to_string(now), node_id_});
  c.append({"ZREMRANGEBYSCORE", "parley:nodes", "-inf", std::to_string(now - kPresenceTtlMs)});
  c.append({"ZRANGE", "parley:nodes", "0", "-1"});
  c.append({"EXEC"});
  int queued = sadd.size() > 2 ? 7 : 6;
  for (int i = 0; i < queued; ++i) c.read();
  auto exec = c.read();
  if (exec->type != REDIS_REPLY_ARRAY || exec->elements == 0)
    throw RedisError("redis: presence transaction failed");
  const redisReply* nodes = exec->element[exec->elements - 1];
  std::vector<std::string> sunion = {"SUNION"};
  std::set<std::string> live;
  for (std::size_t i = 0; i < nodes->elements; ++i) {
    std::string id = as_string(nodes->element[i]);
    if (id == node_id_) continue;
    sunion.push_back("parley:node:" + id + ":online");
    live.insert(id);
  }
  // A node that left (stopped, or its heartbeat expired: killed) may have stored messages it
  // never published. They are in the inboxes: every connection here catches up from there.
  for (const auto& id : nodes_seen_) {
    if (live.count(id)) continue;
    spdlog::info("cluster: node {} left; connections catch up from their inboxes", id);
    sink_.on_resync();
    break;
  }
  nodes_seen_ = std::move(live);
  std::vector<std::string> others;
  if (sunion.size() > 1) {
    auto r = c.command(sunion);
    for (std::size_t i = 0; i < r->elements; ++i) others.push_back(as_string(r->element[i]));
  }
  sink_.on_cluster_presence(std::move(others));
  if (announce) {
    store::redis::ClusterEvent e;
    e.kind = store::redis::ClusterEvent::Kind::kPresence;
    c.command({"PUBLISH", "parley:events", store::redis::encode_event(e)});
  }
}

void RedisNode::presence_loop() {
  RedisConnection c(url_, std::chrono::milliseconds(1000));
  auto next_beat = std::chrono::steady_clock::now();
  bool owe_announce = false;  // a local change not yet announced (Redis was down)
  while (!stop_) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_beat,
                       [&] { return stop_.load() || presence_dirty_ || presence_refresh_; });
      if (stop_) break;
      owe_announce = owe_announce || presence_dirty_;
      presence_dirty_ = presence_refresh_ = false;
    }
    try {
      sync_presence(c, owe_announce);
      owe_announce = false;
    } catch (const std::exception& e) {
      spdlog::warn("cluster: presence sync failed: {}", e.what());
      c.reset();
    }
    next_beat = std::chrono::steady_clock::now() + kHeartbeat;
  }
  // Leaving: take this node's users off the list at once.
  try {
    c.command({"DEL", "parley:node:" + node_id_ + ":online"});
    c.command({"ZREM", "parley:nodes", node_id_});
    store::redis::ClusterEvent e;
    c.command({"PUBLISH", "parley:events", store::redis::encode_event(e)});
  } catch (const std::exception&) {
  }
}

}  // namespace parley::cluster
