// SPDX-License-Identifier: MIT
#include "store/redis/redis_connection.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <cerrno>

#include <algorithm>
#include <charconv>

namespace parley::store::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

int parse_port(std::string_view port) {
  int p = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), p);
  if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p <= 0 || p > 65535)
    throw std::invalid_argument("bad redis port in the redis URL");
  return p;
}

// host:port[,host:port...] -> sentinels.
std::vector<Endpoint> parse_sentinels(std::string_view list) {
  std::vector<Endpoint> out;
  while (!list.empty()) {
    std::string_view one = list.substr(0, list.find(','));
    list.remove_prefix(std::min(list.size(), one.size() + 1));
    Endpoint e{"", 26379};
    if (auto colon = one.rfind(':'); colon != std::string_view::npos) {
      e.port = parse_port(one.substr(colon + 1));
      one = one.substr(0, colon);
    }
    if (one.empty()) throw std::invalid_argument("redis+sentinel URL: a sentinel without a host");
    e.host = std::string(one);
    out.push_back(std::move(e));
  }
  if (out.empty()) throw std::invalid_argument("redis+sentinel URL names no sentinel");
  return out;
}

RedisUrl parse_sentinel_url(std::string_view url) {
  RedisUrl u;
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = url.substr(0, at);
    if (!auth.empty() && auth.front() == ':') auth.remove_prefix(1);
    u.password = std::string(auth);
    url.remove_prefix(at + 1);
  }
  auto slash = url.find('/');
  if (slash == std::string_view::npos)
    throw std::invalid_argument("redis+sentinel URL needs /MASTER after the sentinels");
  u.sentinels = parse_sentinels(url.substr(0, slash));
  std::string_view rest = url.substr(slash + 1);
  std::string_view master = rest.substr(0, rest.find('/'));
  if (master.empty() || master.size() > 200)
    throw std::invalid_argument("redis+sentinel URL needs a master name");
  u.master_name = std::string(master);
  if (master.size() < rest.size()) {
    std::string_view db = rest.substr(master.size() + 1);
    auto r = std::from_chars(db.data(), db.data() + db.size(), u.db);
    if (db.empty() || r.ec != std::errc() || r.ptr != db.data() + db.size() || u.db < 0)
      throw std::invalid_argument("bad redis database number");
  }
  return u;
}

}  // namespace

RedisUrl parse_redis_url(std::string_view url) {
  constexpr std::string_view kSentinel = "redis+sentinel://";
  if (url.substr(0, kSentinel.size()) == kSentinel)
    return parse_sentinel_url(url.substr(kSentinel.size()));
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme)
    throw std::invalid_argument("redis URL must start with redis:// or redis+sentinel://");
  url.remove_prefix(kScheme.size());
  RedisUrl u;
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = url.substr(0, at);
    if (!auth.empty() && auth.front() == ':') auth.remove_prefix(1);
    u.password = std::string(auth);
    url.remove_prefix(at + 1);
  }
  if (auto slash = url.find('/'); slash != std::string_view::npos) {
    std::string_view db = url.substr(slash + 1);
    if (!db.empty()) {
      auto r = std::from_chars(db.data(), db.data() + db.size(), u.db);
      if (r.ec != std::errc() || r.ptr != db.data() + db.size() || u.db < 0)
        throw std::invalid_argument("bad redis database number");
    }
    url = url.substr(0, slash);
  }
  if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
    u.port = parse_port(url.substr(colon + 1));
    url = url.substr(0, colon);
  }
  if (!url.empty()) u.host = std::string(url);
  return u;
}

RedisConnection::RedisConnection(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

RedisConnection::~RedisConnection() {
  reset();
}

void RedisConnection::reset() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
  pending_ = 0;
}

void RedisConnection::break_now() {
  fail_after_ = -1;
  try {
    while (pending_ > 0) read();  // what was sent runs; its replies are lost with the connection
  } catch (const RedisError&) {
  }
  reset();
  throw RedisError("redis: connection broken (failpoint)");
}

void RedisConnection::ensure() {
  // The sentinels moved the master: reconnect, but never with replies still to read.
  if (ctx_ && watch_ && pending_ == 0 && watch_->epoch() != epoch_) reset();
  if (ctx_) return;
  if (url_.sentinels.empty()) return connect_to(url_.host, url_.port);
  if (!watch_) watch_ = &SentinelWatch::of(url_.sentinels, url_.master_name);
  std::uint64_t epoch = watch_->epoch();
  Endpoint master = ask_sentinels(url_.sentinels, url_.master_name, timeout_);
  epoch_ = epoch;  // before the commands below, whose ensure() must not see a stale epoch
  connect_to(master.host, master.port);
  // A sentinel that has not seen the failover yet names the old master, now a replica (or
  // still the dead one, which connect_to() refused).
  Reply role = command({"ROLE"});
  if (role->type != REDIS_REPLY_ARRAY || role->elements == 0 ||
      as_string(role->element[0]) != "master") {
    reset();
    throw RedisError("redis: " + master.host + ":" + std::to_string(master.port) +
                     " is not the master of " + url_.master_name + " (yet)");
  }
  std::string at = master.host + ":" + std::to_string(master.port);
  if (at != master_at_) spdlog::info("redis: master {} is at {}", url_.master_name, at);
  master_at_ = at;
}

void RedisConnection::connect_to(const std::string& host, int port) {
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, to_timeval(timeout_));
  if (!c || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    throw RedisError("redis connect " + host + ":" + std::to_string(port) + ": " + why);
  }
  redisSetTimeout(c, to_timeval(timeout_));
  redisEnableKeepAlive(c);
  ctx_ = c;
  if (!url_.password.empty()) command({"AUTH", url_.password});
  if (url_.db != 0) command({"SELECT", std::to_string(url_.db)});
}

Reply RedisConnection::checked(Reply r) {
  if (r->type != REDIS_REPLY_ERROR) return r;
  std::string_view e(r->str, r->len);
  for (std::string_view gone : {"READONLY", "MASTERDOWN", "LOADING"}) {
    if (e.substr(0, gone.size()) == gone) {
      reset();
      throw RedisError("redis: " + std::string(e));
    }
  }
  return r;
}

void RedisConnection::append(const std::vector<std::string>& argv) {
  ensure();
  if (fail_after_ == 0) break_now();
  if (fail_after_ > 0) --fail_after_;
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, int(args.size()), args.data(), lens.data()) != REDIS_OK) {
    std::string why = ctx_->errstr;
    reset();
    throw RedisError("redis: " + why);
  }
  ++pending_;
}

Reply RedisConnection::read() {
  if (!ctx_) throw RedisError("redis: not connected");
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) {
    std::string why = ctx_->errstr;
    reset();
    throw RedisError("redis: " + why);
  }
  --pending_;
  return checked(Reply(static_cast<redisReply*>(raw)));
}

Reply RedisConnection::read_timeout(std::chrono::milliseconds timeout, bool& timed_out) {
  timed_out = false;
  if (!ctx_) throw RedisError("redis: not connected");
  // Send what is buffered first: appended commands leave only with a read.
  for (int done = 0; !done;) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) {
      std::string why = ctx_->errstr;
      reset();
      throw RedisError("redis: " + why);
    }
  }
  // Poll the socket ourselves: a hiredis read time-out would break the context (and with it a
  // subscription), losing whatever is published before we subscribe again.
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(ctx_->reader, &raw) != REDIS_OK) {
      reset();
      throw RedisError("redis: protocol error");
    }
    if (raw) {
      --pending_;
      return Reply(static_cast<redisReply*>(raw));
    }
    pollfd p{ctx_->fd, POLLIN, 0};
    int n = ::poll(&p, 1, int(timeout.count()));
    if (n == 0) {
      // A subscription on the old master would go on quietly (replicas relay PUBLISH) but
      // miss nothing only while that server lives: move it to the new master.
      if (watch_ && watch_->epoch() != epoch_) {
        reset();
        throw RedisError("redis: the master moved");
      }
      timed_out = true;
      return nullptr;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || redisBufferRead(ctx_) != REDIS_OK) {
      std::string why = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
      reset();
      throw RedisError("redis: " + why);
    }
  }
}

Reply RedisConnection::command(const std::vector<std::string>& argv) {
  append(argv);
  Reply r = read();
  if (r->type == REDIS_REPLY_ERROR) throw RedisError(std::string("redis: ") + r->str);
  return r;
}

std::int64_t as_int(const redisReply* r) {
  if (!r) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->type == REDIS_REPLY_STRING) {
    std::int64_t v = 0;
    std::from_chars(r->str, r->str + r->len, v);
    return v;
  }
  return 0;
}

std::string as_string(const redisReply* r) {
  if (!r || r->type == REDIS_REPLY_NIL) return {};
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return std::string(r->str, r->len);
}

bool is_nil(const redisReply* r) {
  return !r || r->type == REDIS_REPLY_NIL;
}
bool is_error(const redisReply* r) {
  return r && r->type == REDIS_REPLY_ERROR;
}

}  // namespace parley::store::redis
