// SPDX-License-Identifier: MIT
// One synchronous hiredis connection with time-outs, owned by one thread. Commands can be
// pipelined: append several, then read the replies in order. Any I/O failure throws RedisError
// and leaves the connection broken; the owner reconnects with backoff.
#pragma once
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/redis/sentinel.hpp"

namespace parley::store::redis {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
  // Set for redis+sentinel:// URLs: host and port are then found by asking these.
  std::vector<Endpoint> sentinels;
  std::string master_name;
};

// redis://[:password@]host:port[/db] or
// redis+sentinel://[:password@]host:port[,host:port...]/MASTER[/db] (sentinel port default
// 26379; the password is the master's); throws std::invalid_argument.
RedisUrl parse_redis_url(std::string_view url);

class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisConnection {
 public:
  RedisConnection(RedisUrl url, std::chrono::milliseconds timeout);
  ~RedisConnection();

  // Connects if not connected (AUTH, SELECT); with sentinels, to the master they name, and
  // again once they report a new one. Throws RedisError.
  void ensure();
  bool connected() const { return ctx_ != nullptr; }
  void reset();  // drops the connection

  // One command; throws RedisError on I/O errors and on an error reply.
  Reply command(const std::vector<std::string>& argv);
  // Pipelining.
  void append(const std::vector<std::string>& argv);
  // The next reply; error replies are returned, not thrown — except READONLY, MASTERDOWN and
  // LOADING, which mean this server is no (usable) master any more: they break the connection
  // and throw, so the owner reconnects (to the new master, with sentinels).
  Reply read();
  // Reads with a different time-out (subscriptions poll).
  Reply read_timeout(std::chrono::milliseconds timeout, bool& timed_out);

  // Test failpoint: once `commands` more commands are appended, the next append sends what is
  // buffered, waits for it to run, then drops the connection and throws RedisError — a
  // connection lost mid-pipeline, after Redis ran the first commands but before their replies
  // were seen. One shot; negative disarms.
  void fail_after(std::int64_t commands) { fail_after_ = commands; }

 private:
  void break_now();
  void connect_to(const std::string& host, int port);
  Reply checked(Reply r);  // throws on the replies that say "not the master"

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
  std::int64_t pending_ = 0;        // replies not read yet
  std::int64_t fail_after_ = -1;    // failpoint: commands left before the break (-1: off)
  SentinelWatch* watch_ = nullptr;  // with sentinels: the master's switch counter
  std::uint64_t epoch_ = 0;         // watch_->epoch() when this connection was made
  std::string master_at_;           // with sentinels: the master last connected to, for the log
};

// Reply helpers.
std::int64_t as_int(const redisReply* r);
std::string as_string(const redisReply* r);  // "" for nil
bool is_nil(const redisReply* r);
bool is_error(const redisReply* r);

}  // namespace parley::store::redis
