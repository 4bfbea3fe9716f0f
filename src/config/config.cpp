// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "util/address_list.hpp"

namespace parley::config {
namespace {

template <typename T>
void read(const YAML::Node& node, const char* key, T& out) {
  if (const YAML::Node v = node[key]) {
    try {
      out = v.as<T>();
    } catch (const YAML::Exception&) {
      throw std::runtime_error(std::string("config: bad value for '") + key + "'");
    }
  }
}

// A typo in a security setting must not pass unnoticed: every key of `node` must be known.
void refuse_unknown_keys(const YAML::Node& node, std::initializer_list<std::string_view> known,
                         std::string_view where) {
  for (const auto& kv : node) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (ok) continue;
    std::string msg = "config: unknown key '" + key + "'";
    if (!where.empty()) msg += " in '" + std::string(where) + "'";
    if (kv.first.Mark().line >= 0) msg += " at line " + std::to_string(kv.first.Mark().line + 1);
    throw std::runtime_error(msg + " (see the README's configuration table)");
  }
}

Registration parse_registration(const std::string& v) {
  if (v == "open") return Registration::kOpen;
  if (v == "invite") return Registration::kInvite;
  if (v == "closed") return Registration::kClosed;
  throw std::runtime_error("config: registration must be 'open', 'invite' or 'closed', not '" + v +
                           "'");
}

}  // namespace

std::string_view registration_name(Registration r) {
  switch (r) {
    case Registration::kInvite:
      return "invite";
    case Registration::kClosed:
      return "closed";
    case Registration::kOpen:
      break;
  }
  return "open";
}

void apply_yaml(Config& c, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("config: ") + e.what());
  }
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) throw std::runtime_error("config: the top level must be a mapping");
  refuse_unknown_keys(root,
                      {"host",
                       "port",
                       "data",
                       "web",
                       "threads",
                       "token_lifetime",
                       "token_secret",
                       "sync_full",
                       "resume_page",
                       "presence_delay_ms",
                       "recall_window",
                       "edit_window",
                       "log_level",
                       "log_json",
                       "allowed_origins",
                       "tls_cert",
                       "tls_key",
                       "password_hash",
                       "redis",
                       "limits",
                       "registration",
                       "deleted_name_reserve_days",
                       "trusted_proxies",
                       "metrics_allow",
                       "metrics_token",
                       "files_dir",
                       "public_url"},
                      "");
  read(root, "host", c.host);
  read(root, "port", c.port);
  read(root, "data", c.data_dir);
  read(root, "files_dir", c.files_dir);
  read(root, "public_url", c.public_url);
  read(root, "web", c.web_dir);
  read(root, "threads", c.threads);
  read(root, "token_lifetime", c.token_lifetime_s);
  read(root, "token_secret", c.token_secret);
  read(root, "sync_full", c.sync_full);
  read(root, "resume_page", c.resume_page);
  read(root, "presence_delay_ms", c.presence_delay_ms);
  read(root, "recall_window", c.recall_window_s);
  read(root, "edit_window", c.edit_window_s);
  read(root, "log_level", c.log_level);
  read(root, "log_json", c.log_json);
  read(root, "allowed_origins", c.allowed_origins);
  read(root, "tls_cert", c.tls_cert);
  read(root, "tls_key", c.tls_key);
  read(root, "trusted_proxies", c.trusted_proxies);
  read(root, "metrics_allow", c.metrics_allow);
  read(root, "metrics_token", c.metrics_token);
  std::string hash;
  read(root, "password_hash", hash);
  if (hash == "interactive") {
    c.hash_cost = HashCost::kInteractive;
  } else if (hash == "fast") {
    c.hash_cost = HashCost::kFast;
  } else if (!hash.empty()) {
    throw std::runtime_error("config: password_hash must be 'interactive' or 'fast'");
  }
  std::string registration;
  read(root, "registration", registration);
  if (!registration.empty()) c.registration = parse_registration(registration);
  read(root, "deleted_name_reserve_days", c.deleted_name_reserve_days);
  if (const YAML::Node redis = root["redis"]) {
    if (redis.IsScalar()) {
      read(root, "redis", c.redis_url);
    } else if (redis.IsMap()) {
      refuse_unknown_keys(redis, {"url", "min_replicas_ack", "replica_ack_timeout"}, "redis");
      read(redis, "url", c.redis_url);
      read(redis, "min_replicas_ack", c.redis_min_replicas_ack);
      read(redis, "replica_ack_timeout", c.redis_replica_ack_timeout_ms);
    } else {
      throw std::runtime_error("config: 'redis' must be a URL or a mapping with 'url'");
    }
  }
  if (const YAML::Node l = root["limits"]) {
    if (!l.IsMap()) throw std::runtime_error("config: 'limits' must be a mapping");
    refuse_unknown_keys(l,
                        {"max_frame_bytes",
                         "max_content_bytes",
                         "max_recipients",
                         "max_body_bytes",
                         "messages_per_second",
                         "message_burst",
                         "user_messages_per_second",
                         "max_outbound_bytes",
                         "max_http_response_bytes",
                         "auth_timeout",
                         "ping_interval",
                         "idle_timeout",
                         "request_head_timeout",
                         "request_body_timeout",
                         "login_failures_per_minute",
                         "registrations_per_minute",
                         "max_connections_per_user",
                         "max_connections_per_ip",
                         "hash_concurrency",
                         "loginlist_push_max_users",
                         "max_group_members",
                         "max_file_bytes",
                         "user_quota_bytes",
                         "uploads_per_minute",
                         "file_link_ttl",
                         "file_grace_period",
                         "file_sweep_interval"},
                        "limits");
    read(l, "max_frame_bytes", c.limits.max_frame_bytes);
    read(l, "max_content_bytes", c.limits.max_content_bytes);
    read(l, "max_recipients", c.limits.max_recipients);
    read(l, "max_body_bytes", c.limits.max_body_bytes);
    read(l, "messages_per_second", c.limits.messages_per_second);
    read(l, "message_burst", c.limits.message_burst);
    read(l, "user_messages_per_second", c.limits.user_messages_per_second);
    read(l, "max_outbound_bytes", c.limits.max_outbound_bytes);
    read(l, "max_http_response_bytes", c.limits.max_http_response_bytes);
    read(l, "auth_timeout", c.limits.auth_timeout_s);
    read(l, "ping_interval", c.limits.ping_interval_s);
    read(l, "idle_timeout", c.limits.idle_timeout_s);
    read(l, "request_head_timeout", c.limits.request_head_timeout_s);
    read(l, "request_body_timeout", c.limits.request_body_timeout_s);
    read(l, "login_failures_per_minute", c.limits.login_failures_per_minute);
    read(l, "registrations_per_minute", c.limits.registrations_per_minute);
    read(l, "max_connections_per_user", c.limits.max_connections_per_user);
    read(l, "max_connections_per_ip", c.limits.max_connections_per_ip);
    read(l, "hash_concurrency", c.limits.hash_concurrency);
    read(l, "loginlist_push_max_users", c.limits.loginlist_push_max_users);
    read(l, "max_group_members", c.limits.max_group_members);
    read(l, "max_file_bytes", c.limits.max_file_bytes);
    read(l, "user_quota_bytes", c.limits.user_quota_bytes);
    read(l, "uploads_per_minute", c.limits.uploads_per_minute);
    read(l, "file_link_ttl", c.limits.file_link_ttl_s);
    read(l, "file_grace_period", c.limits.file_grace_period_s);
    read(l, "file_sweep_interval", c.limits.file_sweep_interval_s);
  }
  validate(c);
}

double user_messages_per_second(const Limits& l) {
  return l.user_messages_per_second < 0 ? 4 * l.messages_per_second : l.user_messages_per_second;
}

double user_message_burst(const Limits& l) {
  return 4 * l.message_burst;
}

void validate(Config& c) {
  const Limits& l = c.limits;
  auto fail = [](const char* what) { throw std::runtime_error(std::string("config: ") + what); };
  if (l.max_http_response_bytes < (1 << 20)) fail("max_http_response_bytes must be >= 1048576");
  if (l.max_file_bytes < 1 || l.user_quota_bytes < 0 || l.uploads_per_minute < 0)
    fail("max_file_bytes must be > 0, user_quota_bytes and uploads_per_minute >= 0");
  if (c.redis_min_replicas_ack < -1 || c.redis_min_replicas_ack > 100)
    fail("redis.min_replicas_ack must be -1 (auto) or 0..100");
  if (c.redis_replica_ack_timeout_ms < 1 || c.redis_replica_ack_timeout_ms > 60000)
    fail("redis.replica_ack_timeout must be 1..60000 ms");
  if (l.file_link_ttl_s < 1 || l.file_link_ttl_s > 366ll * 86400)
    fail("file_link_ttl must be 1..31622400 seconds");
  if (!c.public_url.empty()) {
    std::string_view u = c.public_url;
    bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
    bool clean = u.find_first_of(" \t\r\n\"<>\\?#") == std::string_view::npos;
    if (!scheme || !clean || u.size() > 200)
      fail("public_url must be http://HOST[:PORT][/PATH] or https://... (no query)");
    while (c.public_url.back() == '/') c.public_url.pop_back();
  }
  constexpr std::int64_t kTenYears = std::int64_t(10) * 366 * 86400;
  if (l.file_grace_period_s < 0 || l.file_grace_period_s > kTenYears)
    fail("file_grace_period must be 0..316224000 seconds");
  if (l.file_sweep_interval_s < 0 || l.file_sweep_interval_s > 86400)
    fail("file_sweep_interval must be 0..86400 seconds (0 = never sweep)");
  if (c.deleted_name_reserve_days < 0 || c.deleted_name_reserve_days > 36500)
    fail("deleted_name_reserve_days must be 0..36500");
  if (l.max_frame_bytes < 1024 || l.max_body_bytes < 1024)
    fail("frame and body limits must be at least 1024 bytes");
  if (!std::isfinite(l.messages_per_second) || l.messages_per_second < 0)
    fail("messages_per_second must be a number >= 0");
  if (!std::isfinite(l.message_burst) || l.message_burst < 1) fail("message_burst must be >= 1");
  if (!std::isfinite(l.user_messages_per_second) ||
      (l.user_messages_per_second < 0 && l.user_messages_per_second != -1))
    fail("user_messages_per_second must be a number >= 0 (or -1: 4 x messages_per_second)");
  if (l.auth_timeout_s < 1 || l.ping_interval_s < 1 || l.idle_timeout_s < 1 ||
      l.auth_timeout_s > 86400 || l.ping_interval_s > 86400 || l.idle_timeout_s > 86400)
    fail("auth_timeout, ping_interval and idle_timeout must be 1..86400 seconds");
  if (l.request_head_timeout_s < 1 || l.request_body_timeout_s < 1 ||
      l.request_head_timeout_s > 86400 || l.request_body_timeout_s > 86400)
    fail("request_head_timeout and request_body_timeout must be 1..86400 seconds");
  for (const auto* list : {&c.trusted_proxies, &c.metrics_allow}) {
    try {
      util::AddressList check(*list);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(
          std::string("config: ") +
          (list == &c.trusted_proxies ? "trusted_proxies: " : "metrics_allow: ") + e.what());
    }
  }
  if (l.login_failures_per_minute < 0) fail("login_failures_per_minute must be >= 0");
  if (l.registrations_per_minute < 0) fail("registrations_per_minute must be >= 0");
  if (c.token_lifetime_s < 1 || c.token_lifetime_s > 10ll * 365 * 24 * 3600)
    fail("token_lifetime must be 1 second .. 10 years");
  if (c.presence_delay_ms < 0 || c.presence_delay_ms > 60000)
    fail("presence_delay_ms must be 0..60000");
  if (c.recall_window_s < 0 || c.recall_window_s > 7 * 86400 || c.edit_window_s < 0 ||
      c.edit_window_s > 7 * 86400)
    fail("recall_window and edit_window must be 0..604800 seconds");
  if (c.resume_page < 1 || c.resume_page > 100000) fail("resume_page must be 1..100000");
  if (c.limits.hash_concurrency == 0) c.limits.hash_concurrency = 1;
  if (l.max_group_members < 2 || l.max_group_members > 100000)
    fail("max_group_members must be 2..100000");
}

std::optional<Config> load_config(int argc, char** argv, int& exit_code) {
  Config c;
  CLI::App app{
      "parley: a self-hostable chat server speaking the goim-websocket protocol.\n"
      "Starts with no configuration on an embedded SQLite store in ./data."};
  std::string file;
  app.add_option("-c,--config", file, "YAML configuration file (keys as in docs/CONFIG in README)");
  std::optional<std::string> host, data, web, redis, level, tls_cert, tls_key, registration,
      files_dir, public_url;
  std::optional<std::int64_t> max_file_bytes, quota_bytes, file_link_ttl, file_grace, file_sweep;
  std::optional<std::uint16_t> port;
  std::optional<unsigned> threads;
  std::optional<double> rate, user_rate;
  std::optional<bool> sync_full;
  bool log_json = false;
  std::optional<std::string> hash;
  std::optional<std::size_t> max_per_user, max_per_ip, max_outbound, max_frame, max_content,
      max_recipients, max_body, push_max, max_group_members;
  std::optional<double> burst;
  std::optional<int> auth_timeout, ping_interval, idle_timeout, head_timeout, body_timeout;
  std::optional<std::vector<std::string>> trusted_proxies, metrics_allow;
  std::optional<int> min_replicas_ack;
  std::optional<int> login_failures, registrations, recall_window, edit_window, reserve_days;
  app.add_option("--host", host, "address to listen on (default 0.0.0.0)");
  app.add_option("-p,--port", port, "port to listen on (default 9288; 0 = any free port)");
  app.add_option("-d,--data", data, "data folder: database and token secret (default ./data)");
  app.add_option("--web", web, "folder of the built web client (default: found beside the binary)");
  app.add_option("--threads", threads, "network threads (default: one per core)");
  app.add_option("--redis", redis,
                 "redis://[:password@]host:port[/db], or "
                 "redis+sentinel://host:port[,host:port...]/MASTER (default: embedded store)");
  app.add_option("--redis-min-replicas-ack", min_replicas_ack,
                 "replicas that must hold a send before its ack (default: 1 if Redis has any)");
  app.add_option("--tls-cert", tls_cert, "PEM certificate chain: serve https and wss");
  app.add_option("--tls-key", tls_key, "PEM private key for --tls-cert");
  app.add_option("--rate", rate, "messages per second per connection (0 = unlimited)");
  app.add_option("--user-rate", user_rate,
                 "messages per second per user, all connections together (default 4 x --rate)");
  app.add_option("--sync-full", sync_full, "fsync each group commit: true (default) or false");
  app.add_option("--log-level", level, "trace, debug, info (default), warn, error");
  app.add_flag("--log-json", log_json, "one JSON object per log line");
  app.add_option("--password-hash", hash,
                 "interactive (default) or fast (tests and benchmarks only: weak hashes)");
  app.add_option("--max-connections-per-user", max_per_user, "default 64; 0 = unlimited");
  app.add_option("--max-connections-per-ip", max_per_ip,
                 "per client address (default 256; 0 = unlimited)");
  app.add_option("--trusted-proxies", trusted_proxies,
                 "addresses/CIDRs whose X-Forwarded-For / X-Real-IP are believed (A,B,...)")
      ->delimiter(',');
  app.add_option("--metrics-allow", metrics_allow,
                 "addresses/CIDRs that may read /metrics (A,B,...; default: any)")
      ->delimiter(',');
  app.add_option("--max-outbound-bytes", max_outbound,
                 "queued bytes per connection before a non-reading client is dropped (4 MiB)");
  app.add_option("--max-frame-bytes", max_frame, "one WebSocket message (default 65536)");
  app.add_option("--max-content-bytes", max_content, "text of one chat message (default 16384)");
  app.add_option("--max-recipients", max_recipients, "names in one `to` (default 100)");
  app.add_option("--max-body-bytes", max_body, "one HTTP request body (default 65536)");
  app.add_option("--burst", burst, "message burst of the per-connection rate limit (default 100)");
  app.add_option("--auth-timeout", auth_timeout, "seconds to send `auth` (default 10)");
  app.add_option("--ping-interval", ping_interval, "seconds between server pings (default 25)");
  app.add_option("--idle-timeout", idle_timeout, "seconds of silence before closing (default 60)");
  app.add_option("--request-head-timeout", head_timeout,
                 "seconds for a whole HTTP request head, however slow (default 20)");
  app.add_option("--request-body-timeout", body_timeout,
                 "seconds for a whole HTTP request body after its head (default 60)");
  app.add_option("--loginlist-push-max-users", push_max,
                 "no loginlist pushes above this many online users (default 5000; 0 = always)");
  app.add_option("--max-group-members", max_group_members,
                 "members of one group at most (default 1000)");
  app.add_option("--recall-window", recall_window,
                 "seconds a sender may recall a message (default 120; 0 = never)");
  app.add_option("--edit-window", edit_window,
                 "seconds a sender may edit a message (default 900; 0 = never)");
  app.add_option("--deleted-name-reserve-days", reserve_days,
                 "days a deleted account's name cannot be registered again (default 30)");
  app.add_option("--files-dir", files_dir,
                 "uploaded files (default DATA/files; one shared folder for a cluster's nodes)");
  app.add_option("--max-file-bytes", max_file_bytes, "one uploaded file (default 26214400)");
  app.add_option("--user-quota-bytes", quota_bytes, "what one user's uploads may keep (1 GiB)");
  app.add_option("--file-link-ttl", file_link_ttl,
                 "seconds a signed file link in a classic message stays valid (default 604800)");
  app.add_option("--public-url", public_url,
                 "how clients reach this server, for links (default: each client's Host)");
  app.add_option("--file-grace-period", file_grace,
                 "seconds an unsent or recalled file is kept before it is removed (default 86400)");
  app.add_option("--file-sweep-interval", file_sweep,
                 "seconds between sweeps for such files (default 600; 0 = never)");
  app.add_option("--registration", registration,
                 "who may register: open (default), invite (an admin's invite code) or closed");
  app.add_option("--login-failures", login_failures,
                 "failed logins per minute per name and per IP (default 10; 0 = unlimited)");
  app.add_option("--registrations-per-minute", registrations,
                 "registrations per minute per client address (default 30; 0 = unlimited)");
  try {
    app.parse(argc, argv);
    if (!file.empty()) {
      std::ifstream in(file);
      if (!in) throw std::runtime_error("config: cannot read " + file);
      std::stringstream ss;
      ss << in.rdbuf();
      apply_yaml(c, ss.str());
    }
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  c.config_file = file;
  c.args.assign(argv, argv + argc);
  if (registration) {
    try {
      c.registration = parse_registration(*registration);
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      exit_code = 2;
      return std::nullopt;
    }
  }
  if (reserve_days) c.deleted_name_reserve_days = *reserve_days;
  if (files_dir) c.files_dir = *files_dir;
  if (max_file_bytes) c.limits.max_file_bytes = *max_file_bytes;
  if (quota_bytes) c.limits.user_quota_bytes = *quota_bytes;
  if (file_link_ttl) c.limits.file_link_ttl_s = *file_link_ttl;
  if (public_url) c.public_url = *public_url;
  if (file_grace) c.limits.file_grace_period_s = *file_grace;
  if (file_sweep) c.limits.file_sweep_interval_s = *file_sweep;
  if (host) c.host = *host;
  if (port) c.port = *port;
  if (data) c.data_dir = *data;
  if (web) c.web_dir = *web;
  if (threads) c.threads = *threads;
  if (redis) c.redis_url = *redis;
  if (min_replicas_ack) c.redis_min_replicas_ack = *min_replicas_ack;
  if (tls_cert) c.tls_cert = *tls_cert;
  if (tls_key) c.tls_key = *tls_key;
  if (rate) c.limits.messages_per_second = *rate;
  if (user_rate) c.limits.user_messages_per_second = *user_rate;
  if (sync_full) c.sync_full = *sync_full;
  if (level) c.log_level = *level;
  if (log_json) c.log_json = true;
  if (hash) {
    if (*hash == "fast") {
      c.hash_cost = HashCost::kFast;
    } else if (*hash == "interactive") {
      c.hash_cost = HashCost::kInteractive;
    } else {
      std::cerr << "--password-hash must be interactive or fast\n";
      exit_code = 2;
      return std::nullopt;
    }
  }
  if (max_per_user) c.limits.max_connections_per_user = *max_per_user;
  if (max_per_ip) c.limits.max_connections_per_ip = *max_per_ip;
  if (max_outbound) c.limits.max_outbound_bytes = *max_outbound;
  if (login_failures) c.limits.login_failures_per_minute = *login_failures;
  if (registrations) c.limits.registrations_per_minute = *registrations;
  if (max_frame) c.limits.max_frame_bytes = *max_frame;
  if (max_content) c.limits.max_content_bytes = *max_content;
  if (max_recipients) c.limits.max_recipients = *max_recipients;
  if (max_body) c.limits.max_body_bytes = *max_body;
  if (burst) c.limits.message_burst = *burst;
  if (auth_timeout) c.limits.auth_timeout_s = *auth_timeout;
  if (ping_interval) c.limits.ping_interval_s = *ping_interval;
  if (idle_timeout) c.limits.idle_timeout_s = *idle_timeout;
  if (head_timeout) c.limits.request_head_timeout_s = *head_timeout;
  if (body_timeout) c.limits.request_body_timeout_s = *body_timeout;
  if (trusted_proxies) c.trusted_proxies = *trusted_proxies;
  if (metrics_allow) c.metrics_allow = *metrics_allow;
  if (push_max) c.limits.loginlist_push_max_users = *push_max;
  if (max_group_members) c.limits.max_group_members = *max_group_members;
  if (recall_window) c.recall_window_s = *recall_window;
  if (edit_window) c.edit_window_s = *edit_window;
  try {
    validate(c);  // flags are checked like the file
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  return c;
}

std::optional<Config> reload_config(const Config& running) {
  std::vector<std::string> args = running.args;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int exit_code = 0;
  return load_config(int(args.size()), argv.data(), exit_code);
}

}  // namespace parley::config
