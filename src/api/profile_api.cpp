// SPDX-License-Identifier: MIT
#include "api/profile_api.hpp"

#include "api/json_body.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/json_text.hpp"
#include "util/utf8.hpp"

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpRequest;
using protocol::json_response;

namespace {

protocol::HttpResponse unavailable() {
  return code_response(503, code::kUnavailable, "store unavailable, try again");
}

void append_profile(std::string& out, const store::Profile& p) {
  out += "{\"name\":";
  util::append_json_string(out, p.name);
  out += ",\"display_name\":";
  util::append_json_string(out, p.display_name);
  out += ",\"status\":";
  util::append_json_string(out, p.status);
  if (p.deleted) out += ",\"deleted\":true";
  out += '}';
}

std::string_view role_name(std::uint8_t role) {
  return role == std::uint8_t(store::Role::kAdmin) ? "admin" : "user";
}

}  // namespace

bool is_valid_profile_text(std::string_view text, std::size_t max) {
  if (!util::is_valid_utf8(text) || util::has_control_chars(text) ||
      util::has_invisible_chars(text))
    return false;
  if (!text.empty() && (text.front() == ' ' || text.back() == ' ')) return false;
  return util::count_code_points(text) <= max;
}

bool ProfileApi::handle(const HttpRequest& req, const auth::TokenClaims& who, Responder& respond) {
  if (req.path == "/api/user" && req.method == "GET") return user(who, std::move(respond)), true;
  if (req.path == "/api/profile" && req.method == "POST")
    return update(req, who, std::move(respond)), true;
  if (req.path == "/api/profiles" && req.method == "POST")
    return profiles(req, std::move(respond)), true;
  return false;
}

void ProfileApi::user(const auth::TokenClaims& who, Responder respond) {
  store_.find_user(who.name, [this, respond = std::move(respond), name = who.name](auto r) {
    auto* u = std::get_if<store::UserRecord>(&r);
    if (!u)
      return respond(std::get<store::StoreError>(r) == store::StoreError::kNotFound
                         ? code_response(401, code::kUnauthorized, "no such account any more")
                         : unavailable());
    std::string role(role_name(u->role));
    store_.profiles({name}, [respond, role](auto pr) {
      auto* list = std::get_if<std::vector<store::Profile>>(&pr);
      if (!list || list->empty()) return respond(unavailable());
      const auto& p = list->front();
      std::string body = "{\"code\":\"2000\",\"msg\":\"ok\",\"name\":";
      util::append_json_string(body, p.name);
      body += ",\"display_name\":";
      util::append_json_string(body, p.display_name);
      body += ",\"status\":";
      util::append_json_string(body, p.status);
      body += ",\"role\":\"" + role + "\"}";
      respond(json_response(200, std::move(body)));
    });
  });
}

void ProfileApi::update(const HttpRequest& req, const auth::TokenClaims& who, Responder respond) {
  auto o = body_object(req);
  bool ok = bool(o);
  std::optional<std::string> display, status;
  if (o) {
    display = string_member(*o, "display_name", ok);
    status = string_member(*o, "status", ok);
  }
  if (!ok || (!display && !status) ||
      (display && !is_valid_profile_text(*display, kMaxDisplayName)) ||
      (status && !is_valid_profile_text(*status, kMaxStatus)))
    return respond(code_response(400, code::kBadFormat,
                                 "need {\"display_name\":STR (0-32 characters), \"status\":STR "
                                 "(0-140)}: no control or invisible characters, no spaces at "
                                 "either end"));
  // Fields left out keep their value: read the profile first (one job of the store's thread
  // after the other, so two updates from one user apply in order).
  store_.profiles({who.name}, [this, who, display, status, respond = std::move(respond)](auto r) {
    auto* list = std::get_if<std::vector<store::Profile>>(&r);
    if (!list || list->empty()) return respond(unavailable());
    store::AccountChange c;
    c.op = store::AccountOp::kProfile;
    c.user = who.uid;
    c.display_name = display.value_or(list->front().display_name);
    c.status = status.value_or(list->front().status);
    store_.change_account(std::move(c), [respond](auto a) {
      auto* acc = std::get_if<store::Account>(&a);
      if (!acc) return respond(unavailable());
      std::string body = "{\"code\":\"2000\",\"profile\":";
      append_profile(body, store::Profile{acc->name, acc->display_name, acc->status, false});
      body += '}';
      respond(json_response(200, std::move(body)));
    });
  });
}

void ProfileApi::profiles(const HttpRequest& req, Responder respond) {
  auto o = body_object(req);
  std::vector<std::string> names;
  const boost::json::value* v = o ? o->if_contains("names") : nullptr;
  if (!v || !read_names(*v, kMaxProfiles, names))
    return respond(
        code_response(400, code::kBadFormat, "need {\"names\":[NAME...]} (at most 200)"));
  store_.profiles(std::move(names), [respond = std::move(respond)](auto r) {
    auto* list = std::get_if<std::vector<store::Profile>>(&r);
    if (!list) return respond(unavailable());
    std::string body = "{\"code\":\"2000\",\"profiles\":[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (i) body += ',';
      append_profile(body, (*list)[i]);
    }
    body += "]}";
    respond(json_response(200, std::move(body)));
  });
}

}  // namespace parley::api
