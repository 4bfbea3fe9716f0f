// SPDX-License-Identifier: MIT
#include "store/redis/sentinel.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <mutex>
#include <thread>

#include "store/redis/redis_connection.hpp"

namespace parley::store::redis {
namespace {

RedisUrl plain(const Endpoint& e) {
  RedisUrl u;
  u.host = e.host;
  u.port = e.port;
  return u;
}

std::string key_of(const std::vector<Endpoint>& sentinels, const std::string& master) {
  std::string k = master;
  for (const auto& s : sentinels) k += "|" + s.host + ":" + std::to_string(s.port);
  return k;
}

}  // namespace

Endpoint ask_sentinels(const std::vector<Endpoint>& sentinels, const std::string& master,
                       std::chrono::milliseconds timeout) {
  std::string why;
  for (const auto& s : sentinels) {
    try {
      RedisConnection c(plain(s), timeout);
      Reply r = c.command({"SENTINEL", "get-master-addr-by-name", master});
      if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        Endpoint e{as_string(r->element[0]), int(as_int(r->element[1]))};
        if (!e.host.empty() && e.port > 0) return e;
      }
      why = s.host + ":" + std::to_string(s.port) + " does not know master " + master;
    } catch (const RedisError& e) {
      why = e.what();
    }
  }
  throw RedisError("redis: no sentinel answered for master " + master + " (" + why + ")");
}

SentinelWatch& SentinelWatch::of(const std::vector<Endpoint>& sentinels,
                                 const std::string& master) {
  // Never destroyed: the watch threads run for the life of the process.
  static auto* mutex = new std::mutex;
  static auto* watches = new std::map<std::string, SentinelWatch*>;
  std::lock_guard lock(*mutex);
  SentinelWatch*& w = (*watches)[key_of(sentinels, master)];
  if (!w) w = new SentinelWatch(sentinels, master);
  return *w;
}

SentinelWatch::SentinelWatch(std::vector<Endpoint> sentinels, std::string master)
    : sentinels_(std::move(sentinels)), master_(std::move(master)) {
  std::thread([this] { run(); }).detach();
}

// The watch thread: subscribed to one sentinel at a time. A lost subscription may have missed a
// switch, so regaining one counts as a switch too (connections reconnect once, harmlessly).
void SentinelWatch::run() {
  using namespace std::chrono_literals;
  bool lost = false;
  for (std::size_t i = 0;; i = (i + 1) % sentinels_.size()) {
    try {
      RedisConnection c(plain(sentinels_[i]), 1000ms);
      c.append({"SUBSCRIBE", "+switch-master"});
      bool timed_out = false;
      c.read_timeout(1000ms, timed_out);
      if (timed_out) throw RedisError("sentinel: no subscription reply");
      if (lost) epoch_.fetch_add(1, std::memory_order_acq_rel);
      lost = true;
      for (;;) {
        Reply r = c.read_timeout(1000ms, timed_out);
        if (timed_out) continue;
        // ["message", "+switch-master", "<master> <old ip> <old port> <new ip> <new port>"]
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) continue;
        std::string text = as_string(r->element[2]);
        if (text.rfind(master_ + " ", 0) != 0) continue;
        spdlog::info("redis: sentinel reports a new master: {}", text);
        epoch_.fetch_add(1, std::memory_order_acq_rel);
      }
    } catch (const RedisError&) {
      std::this_thread::sleep_for(500ms);
    }
  }
}

}  // namespace parley::store::redis
