// SPDX-License-Identifier: MIT
#include "api/api.hpp"

#include "api/new_password.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "auth/credentials.hpp"
#include "auth/password.hpp"
#include "auth/revocations.hpp"
#include "hub/metrics.hpp"
#include "hub/presence.hpp"
#include "hub/services.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/json_text.hpp"
#include "util/name_form.hpp"

namespace parley::api {
namespace json = boost::json;
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpRequest;
using protocol::HttpResponse;
using protocol::json_response;

namespace {

// Waiting hashes: password checks, and new passwords (registrations, admin create/reset).
constexpr std::size_t kMaxChecksWaiting = 64;
constexpr std::size_t kMaxNewWaiting = 16;

struct Credentials {
  std::string name, password;
  std::string invite;  // register only, optional
  std::string device;  // login only, optional: a device proof (auth/device_proof.hpp)
};

// The classic body {"name","password"}; nullopt when it is not that.
std::optional<Credentials> parse_credentials(const std::string& body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const json::value* n = o.if_contains("name");
  const json::value* p = o.if_contains("password");
  if (!n || !p || !n->is_string() || !p->is_string()) return std::nullopt;
  Credentials c{std::string(n->get_string()), std::string(p->get_string()), {}};
  if (const json::value* i = o.if_contains("invite"); i && i->is_string())
    c.invite = std::string(i->get_string());
  if (const json::value* d = o.if_contains("device"); d && d->is_string())
    c.device = std::string(d->get_string());
  return c;
}

HttpResponse unavailable() {
  return code_response(503, code::kInternal, "存储暂不可用 (store unavailable), try again");
}

HttpResponse unauthorized() {
  return code_response(401, code::kUnauthorized, "未登录或登录已失效 (invalid or revoked token)");
}

HttpResponse names_response(const std::vector<std::string>& names) {
  std::string body = "{\"names\":";
  util::append_json_string_array(body, names);
  body += '}';
  return json_response(200, std::move(body));
}

std::int64_t int_param(const HttpRequest& req, std::string_view name, std::int64_t fallback,
                       bool& ok) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return fallback;
  std::int64_t out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size() || out < 0) ok = false;
  return out;
}

}  // namespace

Api::Api(hub::Services& svc, std::string web_dir)
    : svc_(svc),
      files_(web_dir),
      groups_(*svc.store, svc.config.limits.max_group_members),
      profiles_(*svc.store),
      names_(*svc.store),
      admin_(svc,
             [this](std::function<void()> work) {
               return run_hash(std::move(work), HashQueue::Lane::kNew);
             }),
      metrics_access_(svc.config),
      uploads_(svc, svc.config.files_dir.empty() ? svc.config.data_dir + "/files"
                                                 : svc.config.files_dir),
      throttle_(svc.config.limits.login_failures_per_minute),
      address_throttle_(svc.config.limits.login_failures_per_minute * kAddressFactor),
      register_throttle_(svc.config.limits.registrations_per_minute),
      devices_(*svc.tokens),
      hashing_(svc.config.limits.hash_concurrency, kMaxChecksWaiting, kMaxNewWaiting) {}

Api::~Api() {
  hashing_.join();
}

std::unique_ptr<protocol::BodySink> Api::open_stream(const HttpRequest& head, const std::string&,
                                                     std::optional<HttpResponse>& refusal) {
  if (head.path != "/api/files" || head.method != "POST") return nullptr;
  return uploads_.open_upload(head, refusal);
}

void Api::limits_changed() {
  throttle_.set_limit(svc_.config.limits.login_failures_per_minute);
  address_throttle_.set_limit(svc_.config.limits.login_failures_per_minute * kAddressFactor);
  register_throttle_.set_limit(svc_.config.limits.registrations_per_minute);
}

bool Api::origin_allowed(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;  // not a browser: origin checks protect browsers only
  for (const auto& o : svc_.config.allowed_origins)
    if (o == "*" || o == origin) return true;
  auto strip = [](std::string_view o) {
    for (std::string_view scheme : {"http://", "https://"})
      if (o.substr(0, scheme.size()) == scheme) return o.substr(scheme.size());
    return std::string_view();
  };
  std::string_view o = strip(origin);
  if (!o.empty() && o == host) return true;
  auto hostname = o.substr(0, o.rfind(':') == std::string_view::npos ? o.size() : o.rfind(':'));
  return hostname == "localhost" || hostname == "127.0.0.1" || hostname == "[::1]";
}

void Api::handle(const HttpRequest& req, const std::string& ip, Responder respond) {
  const std::string& path = req.path;
  const std::string& m = req.method;
  if (m == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    r.headers = {{"Access-Control-Allow-Headers", "Content-Type, w-token, Authorization"},
                 {"Access-Control-Allow-Methods", "POST, GET, OPTIONS, DELETE, PATCH, PUT"},
                 {"Access-Control-Max-Age", "86400"}};
    return respond(std::move(r));
  }
  if (path.rfind("/api/", 0) == 0) {
    if (path == "/api/register" && m == "POST") return do_register(req, ip, std::move(respond));
    if (path == "/api/login" && m == "POST") return do_login(req, ip, std::move(respond));
    if (path == "/api/list" && m == "GET") return names_.answer(req, std::move(respond));
    if (path == "/api/loginlist" && m == "GET") return do_names(true, std::move(respond));
    if (path.rfind("/api/files/", 0) == 0) {
      if (uploads_.handle(req, respond)) return;
      return respond(code_response(404, code::kNotFound, "no such file endpoint or method"));
    }
    if (path == "/api/files")
      return respond(code_response(405, code::kBadFormat, "POST the file's bytes"));
    if (path == "/api/registration" && m == "GET") {
      std::string body = "{\"code\":\"2000\",\"registration\":\"" +
                         std::string(config::registration_name(svc_.config.registration)) + "\"}";
      return respond(json_response(200, std::move(body)));
    }
    if (path == "/api/account/delete" && m == "POST")
      return do_delete_account(req, ip, std::move(respond));
    if (path == "/api/user" || path == "/api/profile" || path == "/api/profiles" ||
        path.rfind("/api/admin/", 0) == 0) {
      auto claims = authorize(req);
      if (!claims) return respond(unauthorized());
      if (path.rfind("/api/admin/", 0) == 0) return admin_.handle(req, *claims, std::move(respond));
      if (profiles_.handle(req, *claims, respond)) return;
      return respond(code_response(405, code::kBadFormat, "method not allowed"));
    }
    if (path == "/api/logout" && m == "POST") return do_logout(req, std::move(respond));
    if (path == "/api/password" && m == "POST") return do_password(req, ip, std::move(respond));
    if (path == "/api/history" && m == "GET") return do_history(req, std::move(respond));
    if (path == "/api/conversations" && m == "GET")
      return do_conversations(req, std::move(respond));
    if (path == "/api/groups" || path.rfind("/api/groups/", 0) == 0) {
      auto claims = authorize(req);
      if (!claims) return respond(unauthorized());
      if (groups_.handle(req, *claims, respond)) return;
      return respond(code_response(path == "/api/groups" ? 405 : 404, code::kBadFormat,
                                   "no such group endpoint or method"));
    }
    static const char* known[] = {"/api/register",      "/api/login",    "/api/list",
                                  "/api/loginlist",     "/api/logout",   "/api/history",
                                  "/api/conversations", "/api/password", "/api/registration",
                                  "/api/account/delete"};
    for (const char* k : known)
      if (path == k) return respond(code_response(405, code::kBadFormat, "method not allowed"));
    return respond(code_response(404, code::kNotFound, "not found"));
  }
  if (path == "/healthz") return respond(json_response(200, R"({"status":"ok"})"));
  if (path == "/readyz") {
    return svc_.store->ping([respond = std::move(respond)](auto r) {
      respond(std::get_if<store::Empty>(&r)
                  ? json_response(200, R"({"status":"ok"})")
                  : json_response(503, R"({"status":"store unavailable"})"));
    });
  }
  if (path == "/metrics") {
    if (!metrics_access_.allows(req, ip))
      return respond(code_response(403, code::kForbidden, "metrics are not open to this client"));
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = svc_.metrics->render(std::int64_t(svc_.presence->users()));
    return respond(std::move(r));
  }
  if (m != "GET" && m != "HEAD")
    return respond(code_response(405, code::kBadFormat, "method not allowed"));
  respond(files_.serve(path));
}

Api::ThrottleKeys Api::login_keys(const std::string& name, const std::string& ip) {
  return {{{&throttle_, "n:" + name},
           {&throttle_, "p:" + ip + "/" + name},
           {&address_throttle_, "i:" + ip}}};
}

Api::ThrottleKeys Api::device_keys(const std::string& device) {
  return {{{&throttle_, "d:" + device}}};
}

Api::ThrottleKeys Api::account_keys(std::int64_t uid, const std::string& ip) {
  return {{{&throttle_, "a:" + std::to_string(uid)}, {&address_throttle_, "i:" + ip}}};
}

bool Api::throttled(const ThrottleKeys& k) {
  std::int64_t now = util::mono_ms();
  for (const auto& [throttle, key] : k.keys)
    if (throttle->blocked(key, now)) return true;
  return false;
}

bool Api::reserve(ThrottleKeys& k) {
  k.reserved_ms = util::mono_ms();
  for (std::size_t i = 0; i < k.keys.size(); ++i) {
    if (k.keys[i].first->try_reserve(k.keys[i].second, k.reserved_ms)) continue;
    while (i--) k.keys[i].first->release(k.keys[i].second, k.reserved_ms);
    return false;
  }
  return true;
}

void Api::release(const ThrottleKeys& k) {
  for (const auto& [throttle, key] : k.keys) throttle->release(key, k.reserved_ms);
}

bool Api::run_hash(std::function<void()> work, HashQueue::Lane lane) {
  return hashing_.submit(lane, std::move(work));
}

namespace {

HttpResponse too_many_attempts() {
  return code_response(429, code::kTooManyAttempts,
                       "登录失败次数过多 (too many failed attempts), wait a minute");
}

HttpResponse busy() {
  return code_response(503, code::kUnavailable, "server busy, try again");
}

}  // namespace

// Cheap refusals first (format, policy, a taken name, the address's rate), so that only a
// registration that can succeed costs a hash, and on its own queue (api/hash_queue.hpp).
void Api::do_register(const HttpRequest& req, const std::string& ip, Responder respond) {
  auto cred = parse_credentials(req.body);
  // Stored in NFC; '~' starts the names of deleted accounts (store::deleted_name).
  std::optional<std::string> name = cred ? auth::new_account_name(cred->name) : std::nullopt;
  if (!name || !auth::is_valid_password(cred->password))
    return respond(code_response(200, code::kBadFormat,
                                 "格式错误: name 1-20 visible characters (not starting with ~, no "
                                 "space at either end), password 3-20 characters"));
  cred->name = std::move(*name);
  auto policy = svc_.config.registration;
  if (policy == config::Registration::kClosed)
    return respond(code_response(200, code::kRegistrationClosed,
                                 "注册已关闭 (registration is closed: ask an administrator)"));
  if (policy == config::Registration::kInvite && (cred->invite.empty() || cred->invite.size() > 64))
    return respond(code_response(200, code::kInviteInvalid,
                                 "需要邀请码 (an invite code is needed to register)"));
  if (policy != config::Registration::kInvite) cred->invite.clear();
  auto shared_respond = std::make_shared<Responder>(std::move(respond));
  auto taken = [] { return code_response(200, code::kNameTaken, "用户名已存在 (name taken)"); };
  std::string lookup = cred->name;  // copied: the callback takes `cred` over
  svc_.store->find_user(std::move(lookup), [this, ip, shared_respond, taken,
                                            cred = std::move(*cred)](auto found) mutable {
    if (std::get_if<store::UserRecord>(&found)) return (*shared_respond)(taken());
    if (std::get<store::StoreError>(found) != store::StoreError::kNotFound)
      return (*shared_respond)(unavailable());
    if (!register_throttle_.try_reserve("r:" + ip, util::mono_ms()))
      return (*shared_respond)(code_response(
          429, code::kTooManyAttempts, "注册过于频繁 (too many registrations from here), wait"));
    bool queued = run_hash(
        [this, shared_respond, taken, cred = std::move(cred)] {
          store::NewAccount account{cred.name, hash_new_password(svc_.config, cred.password),
                                    cred.invite, store::Role::kUser};
          svc_.store->create_account(std::move(account), [this, shared_respond, taken,
                                                          name = cred.name](auto r) {
            if (std::get_if<store::UserId>(&r)) {
              spdlog::info("registered user '{}'", name);
              names_.invalidate();
              return (*shared_respond)(code_response(200, code::kOk, "注册成功 (registered)"));
            }
            auto e = std::get<store::StoreError>(r);
            if (e == store::StoreError::kNameTaken) return (*shared_respond)(taken());
            if (e == store::StoreError::kNameReserved)
              return (*shared_respond)(code_response(
                  200, code::kNameTaken, "用户名已被保留 (name reserved: a deleted account's)"));
            if (e == store::StoreError::kInviteInvalid)
              return (*shared_respond)(
                  code_response(200, code::kInviteInvalid,
                                "邀请码无效 (invite code unknown, used up or expired)"));
            (*shared_respond)(code_response(
                503, code::kInternal, "注册失败: 存储暂不可用 (store unavailable), try again"));
          });
        },
        HashQueue::Lane::kNew);
    if (!queued) (*shared_respond)(busy());
  });
}

// The account a login names: by the name as typed, else by its NFC form (a client that sends
// decomposed text still finds the account, stored in NFC).
void Api::find_login_user(const std::string& name,
                          std::function<void(store::Result<store::UserRecord>)> done) {
  svc_.store->find_user(name, [this, name, done = std::move(done)](auto r) mutable {
    auto* e = std::get_if<store::StoreError>(&r);
    auto nfc = e && *e == store::StoreError::kNotFound ? util::to_nfc(name) : std::nullopt;
    if (!nfc || *nfc == name) return done(std::move(r));
    svc_.store->find_user(*nfc, std::move(done));
  });
}

void Api::do_login(const HttpRequest& req, const std::string& ip, Responder respond) {
  auto cred = parse_credentials(req.body);
  if (!cred || !auth::is_valid_name(cred->name) || !auth::is_valid_password(cred->password))
    return respond(code_response(200, code::kBadFormat, "格式错误 (bad format)"));
  // Without a device proof, a locked name is refused before the store is asked.
  if (cred->device.empty() && throttled(login_keys(cred->name, ip)))
    return respond(too_many_attempts());
  auto shared_respond = std::make_shared<Responder>(std::move(respond));
  std::string name = cred->name;  // copied: the callback takes `cred` over
  find_login_user(name, [this, shared_respond, ip,
                         cred = std::move(*cred)](store::Result<store::UserRecord> r) mutable {
    auto* e = std::get_if<store::StoreError>(&r);
    if (e && *e != store::StoreError::kNotFound) return (*shared_respond)(unavailable());
    std::optional<std::string> device;
    std::string counted = cred.name;  // the account's own name: one count for every form of it
    if (auto* u = std::get_if<store::UserRecord>(&r)) {
      device = devices_.device_of(cred.device, u->id, util::now_s());
      counted = u->name;
    }
    ThrottleKeys keys = device ? device_keys(*device) : login_keys(counted, ip);
    if (!reserve(keys)) return (*shared_respond)(too_many_attempts());
    if (e)
      return (*shared_respond)(code_response(200, code::kNoSuchUser, "用户不存在 (no such user)"));
    auto user = std::get<store::UserRecord>(std::move(r));
    bool queued = run_hash([this, shared_respond, keys, password = std::move(cred.password),
                            user = std::move(user)] {
      if (!auth::verify_password(password, user.password_hash))
        return (*shared_respond)(
            code_response(200, code::kWrongPassword, "密码错误 (wrong password)"));
      release(keys);
      // Told only to whoever knows the password.
      if (user.banned)
        return (*shared_respond)(
            code_response(200, code::kBanned, "账号已被封禁 (this account is banned)"));
      auth::TokenClaims claims;
      claims.name = user.name;
      claims.uid = user.id;
      claims.gen = std::max(user.token_gen, svc_.revocations->generation(user.id));
      std::string token = svc_.tokens->issue(claims, svc_.config.token_lifetime_s);
      spdlog::info("user '{}' logged in", user.name);
      std::string body = "{\"code\":\"2000\",\"msg\":\"登录成功\",\"name\":";
      util::append_json_string(body, user.name);
      body += ",\"token\":\"" + token + "\",\"expires\":" + std::to_string(claims.exp) +
              ",\"role\":\"" + (user.role == std::uint8_t(store::Role::kAdmin) ? "admin" : "user") +
              "\",\"device\":\"" + devices_.issue(user.id, user.name) + "\"}";
      (*shared_respond)(json_response(200, std::move(body)));
    });
    if (!queued) {
      release(keys);
      (*shared_respond)(busy());
    }
  });
}

void Api::do_names(bool online, Responder respond) {
  (void)online;  // the online list: in memory (Presence)
  respond(names_response(svc_.presence->names()));
}

std::optional<auth::TokenClaims> Api::authorize(const HttpRequest& req) const {
  std::string_view token = req.header("w-token");
  if (token.empty()) {
    std::string_view a = req.header("authorization");
    if (a.substr(0, 7) == "Bearer ") token = a.substr(7);
  }
  if (token.empty()) return std::nullopt;
  auto claims = svc_.tokens->verify(token, util::now_s());
  if (!claims || svc_.revocations->is_revoked(*claims)) return std::nullopt;
  return claims;
}

void Api::do_logout(const HttpRequest& req, Responder respond) {
  auto claims = authorize(req);
  if (!claims) return respond(unauthorized());
  bool all = req.query_param("all").value_or("") == "1";
  auto done = [respond = std::move(respond)](bool ok) {
    respond(ok ? code_response(200, code::kOk, "已注销 (logged out)") : unavailable());
  };
  if (all) {
    // The store tells the router (on every node), which revokes and closes connections.
    svc_.store->revoke_all_tokens(claims->uid, [uid = claims->uid, done](auto r) {
      if (!std::get_if<std::int64_t>(&r)) return done(false);
      spdlog::info("user {} logged out everywhere", uid);
      done(true);
    });
    return;
  }
  svc_.store->revoke_token(claims->uid, claims->jti, claims->exp,
                           [name = claims->name, done](auto r) {
                             if (!std::get_if<store::Empty>(&r)) return done(false);
                             spdlog::info("user '{}' logged out one device", name);
                             done(true);
                           });
}

void Api::do_history(const HttpRequest& req, Responder respond) {
  auto claims = authorize(req);
  if (!claims) return respond(unauthorized());
  auto with = req.query_param("with");
  auto group = req.query_param("group");
  bool ok = true;
  std::int64_t before = int_param(req, "before", 0, ok);
  std::int64_t limit = int_param(req, "limit", 50, ok);
  bool one_of = (with && !with->empty()) != (group && !group->empty());
  if (!one_of || !ok || limit < 1 || limit > 200)
    return respond(code_response(
        400, code::kBadFormat, "need with=NAME or group=ID, optional before=ID and limit=1..200"));
  if (group) return groups_.history(req, *claims, before, limit, std::move(respond));
  svc_.store->history(claims->uid, *with, before, std::size_t(limit),
                      [respond = std::move(respond), with = *with](auto r) {
                        if (auto* e = std::get_if<store::StoreError>(&r))
                          return respond(*e == store::StoreError::kNotFound
                                             ? code_response(404, code::kNoSuchUser, "no such user")
                                             : unavailable());
                        auto& page = std::get<store::HistoryPage>(r);
                        std::string body = "{\"code\":\"2000\",\"with\":";
                        util::append_json_string(body, with);
                        body += ",\"messages\":[";
                        for (std::size_t i = 0; i < page.messages.size(); ++i) {
                          const auto& m = page.messages[i];
                          if (i) body += ',';
                          append_history_item(body, m);
                        }
                        body += "],\"more\":";
                        body += page.more ? "true" : "false";
                        // Where the next page starts: a page may end early (the store bounds
                        // the rows one request reads), even empty.
                        store::MessageId next = page.next_before;
                        if (!next && !page.messages.empty()) next = page.messages.front().id;
                        if (page.more && next) body += ",\"before\":" + std::to_string(next);
                        body += '}';
                        respond(json_response(200, std::move(body)));
                      });
}

void Api::do_conversations(const HttpRequest& req, Responder respond) {
  auto claims = authorize(req);
  if (!claims) return respond(unauthorized());
  svc_.store->conversations(claims->uid, 200, [respond = std::move(respond)](auto r) {
    auto* list = std::get_if<std::vector<store::Conversation>>(&r);
    if (!list) return respond(unavailable());
    std::string body = "{\"code\":\"2000\",\"conversations\":[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& c = (*list)[i];
      if (i) body += ',';
      if (c.group) {
        body += "{\"group\":\"" + std::to_string(c.group) + "\",\"name\":";
        util::append_json_string(body, c.group_name);
      } else {
        body += "{\"with\":";
        util::append_json_string(body, c.with);
      }
      body += ",\"unread\":" + std::to_string(c.unread) +
              ",\"read_upto\":" + std::to_string(c.read_upto) + ",\"last\":";
      append_history_item(body, c.last);
      body += '}';
    }
    body += "]}";
    respond(json_response(200, std::move(body)));
  });
}

}  // namespace parley::api
