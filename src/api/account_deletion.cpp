// SPDX-License-Identifier: MIT
// POST /api/account/delete {"password"}: a user deletes their own account (注销账号). The
// password is checked like a login (failures count against the same throttle); then the account
// leaves its groups and the store deletes it (api/account_removal.hpp): every token revoked and
// every connection closed, on every node.
#include <spdlog/spdlog.h>

#include "api/account_removal.hpp"
#include "api/api.hpp"
#include "api/json_body.hpp"
#include "auth/password.hpp"
#include "hub/services.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;

void Api::do_delete_account(const protocol::HttpRequest& req, const std::string& ip,
                            Responder respond) {
  auto claims = authorize(req);
  if (!claims) return respond(code_response(401, code::kUnauthorized, "invalid or revoked token"));
  auto o = body_object(req);
  bool ok = bool(o);
  auto password = o ? string_member(*o, "password", ok) : std::nullopt;
  if (!ok || !password || password->size() > 1024)
    return respond(code_response(400, code::kBadFormat, "need {\"password\":PASSWORD}"));
  // Per account, not per name: guessers who lock the name out of logins do not stop its
  // signed-in owner here. Reserved before the hash: a burst gets no more checks than the limit.
  ThrottleKeys keys = account_keys(claims->uid, ip);
  if (!reserve(keys))
    return respond(code_response(429, code::kTooManyAttempts, "too many failed attempts"));
  auto shared = std::make_shared<Responder>(std::move(respond));
  svc_.store->find_user(claims->name, [this, shared, who = *claims, keys,
                                       password = std::move(*password)](auto r) mutable {
    auto* user = std::get_if<store::UserRecord>(&r);
    if (!user || user->id != who.uid) {
      release(keys);
      return (*shared)(code_response(503, code::kUnavailable, "store unavailable, try again"));
    }
    bool queued = run_hash([this, shared, who, keys, password = std::move(password),
                            hash = user->password_hash] {
      if (!auth::verify_password(password, hash)) {
        return (*shared)(code_response(403, code::kWrongPassword, "the password is wrong"));
      }
      release(keys);
      std::int64_t until =
          util::now_ms() + std::int64_t(svc_.config.deleted_name_reserve_days) * 24 * 3600 * 1000;
      remove_account(*svc_.store, who.uid, who.name, until, [shared](RemovalResult r) {
        if (r == RemovalResult::kDone)
          return (*shared)(code_response(200, code::kOk, "账号已注销 (account deleted)"));
        (*shared)(code_response(503, code::kUnavailable, "store unavailable, try again"));
      });
    });
    if (!queued) {
      release(keys);
      (*shared)(code_response(503, code::kUnavailable, "server busy, try again"));
    }
  });
}

}  // namespace parley::api
