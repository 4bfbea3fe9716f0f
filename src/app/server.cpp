// SPDX-License-Identifier: MIT
#include "app/server.hpp"

#include "app/data_lock.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include <thread>

#include <sys/stat.h>
#include <unistd.h>
#include <condition_variable>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "api/api.hpp"
#include "api/file_sweeper.hpp"
#include "auth/file_link.hpp"
#include "auth/revocations.hpp"
#include "auth/token.hpp"
#include "cluster/redis_node.hpp"
#include "hub/metrics.hpp"
#include "hub/presence.hpp"
#include "hub/router.hpp"
#include "hub/services.hpp"
#include "hub/shard.hpp"
#include "hub/user_rates.hpp"
#include "net/connection.hpp"
#include "net/connection_deps.hpp"
#include "net/ip_limiter.hpp"
#include "net/tls_session.hpp"
#include "protocol/codes.hpp"
#include "store/redis/redis_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "util/address_list.hpp"
#include "util/clock.hpp"

namespace parley::app {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;

namespace {

// In a cluster every node must sign with the same key: the first node generates it into Redis.
std::string cluster_secret(const std::string& url) {
  store::redis::RedisConnection conn(store::redis::parse_redis_url(url), std::chrono::seconds(1));
  for (int attempt = 0;; ++attempt) {
    try {
      conn.ensure();
      conn.command({"SET", "parley:secret", auth::generate_secret(), "NX"});
      std::string s = store::redis::as_string(conn.command({"GET", "parley:secret"}).get());
      if (s.size() >= 32) return s;
      throw std::runtime_error("parley:secret in Redis is shorter than 32 bytes");
    } catch (const store::redis::RedisError& e) {
      if (attempt >= 20)
        throw std::runtime_error(std::string("cannot read the token secret: ") + e.what());
      conn.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

// The token secret: configured, shared through Redis in a cluster, or generated once into the
// data folder (mode 0600).
std::string load_secret(const config::Config& c) {
  if (!c.token_secret.empty()) return c.token_secret;
  if (!c.redis_url.empty()) return cluster_secret(c.redis_url);
  fs::path path = fs::path(c.data_dir) / "secret";
  if (std::ifstream in(path); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.size() >= 32) return s;
  }
  std::string secret = auth::generate_secret();
  mode_t old = umask(077);
  {
    std::ofstream out(path, std::ios::trunc);
    out << secret << "\n";
    if (!out) {
      umask(old);
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  umask(old);
  chmod(path.c_str(), 0600);
  spdlog::info("generated a new token secret in {}", path.string());
  return secret;
}

std::string find_web_dir(const config::Config& c) {
  if (!c.web_dir.empty()) return c.web_dir;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../web/dist");
    candidates.push_back(exe.parent_path() / "web");
  }
  candidates.push_back("web/dist");
  for (const auto& p : candidates)
    if (fs::exists(p / "index.html", ec)) return fs::weakly_canonical(p, ec).string();
  return {};
}

}  // namespace

// Members are destroyed in reverse order: whatever connections use (metrics, limiter, services)
// is declared before the shards that own the connections.
struct Server::Parts {
  hub::Services svc;
  net::ConnectionDeps deps;
  hub::Metrics metrics;
  std::unique_ptr<hub::UserRates> user_rates;
  std::unique_ptr<net::IpLimiter> ip_limiter;
  std::unique_ptr<net::TlsContext> tls;
  util::AddressList trusted_proxies;
  auth::Revocations revocations;
  std::unique_ptr<auth::TokenSigner> tokens;
  std::unique_ptr<auth::FileLinks> file_links;
  hub::Presence presence;
  std::optional<DataLock> data_lock;  // embedded store only: one writer per data folder
  std::unique_ptr<store::Store> store;
  std::vector<std::unique_ptr<hub::Shard>> shards;
  std::unique_ptr<hub::Router> router;
  std::unique_ptr<cluster::RedisNode> cluster;  // Redis mode only
  std::unique_ptr<api::Api> api;
  // Clean-up of unreferenced files: its own thread, using the store and the api's blob store.
  std::unique_ptr<api::FileSweeper> sweeper;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<asio::steady_timer> prune_timer;
  std::unique_ptr<asio::signal_set> reload_signal;
  std::thread reloader;  // a SIGHUP's reload runs here, off the shards it parks
  std::atomic<std::uint64_t> next_id{1};
  std::size_t next_shard = 0;
  std::promise<void> stop;

  void accept();
  void prune_revocations();
  void wait_for_reload();
  void reload();
  void with_shards_parked(const std::function<void()>& change);
};

// Revoked token ids are needed only until their tokens expire: forgotten every second (cheap
// when none expired), or a long-running node would hold every logout since it started.
void Server::Parts::prune_revocations() {
  revocations.prune(util::now_s());
  metrics.revoked_tokens.store(std::int64_t(revocations.revoked_count()),
                               std::memory_order_relaxed);
  prune_timer->expires_after(std::chrono::seconds(1));
  prune_timer->async_wait([this](boost::system::error_code ec) {
    if (!ec) prune_revocations();
  });
}

// SIGHUP: the limits (and the registration policy) are read again from the command line and the
// configuration file and replace the running ones; connections stay. A file that no longer
// parses changes nothing.
void Server::Parts::wait_for_reload() {
  reload_signal->async_wait([this](boost::system::error_code ec, int) {
    if (ec || svc.shutting_down.load()) return;
    if (reloader.joinable()) reloader.join();  // the previous one is done by now or soon
    reloader = std::thread([this] { reload(); });
    wait_for_reload();
  });
}

void Server::Parts::reload() {
  auto next = config::reload_config(svc.config);
  if (!next) return spdlog::error("SIGHUP: the configuration does not load; nothing changed");
  with_shards_parked([&] {
    svc.config.limits = next->limits;
    svc.config.registration = next->registration;
    svc.config.deleted_name_reserve_days = next->deleted_name_reserve_days;
    const config::Limits& l = svc.config.limits;
    user_rates->set_rate(config::user_messages_per_second(l), config::user_message_burst(l));
    ip_limiter->set_max(l.max_connections_per_ip);
    router->set_push_max_users(l.loginlist_push_max_users);
    api->limits_changed();
  });
  spdlog::info("SIGHUP: limits reloaded (registration: {}, {} msgs/s per connection)",
               config::registration_name(svc.config.registration),
               svc.config.limits.messages_per_second);
}

// Runs `change` while every shard thread waits in a task of its own: what they read without a
// lock (the limits in Services::config) may be replaced. Called off the shard threads.
void Server::Parts::with_shards_parked(const std::function<void()>& change) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t parked = 0, left = 0;
  bool released = false;
  for (auto& s : shards) {
    asio::post(s->context(), [&] {
      std::unique_lock lock(m);
      ++parked;
      cv.notify_all();
      cv.wait(lock, [&] { return released; });
      ++left;
      cv.notify_all();
    });
  }
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return parked == shards.size(); });
  change();
  released = true;
  cv.notify_all();
  cv.wait(lock, [&] { return left == shards.size(); });  // the tasks use these locals
}

void Server::Parts::accept() {
  hub::Shard& shard = *shards[next_shard++ % shards.size()];
  acceptor->async_accept(shard.context(),
                         [this, &shard](boost::system::error_code ec, tcp::socket socket) {
                           if (ec == asio::error::operation_aborted) return;
                           if (!ec && !svc.shutting_down.load()) {
                             auto conn = std::make_shared<net::Connection>(
                                 shard, svc, deps, std::move(socket), next_id.fetch_add(1));
                             asio::post(shard.context(), [conn] { conn->start(); });
                           } else if (ec) {
                             spdlog::warn("accept: {}", ec.message());
                             if (ec == asio::error::no_descriptors) {
                               // Out of file descriptors: back off briefly instead of spinning.
                               auto t = std::make_shared<asio::steady_timer>(
                                   acceptor->get_executor(), std::chrono::milliseconds(100));
                               t->async_wait([this, t](auto) { accept(); });
                               return;
                             }
                           }
                           accept();
                         });
}

Server::Server(config::Config config) : parts_(std::make_unique<Parts>()) {
  Parts& p = *parts_;
  p.svc.config = std::move(config);
  // Connection ids name the sender of a message for its ack; a random high half keeps them
  // unique across the nodes of a cluster.
  p.next_id = (std::uint64_t(randombytes_random()) << 32) | 1;
  const config::Config& c = p.svc.config;

  fs::create_directories(c.data_dir);
  chmod(c.data_dir.c_str(), 0700);
  p.tokens = std::make_unique<auth::TokenSigner>(load_secret(c));
  p.file_links = std::make_unique<auth::FileLinks>(*p.tokens);

  auto observe = [m = &p.metrics](std::uint64_t us) { m->observe_commit_us(us); };
  if (c.redis_url.empty()) {
    std::string lock_error;
    p.data_lock = DataLock::take(c.data_dir, lock_error);
    if (!p.data_lock) throw std::runtime_error(lock_error);
    store::sqlite::SqliteOptions so;
    so.path = (fs::path(c.data_dir) / "parley.db").string();
    so.sync_full = c.sync_full;
    so.on_commit_us = observe;
    p.store = std::make_unique<store::sqlite::SqliteStore>(so);
  } else {
    store::redis::RedisOptions ro;
    ro.url = c.redis_url;
    ro.on_commit_us = observe;
    ro.min_replicas_ack = c.redis_min_replicas_ack;
    ro.replica_ack_timeout = std::chrono::milliseconds(c.redis_replica_ack_timeout_ms);
    // Test failpoints (never set in production): "skip-publish" (see
    // Cluster.ADeadNodesUnpublishedMessage...), "break-batch:N" (see RedisBatchFailure.*).
    if (const char* f = std::getenv("PARLEY_FAILPOINT")) {
      std::string_view fp(f);
      constexpr std::string_view kBreak = "break-batch:";
      if (fp == "skip-publish") ro.skip_publish = true;
      if (fp.substr(0, kBreak.size()) == kBreak)
        ro.break_batch_after = std::max(0, std::atoi(f + kBreak.size()));
    }
    p.store = std::make_unique<store::redis::RedisStore>(ro);
  }

  unsigned threads = c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<hub::Shard*> raw;
  for (unsigned i = 0; i < threads; ++i) {
    p.shards.push_back(std::make_unique<hub::Shard>(i, 1000));
    p.shards.back()->set_delivered_sink(
        [s = p.store.get()](std::int64_t uid, std::int64_t seq) { s->mark_delivered(uid, seq); });
    raw.push_back(p.shards.back().get());
  }
  p.router = std::make_unique<hub::Router>(raw, p.presence, p.revocations, c.presence_delay_ms);
  p.router->set_metrics(&p.metrics);
  p.router->set_push_max_users(c.limits.loginlist_push_max_users);
  p.store->set_sink(p.router.get());
  if (!c.redis_url.empty()) {
    // Logouts, logouts everywhere and bans published while the subscription was down never
    // arrive: read them all again from the store.
    auto reload = [backend = p.store.get(), router = p.router.get()] {
      backend->load_revocations([router](auto r) {
        if (auto* st = std::get_if<store::RevocationState>(&r)) {
          router->apply_revocations(*st);
        } else {
          spdlog::error("cluster: reloading the revocations failed");
        }
      });
    };
    p.cluster =
        std::make_unique<cluster::RedisNode>(c.redis_url, *p.router, p.presence, std::move(reload));
    p.router->set_cluster_hook([node = p.cluster.get()] { node->local_presence_changed(); });
    if (!p.cluster->wait_subscribed(std::chrono::seconds(5)))
      spdlog::warn("cluster: not subscribed yet; Redis unreachable? serving anyway");
    spdlog::info("cluster mode on {} as node {}", c.redis_url, p.cluster->node_id());
  }

  p.svc.store = p.store.get();
  p.svc.tokens = p.tokens.get();
  p.svc.revocations = &p.revocations;
  p.svc.file_links = p.file_links.get();
  p.svc.presence = &p.presence;
  p.svc.router = p.router.get();
  p.svc.metrics = &p.metrics;
  p.user_rates = std::make_unique<hub::UserRates>(config::user_messages_per_second(c.limits),
                                                  config::user_message_burst(c.limits));
  p.svc.user_rates = p.user_rates.get();
  p.ip_limiter = std::make_unique<net::IpLimiter>(c.limits.max_connections_per_ip);
  p.deps.ip_limiter = p.ip_limiter.get();
  p.trusted_proxies = util::AddressList(c.trusted_proxies);  // checked by config::validate
  p.deps.trusted_proxies = &p.trusted_proxies;
  if (!c.tls_cert.empty() || !c.tls_key.empty()) {
    if (c.tls_cert.empty() || c.tls_key.empty())
      throw std::runtime_error("TLS needs both --tls-cert and --tls-key");
    p.tls = std::make_unique<net::TlsContext>(c.tls_cert, c.tls_key);
    p.deps.tls = p.tls.get();
  }
  p.api = std::make_unique<api::Api>(p.svc, find_web_dir(c));
  p.deps.http = p.api.get();
  api::FileSweeper::Options so_files;
  so_files.grace = std::chrono::seconds(c.limits.file_grace_period_s);
  so_files.interval = std::chrono::seconds(c.limits.file_sweep_interval_s);
  so_files.metrics = &p.metrics;
  api::FileApi& files = p.api->file_api();
  p.sweeper = std::make_unique<api::FileSweeper>(
      *p.store, files.blobs(), so_files, [&files](store::UserId u) { files.forget_usage(u); });

  // Revocations must be known before the first request.
  std::promise<store::Result<store::RevocationState>> loaded;
  p.store->load_revocations([&](auto r) { loaded.set_value(std::move(r)); });
  auto r = loaded.get_future().get();
  if (auto* st = std::get_if<store::RevocationState>(&r)) {
    for (auto& [jti, exp] : st->revoked) p.revocations.revoke(jti, exp);
    for (auto [uid, gen] : st->generations) p.revocations.set_generation(uid, gen);
  } else {
    throw std::runtime_error("cannot read revoked tokens from the store");
  }

  asio::io_context& main_ioc = p.shards.front()->context();
  p.acceptor = std::make_unique<tcp::acceptor>(main_ioc);
  tcp::endpoint ep(asio::ip::make_address(c.host), c.port);
  p.acceptor->open(ep.protocol());
  p.acceptor->set_option(asio::socket_base::reuse_address(true));
  p.acceptor->bind(ep);
  p.acceptor->listen(asio::socket_base::max_listen_connections);
}

Server::~Server() = default;

int Server::run() {
  Parts& p = *parts_;
  auto ep = p.acceptor->local_endpoint();
  spdlog::info("parley listening on {}://{}:{} ({} threads, data in {})", p.tls ? "https" : "http",
               ep.address().to_string(), ep.port(), p.shards.size(), p.svc.config.data_dir);
  p.signals = std::make_unique<asio::signal_set>(p.shards.front()->context(), SIGINT, SIGTERM);
  p.signals->async_wait([&p](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    p.stop.set_value();
  });
  p.reload_signal = std::make_unique<asio::signal_set>(p.shards.front()->context(), SIGHUP);
  p.wait_for_reload();
  p.accept();
  p.prune_timer = std::make_unique<asio::steady_timer>(p.shards.front()->context());
  asio::post(p.shards.front()->context(), [&p] { p.prune_revocations(); });
  for (auto& s : p.shards) s->start();
  p.sweeper->start();

  p.stop.get_future().wait();

  // Graceful stop: refuse new work, tell clients to come back (1001), let the writes drain.
  p.svc.shutting_down.store(true);
  asio::post(p.shards.front()->context(), [&p] {
    boost::system::error_code ec;
    p.acceptor->close(ec);
  });
  p.router->close_all(protocol::close_code::kGoingAway, "server shutting down");
  auto deadline = util::mono_ms() + 3000;
  while (p.metrics.connections_open.load() > 0 && util::mono_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  asio::post(p.shards.front()->context(), [&p] { p.reload_signal->cancel(); });
  if (p.reloader.joinable()) p.reloader.join();  // before the shards it may be parking stop
  for (auto& s : p.shards) s->stop();
  // Order matters: hashing work calls the store and store callbacks post hashing work, so the
  // pool is drained first and destroyed last (posting to a joined pool is safe, to a destroyed
  // one is not).
  p.api->stop_hashing();
  p.sweeper.reset();  // finishes a sweep in progress while the store still answers
  p.cluster.reset();  // leaves the cluster's online list
  p.store.reset();    // drains and commits what is queued
  p.api.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace parley::app
