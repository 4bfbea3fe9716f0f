// SPDX-License-Identifier: MIT
// POST /api/password: a user changes their password. The old one is checked like a login
// (failures count against the same throttle), the new one hashed, and the store replaces the
// hash and revokes every token of the user in one step: every connection of the user, on every
// node, is closed (4401). The answer carries a fresh token for the device that asked.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "api/api.hpp"
#include "api/new_password.hpp"
#include "auth/credentials.hpp"
#include "auth/password.hpp"
#include "auth/revocations.hpp"
#include "auth/token.hpp"
#include "hub/services.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/json_text.hpp"

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;
using protocol::json_response;

namespace {

struct PasswordChange {
  std::string old_password, new_password;
};

std::optional<PasswordChange> parse_change(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* old_p = o.if_contains("old");
  const auto* new_p = o.if_contains("new");
  if (!old_p || !new_p || !old_p->is_string() || !new_p->is_string()) return std::nullopt;
  return PasswordChange{std::string(old_p->get_string()), std::string(new_p->get_string())};
}

}  // namespace

void Api::do_password(const protocol::HttpRequest& req, const std::string& ip, Responder respond) {
  auto claims = authorize(req);
  if (!claims) return respond(code_response(401, code::kUnauthorized, "invalid or revoked token"));
  auto change = parse_change(req.body);
  if (!change || !auth::is_valid_password(change->new_password) ||
      change->old_password.size() > 1024)
    return respond(code_response(
        400, code::kBadFormat, "need {\"old\":PASSWORD,\"new\":PASSWORD} (new: 3-20 characters)"));
  // Per account, not per name: guessers who lock the name out of logins do not stop its
  // signed-in owner here. Reserved before the hash: a burst gets no more checks than the limit.
  ThrottleKeys keys = account_keys(claims->uid, ip);
  if (!reserve(keys))
    return respond(code_response(429, code::kTooManyAttempts, "too many failed attempts"));
  auto shared = std::make_shared<Responder>(std::move(respond));
  auto user_claims = *claims;
  svc_.store->find_user(claims->name, [this, shared, user_claims, keys,
                                       change = std::move(*change)](auto r) mutable {
    auto* user = std::get_if<store::UserRecord>(&r);
    if (!user || user->id != user_claims.uid) {
      release(keys);
      return (*shared)(code_response(503, code::kUnavailable, "store unavailable, try again"));
    }
    bool queued = run_hash([this, shared, user_claims, keys, change = std::move(change),
                            hash = user->password_hash] {
      if (!auth::verify_password(change.old_password, hash)) {
        return (*shared)(code_response(403, code::kWrongPassword, "the old password is wrong"));
      }
      release(keys);
      std::string new_hash = hash_new_password(svc_.config, change.new_password);
      svc_.store->set_password(
          user_claims.uid, std::move(new_hash), [this, shared, user_claims](auto g) {
            auto* gen = std::get_if<std::int64_t>(&g);
            if (!gen)
              return (*shared)(
                  code_response(503, code::kUnavailable, "store unavailable, try again"));
            auth::TokenClaims fresh;
            fresh.name = user_claims.name;
            fresh.uid = user_claims.uid;
            fresh.gen = *gen;
            std::string token = svc_.tokens->issue(fresh, svc_.config.token_lifetime_s);
            spdlog::info("user '{}' changed their password; every token revoked", user_claims.name);
            std::string body = "{\"code\":\"2000\",\"msg\":\"password changed\",\"token\":\"" +
                               token + "\",\"expires\":" + std::to_string(fresh.exp) + "}";
            (*shared)(json_response(200, std::move(body)));
          });
    });
    if (!queued) {
      release(keys);
      (*shared)(code_response(503, code::kUnavailable, "server busy, try again"));
    }
  });
}

}  // namespace parley::api
