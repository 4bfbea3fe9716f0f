// SPDX-License-Identifier: MIT
// The administration endpoints, /api/admin/...: stats, users (search, create, kick, ban, unban,
// reset password, role, delete), invite codes and system notices. Every request is checked
// against the store (the caller's account must be an admin and not banned) before anything
// else, so a demoted or banned admin's token stops working at once.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "auth/token.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"
#include "store/account.hpp"

namespace parley::hub {
struct Services;
}

namespace parley::api {

using protocol::Responder;
// Runs work on the password-hashing pool; false when it is full.
using HashRunner = std::function<bool(std::function<void()>)>;

class AdminApi {
 public:
  static constexpr std::size_t kMaxNotice = 2000;  // code points
  static constexpr std::int64_t kMaxInviteUses = 1000;

  AdminApi(hub::Services& services, HashRunner run_hash);

  // A path under /api/admin/ (already authenticated as `who`).
  void handle(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder respond);

 private:
  void route(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder respond);
  void stats(Responder respond);
  void users(const protocol::HttpRequest& req, Responder respond);
  void create_user(const protocol::HttpRequest& req, Responder respond);
  // /api/admin/users/{name}[/action]
  void user_action(const protocol::HttpRequest& req, const auth::TokenClaims& who, std::string name,
                   std::string action, Responder respond);
  void act(const protocol::HttpRequest& req, const store::UserRecord& target, std::string action,
           Responder respond);
  void invites(Responder respond);
  void create_invite(const protocol::HttpRequest& req, const auth::TokenClaims& who,
                     Responder respond);
  void notice(const protocol::HttpRequest& req, Responder respond);
  std::string user_json(const store::Account& a) const;

  hub::Services& svc_;
  HashRunner run_hash_;
  std::int64_t started_ms_;
};

}  // namespace parley::api
