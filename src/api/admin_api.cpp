// SPDX-License-Identifier: MIT
#include "api/admin_api.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "api/account_removal.hpp"
#include "api/json_body.hpp"
#include "api/new_password.hpp"
#include "api/profile_api.hpp"
#include "auth/credentials.hpp"
#include "hub/presence.hpp"
#include "hub/services.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/json_text.hpp"
#include "util/utf8.hpp"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "dev"
#endif

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpRequest;
using protocol::HttpResponse;
using protocol::json_response;

namespace {

constexpr std::string_view kUsersPrefix = "/api/admin/users/";
constexpr std::string_view kInvitesPrefix = "/api/admin/invites/";
constexpr std::int64_t kDefaultInviteSeconds = 7 * 24 * 3600;
constexpr std::int64_t kMaxInviteSeconds = 365 * 24 * 3600;

HttpResponse unavailable() {
  return code_response(503, code::kUnavailable, "store unavailable, try again");
}
HttpResponse ok() {
  return code_response(200, code::kOk, "ok");
}
HttpResponse no_such_user() {
  return code_response(404, code::kNoSuchUser, "no such user");
}

std::int64_t int_member(const boost::json::object& o, std::string_view key, std::int64_t fallback,
                        bool& ok) {
  const auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_int64()) {
    ok = false;
    return fallback;
  }
  return v->get_int64();
}

std::optional<store::Role> parse_role(std::string_view s) {
  if (s == "admin") return store::Role::kAdmin;
  if (s == "user") return store::Role::kUser;
  return std::nullopt;
}

std::string_view role_name(store::Role r) {
  return r == store::Role::kAdmin ? "admin" : "user";
}

void append_invite(std::string& out, const store::Invite& i) {
  out += "{\"code\":";
  util::append_json_string(out, i.code);
  out += ",\"uses_left\":" + std::to_string(i.uses_left) + ",\"uses\":" + std::to_string(i.uses) +
         ",\"expires\":" + std::to_string(i.expires_ms) +
         ",\"created\":" + std::to_string(i.created_ms) + ",\"created_by\":";
  util::append_json_string(out, i.created_by);
  out += '}';
}

// A notice may span lines; other control characters and invalid UTF-8 are refused.
bool valid_notice(const std::string& text) {
  if (!util::is_valid_utf8(text) || util::count_code_points(text) > AdminApi::kMaxNotice)
    return false;
  std::string flat(text);
  for (char& ch : flat)
    if (ch == '\n') ch = ' ';
  return !util::has_control_chars(flat);
}

}  // namespace

AdminApi::AdminApi(hub::Services& svc, HashRunner run_hash)
    : svc_(svc), run_hash_(std::move(run_hash)), started_ms_(util::now_ms()) {}

void AdminApi::handle(const HttpRequest& req, const auth::TokenClaims& who, Responder respond) {
  // The role is read from the store on every request: a token outlives a demotion otherwise.
  svc_.store->find_user(who.name, [this, req, who, respond = std::move(respond)](auto r) mutable {
    auto* u = std::get_if<store::UserRecord>(&r);
    if (!u && std::get<store::StoreError>(r) != store::StoreError::kNotFound)
      return respond(unavailable());
    if (!u || u->id != who.uid || u->banned || u->role != std::uint8_t(store::Role::kAdmin))
      return respond(code_response(403, code::kForbidden, "administrators only"));
    route(req, who, std::move(respond));
  });
}

void AdminApi::route(const HttpRequest& req, const auth::TokenClaims& who, Responder respond) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/admin/stats" && m == "GET") return stats(std::move(respond));
  if (p == "/api/admin/users" && m == "GET") return users(req, std::move(respond));
  if (p == "/api/admin/users" && m == "POST") return create_user(req, std::move(respond));
  if (p == "/api/admin/invites" && m == "GET") return invites(std::move(respond));
  if (p == "/api/admin/invites" && m == "POST") return create_invite(req, who, std::move(respond));
  if (p == "/api/admin/notice" && m == "POST") return notice(req, std::move(respond));
  if (p.rfind(kInvitesPrefix, 0) == 0 && m == "DELETE") {
    std::string invite = p.substr(kInvitesPrefix.size());
    return svc_.store->delete_invite(invite, [respond = std::move(respond)](auto r) {
      if (std::get_if<store::Empty>(&r)) return respond(ok());
      respond(std::get<store::StoreError>(r) == store::StoreError::kNotFound
                  ? code_response(404, code::kNotFound, "no such invite")
                  : unavailable());
    });
  }
  if (p.rfind(kUsersPrefix, 0) == 0) {
    std::string rest = p.substr(kUsersPrefix.size());
    auto slash = rest.rfind('/');
    std::string name = rest, action;
    if (m == "POST" && slash != std::string::npos) {
      name = rest.substr(0, slash);
      action = rest.substr(slash + 1);
    } else if (m == "DELETE") {
      action = "delete";
    }
    if (!action.empty() && !name.empty())
      return user_action(req, who, std::move(name), std::move(action), std::move(respond));
  }
  respond(code_response(404, code::kNotFound, "no such admin endpoint or method"));
}

void AdminApi::stats(Responder respond) {
  svc_.store->search_accounts("", "", 0, [this, respond = std::move(respond)](auto r) {
    auto* page = std::get_if<store::AccountPage>(&r);
    if (!page) return respond(unavailable());
    std::string body = "{\"code\":\"2000\",\"stats\":{\"users\":" + std::to_string(page->total) +
                       ",\"online_users\":" + std::to_string(svc_.presence->names().size()) +
                       ",\"connections\":" + std::to_string(svc_.presence->connections()) +
                       ",\"uptime_s\":" + std::to_string((util::now_ms() - started_ms_) / 1000) +
                       ",\"registration\":\"" +
                       std::string(config::registration_name(svc_.config.registration)) +
                       "\",\"store\":\"" + (svc_.config.redis_url.empty() ? "sqlite" : "redis") +
                       "\",\"version\":\"" PARLEY_VERSION "\"}}";
    respond(json_response(200, std::move(body)));
  });
}

std::string AdminApi::user_json(const store::Account& a) const {
  std::size_t devices = svc_.presence->connections_of(a.id);
  std::string out = "{\"name\":";
  util::append_json_string(out, a.name);
  out += ",\"display_name\":";
  util::append_json_string(out, a.display_name);
  out += ",\"status\":";
  util::append_json_string(out, a.status);
  out += ",\"role\":\"" + std::string(role_name(a.role)) + "\",\"banned\":";
  out += a.banned ? "true" : "false";
  out += ",\"online\":";
  out += devices ? "true" : "false";
  out += ",\"devices\":" + std::to_string(devices) +
         ",\"created\":" + std::to_string(a.created_ms) + '}';
  return out;
}

void AdminApi::users(const HttpRequest& req, Responder respond) {
  std::string q(req.query_param("q").value_or(""));
  std::string after(req.query_param("after").value_or(""));
  std::int64_t limit = 50;
  if (auto l = req.query_param("limit"); l && !l->empty()) {
    auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc() || ptr != l->data() + l->size()) limit = -1;
  }
  if (limit < 1 || limit > 200 || q.size() > 256 || after.size() > 256)
    return respond(
        code_response(400, code::kBadFormat, "optional q=TEXT, after=NAME and limit=1..200"));
  svc_.store->search_accounts(std::move(q), std::move(after), std::size_t(limit),
                              [this, respond = std::move(respond)](auto r) {
                                auto* page = std::get_if<store::AccountPage>(&r);
                                if (!page) return respond(unavailable());
                                std::string body = "{\"code\":\"2000\",\"users\":[";
                                for (std::size_t i = 0; i < page->accounts.size(); ++i) {
                                  if (i) body += ',';
                                  body += user_json(page->accounts[i]);
                                }
                                body += "],\"more\":";
                                body += page->more ? "true" : "false";
                                body += ",\"total\":" + std::to_string(page->total) + '}';
                                respond(json_response(200, std::move(body)));
                              });
}

void AdminApi::create_user(const HttpRequest& req, Responder respond) {
  auto o = body_object(req);
  bool ok = bool(o);
  std::optional<std::string> name, password, role;
  if (o) {
    name = string_member(*o, "name", ok);
    password = string_member(*o, "password", ok);
    role = string_member(*o, "role", ok);
  }
  auto r = parse_role(role.value_or("user"));
  if (name) name = auth::new_account_name(*name);
  if (!ok || !name || !password || !r || !auth::is_valid_password(*password))
    return respond(code_response(400, code::kBadFormat,
                                 "need {\"name\":1-20 characters (not starting with ~), "
                                 "\"password\":3-20 characters, \"role\":\"user\"|\"admin\"}"));
  auto shared = std::make_shared<Responder>(std::move(respond));
  bool queued = run_hash_([this, shared, name = *name, password = *password, role = *r] {
    store::NewAccount a{name, hash_new_password(svc_.config, password), {}, role};
    svc_.store->create_account(std::move(a), [this, shared, name, role](auto res) {
      if (auto* id = std::get_if<store::UserId>(&res)) {
        spdlog::info("admin created account '{}'", name);
        std::string body =
            "{\"code\":\"2000\",\"user\":" +
            user_json(store::Account{*id, name, {}, {}, role, false, util::now_ms()}) + '}';
        return (*shared)(json_response(200, std::move(body)));
      }
      auto e = std::get<store::StoreError>(res);
      if (e == store::StoreError::kNameTaken || e == store::StoreError::kNameReserved)
        return (*shared)(code_response(409, code::kNameTaken, "name taken or reserved"));
      (*shared)(unavailable());
    });
  });
  if (!queued) (*shared)(code_response(503, code::kUnavailable, "server busy, try again"));
}

void AdminApi::user_action(const HttpRequest& req, const auth::TokenClaims& who, std::string name,
                           std::string action, Responder respond) {
  static const char* known[] = {"kick", "ban", "unban", "password", "role", "delete"};
  bool is_known = false;
  for (const char* k : known) is_known = is_known || action == k;
  if (!is_known) return respond(code_response(404, code::kNotFound, "no such user action"));
  // Locking oneself out of the admin page is never what was meant.
  if (name == who.name && action != "kick" && action != "password")
    return respond(code_response(400, code::kBadFormat, "not on your own account"));
  svc_.store->find_user(
      name, [this, req, action = std::move(action), respond = std::move(respond)](auto r) mutable {
        auto* u = std::get_if<store::UserRecord>(&r);
        if (!u)
          return respond(std::get<store::StoreError>(r) == store::StoreError::kNotFound
                             ? no_such_user()
                             : unavailable());
        act(req, *u, std::move(action), std::move(respond));
      });
}

void AdminApi::act(const HttpRequest& req, const store::UserRecord& target, std::string action,
                   Responder respond) {
  auto reply = [respond](auto r) {
    if (std::get_if<store::StoreError>(&r))
      return respond(std::get<store::StoreError>(r) == store::StoreError::kNotFound
                         ? no_such_user()
                         : unavailable());
    respond(ok());
  };
  spdlog::info("admin: {} '{}'", action, target.name);
  if (action == "kick") return svc_.store->revoke_all_tokens(target.id, reply);
  if (action == "ban" || action == "unban") {
    store::AccountChange c;
    c.op = action == "ban" ? store::AccountOp::kBan : store::AccountOp::kUnban;
    c.user = target.id;
    return svc_.store->change_account(std::move(c), reply);
  }
  if (action == "delete") {
    std::int64_t until =
        util::now_ms() + std::int64_t(svc_.config.deleted_name_reserve_days) * 24 * 3600 * 1000;
    return remove_account(*svc_.store, target.id, target.name, until, [respond](RemovalResult r) {
      if (r == RemovalResult::kDone) return respond(ok());
      respond(r == RemovalResult::kNotFound ? no_such_user() : unavailable());
    });
  }
  auto o = body_object(req);
  bool ok_body = bool(o);
  if (action == "role") {
    auto role = o ? string_member(*o, "role", ok_body) : std::nullopt;
    auto r = role ? parse_role(*role) : std::nullopt;
    if (!ok_body || !r)
      return respond(code_response(400, code::kBadFormat, "need {\"role\":\"admin\"|\"user\"}"));
    store::AccountChange c;
    c.op = store::AccountOp::kRole;
    c.user = target.id;
    c.role = *r;
    return svc_.store->change_account(std::move(c), reply);
  }
  // password: a reset revokes every token of the user, as a change does.
  auto password = o ? string_member(*o, "password", ok_body) : std::nullopt;
  if (!ok_body || !password || !auth::is_valid_password(*password))
    return respond(code_response(400, code::kBadFormat, "need {\"password\":3-20 characters}"));
  auto shared = std::make_shared<Responder>(std::move(respond));
  bool queued = run_hash_([this, shared, uid = target.id, password = *password] {
    svc_.store->set_password(uid, hash_new_password(svc_.config, password), [shared](auto r) {
      (*shared)(std::get_if<std::int64_t>(&r) ? ok() : unavailable());
    });
  });
  if (!queued) (*shared)(code_response(503, code::kUnavailable, "server busy, try again"));
}

void AdminApi::invites(Responder respond) {
  svc_.store->list_invites([respond = std::move(respond)](auto r) {
    auto* list = std::get_if<std::vector<store::Invite>>(&r);
    if (!list) return respond(unavailable());
    std::string body = "{\"code\":\"2000\",\"invites\":[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (i) body += ',';
      append_invite(body, (*list)[i]);
    }
    body += "]}";
    respond(json_response(200, std::move(body)));
  });
}

void AdminApi::create_invite(const HttpRequest& req, const auth::TokenClaims& who,
                             Responder respond) {
  auto o = req.body.empty() ? std::optional<boost::json::object>(boost::json::object())
                            : body_object(req);
  bool ok_body = bool(o);
  std::int64_t uses = o ? int_member(*o, "uses", 1, ok_body) : 0;
  std::int64_t seconds = o ? int_member(*o, "expires_in", kDefaultInviteSeconds, ok_body) : 0;
  if (!ok_body || uses < 1 || uses > kMaxInviteUses || seconds < 60 || seconds > kMaxInviteSeconds)
    return respond(code_response(400, code::kBadFormat,
                                 "optional {\"uses\":1..1000, \"expires_in\":60..31536000 s}"));
  std::int64_t now = util::now_ms();
  store::Invite invite{auth::random_hex(10), uses, 0, now + seconds * 1000, now, who.name};
  svc_.store->create_invite(std::move(invite), [respond = std::move(respond)](auto r) {
    auto* inv = std::get_if<store::Invite>(&r);
    if (!inv) return respond(unavailable());
    std::string body = "{\"code\":\"2000\",\"invite\":";
    append_invite(body, *inv);
    body += '}';
    respond(json_response(200, std::move(body)));
  });
}

void AdminApi::notice(const HttpRequest& req, Responder respond) {
  auto o = body_object(req);
  bool ok_body = bool(o);
  std::optional<std::string> content, to;
  if (o) {
    content = string_member(*o, "content", ok_body);
    to = string_member(*o, "to", ok_body);
  }
  if (!ok_body || !content || content->empty() || !valid_notice(*content))
    return respond(code_response(400, code::kBadFormat,
                                 "need {\"content\":TEXT (1-2000 characters), \"to\":NAME?}"));
  auto send = [this, respond](store::UserId uid, std::size_t reach, std::string text) {
    svc_.store->send_notice(uid, std::move(text), [respond, reach](auto r) {
      if (!std::get_if<store::Empty>(&r)) return respond(unavailable());
      respond(
          json_response(200, "{\"code\":\"2000\",\"delivered\":" + std::to_string(reach) + "}"));
    });
  };
  if (!to || to->empty()) {
    spdlog::info("admin: system notice to everyone");
    return send(0, svc_.presence->names().size(), std::move(*content));
  }
  svc_.store->find_user(*to, [this, send, respond, text = std::move(*content)](auto r) mutable {
    auto* u = std::get_if<store::UserRecord>(&r);
    if (!u) return respond(no_such_user());
    send(u->id, svc_.presence->connections_of(u->id) ? 1 : 0, std::move(text));
  });
}

}  // namespace parley::api
