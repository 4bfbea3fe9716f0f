// SPDX-License-Identifier: MIT
// The HTTP API: the classic endpoints (register, login, list, loginlist, user) and parley's
// extensions (logout, history, conversations, health, metrics), plus the web client's files.
// Handlers validate, then go to the store or the hashing pool, and answer through `Responder`
// from whatever thread finished the work; the connection posts the answer back to its shard.
// Connections reach it through protocol::HttpHandler (wired in app::Server).
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/admin_api.hpp"
#include "api/file_api.hpp"
#include "api/group_api.hpp"
#include "api/hash_queue.hpp"
#include "api/metrics_access.hpp"
#include "api/name_list.hpp"
#include "api/profile_api.hpp"
#include "api/static_files.hpp"
#include "auth/device_proof.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"
#include "store/store.hpp"

namespace parley::hub {
struct Services;
}

namespace parley::api {

using protocol::Responder;

class Api final : public protocol::HttpHandler {
 public:
  Api(hub::Services& services, std::string web_dir);
  ~Api() override;

  void handle(const protocol::HttpRequest& req, const std::string& peer_ip,
              Responder respond) override;
  // POST /api/files: streamed to disk (FileApi).
  std::unique_ptr<protocol::BodySink> open_stream(
      const protocol::HttpRequest& head, const std::string& peer_ip,
      std::optional<protocol::HttpResponse>& refusal) override;

  // Cross-site WebSocket hijacking guard: the server's own origin, localhost pages (where the
  // original page runs) and the configured allow-list.
  bool origin_allowed(std::string_view origin, std::string_view host) const override;

  // The limits of the configuration changed (SIGHUP): throttles take the new rates.
  void limits_changed();

  // Uploads and downloads (its blob store and usage cache are thread-safe; the file sweeper
  // uses them).
  FileApi& file_api() { return uploads_; }

  // Waits for queued password hashing to finish (shutdown, before the store goes away).
  void stop_hashing() {
    hashing_.join();
    uploads_.pool().join();  // upload checks call the store too
  }

 private:
  void do_register(const protocol::HttpRequest& req, const std::string& ip, Responder respond);
  void do_login(const protocol::HttpRequest& req, const std::string& ip, Responder respond);
  void do_logout(const protocol::HttpRequest& req, Responder respond);
  // password_change.cpp
  void do_password(const protocol::HttpRequest& req, const std::string& ip, Responder respond);
  void do_history(const protocol::HttpRequest& req, Responder respond);
  void do_conversations(const protocol::HttpRequest& req, Responder respond);
  void do_names(bool online, Responder respond);

  // account_deletion.cpp
  void do_delete_account(const protocol::HttpRequest& req, const std::string& ip,
                         Responder respond);

  // What one password check counts against (auth/login_throttle.hpp): a login per name, per
  // (name, address) and per address; with a device proof of the account, per device only
  // (auth/device_proof.hpp); a signed-in user's password check per account and per address.
  struct ThrottleKeys {
    std::vector<std::pair<auth::LoginThrottle*, std::string>> keys;
    std::int64_t reserved_ms = 0;
  };
  ThrottleKeys login_keys(const std::string& name, const std::string& ip);
  ThrottleKeys device_keys(const std::string& device);
  ThrottleKeys account_keys(std::int64_t uid, const std::string& ip);
  bool throttled(const ThrottleKeys& keys);
  // Takes one check from every key, or none (false: answer 429). Kept when the password was
  // wrong; given back by release() when it was right.
  bool reserve(ThrottleKeys& keys);
  void release(const ThrottleKeys& keys);

  void find_login_user(const std::string& name,
                       std::function<void(store::Result<store::UserRecord>)> done);

  // The valid, unrevoked claims of the request's w-token (or Authorization: Bearer).
  std::optional<auth::TokenClaims> authorize(const protocol::HttpRequest& req) const;
  // Runs `work` on the hashing threads unless too many hashes wait already in its lane.
  bool run_hash(std::function<void()> work, HashQueue::Lane lane = HashQueue::Lane::kCheck);

  hub::Services& svc_;
  StaticFiles files_;
  GroupApi groups_;
  ProfileApi profiles_;
  NameList names_;
  AdminApi admin_;
  MetricsAccess metrics_access_;
  FileApi uploads_;
  // Failed logins: per name and per (name, address) at the configured rate, per address at
  // kAddressFactor times it, so one person fumbling a password behind a shared address (an
  // office NAT) does not lock out everyone else there, while a guessing run is still slowed.
  static constexpr int kAddressFactor = 10;
  auth::LoginThrottle throttle_;
  auth::LoginThrottle address_throttle_;
  auth::LoginThrottle register_throttle_;  // registrations per address
  auth::DeviceProofs devices_;
  HashQueue hashing_;
};

}  // namespace parley::api
