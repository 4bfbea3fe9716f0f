// SPDX-License-Identifier: MIT
#include "app/admin_cli.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app/data_lock.hpp"
#include "auth/credentials.hpp"
#include "auth/password.hpp"
#include "client/http_client.hpp"
#include "store/redis/redis_store.hpp"
#include "store/sqlite/maintenance.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace parley::app {
namespace json = boost::json;
namespace {

constexpr const char* kUsage =
    "usage: parley admin promote|demote NAME [--data DIR | --redis URL]\n"
    "       parley admin create-admin NAME [--password-file F] [--data DIR | --redis URL]\n"
    "           (the embedded store: with the server stopped)\n"
    "       parley admin [--url http://HOST:PORT] --user NAME [--password-file F] COMMAND ...\n"
    "COMMAND: stats | users [QUERY] | create-user NAME PASSWORD [--admin] | kick NAME |\n"
    "         ban NAME | unban NAME | reset-password NAME PASSWORD | role NAME admin|user |\n"
    "         delete NAME | invite [--uses N] [--expires SECONDS] | invites |\n"
    "         revoke-invite CODE | notice TEXT [--to NAME]\n"
    "The password comes from --password-file or the PARLEY_ADMIN_PASSWORD variable.\n";

int usage(const std::string& why = {}) {
  if (!why.empty()) std::cerr << "error: " << why << "\n";
  std::cerr << kUsage;
  return 2;
}

// --name VALUE options and positional words; `--admin` is the only flag without a value.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> words;
  bool admin_flag = false;
};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--admin") {
      a.admin_flag = true;
    } else if (s.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return std::nullopt;
      a.options[s.substr(2)] = argv[++i];
    } else {
      a.words.push_back(s);
    }
  }
  return a;
}

std::string option(const Args& a, const std::string& key, std::string fallback = {}) {
  auto it = a.options.find(key);
  return it == a.options.end() ? fallback : it->second;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A store of its own for this command: the folder lock keeps it from running beside a server.
struct OwnStore {
  std::optional<DataLock> lock;
  std::unique_ptr<store::Store> store;
};

OwnStore open_store(const Args& a) {
  OwnStore s;
  std::string redis = option(a, "redis");
  if (!redis.empty()) {
    store::redis::RedisOptions ro;
    ro.url = redis;
    s.store = std::make_unique<store::redis::RedisStore>(ro);
    return s;
  }
  std::string data = option(a, "data", "./data"), error;
  s.lock = DataLock::take(data, error);
  if (!s.lock)
    throw std::runtime_error(error +
                             ": stop the server first (or, while registration is open, "
                             "register the account and use `parley admin promote`)");
  store::sqlite::SqliteOptions so;
  so.path = (std::filesystem::path(data) / "parley.db").string();
  s.store = std::make_unique<store::sqlite::SqliteStore>(so);
  return s;
}

std::string read_password(const Args& a);

// create-admin: the first account of a server whose registration is invite-only or closed.
int create_admin(const Args& a) {
  if (a.words.size() != 2) return usage("create-admin takes one NAME");
  auto typed = auth::new_account_name(a.words[1]);
  std::string password = read_password(a);
  if (!typed)
    return usage(
        "the name must be 1-20 visible characters, not start with ~ nor start or end with space");
  const std::string& name = *typed;
  if (!auth::is_valid_password(password))
    return usage("give a password of 3-20 characters in --password-file or PARLEY_ADMIN_PASSWORD");
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    OwnStore s = open_store(a);
    std::promise<store::Result<store::UserId>> result;
    s.store->create_account(
        store::NewAccount{
            name, auth::hash_password(password, auth::PasswordCost{}), {}, store::Role::kAdmin},
        [&](store::Result<store::UserId> r) { result.set_value(std::move(r)); });
    auto r = result.get_future().get();
    if (auto* e = std::get_if<store::StoreError>(&r)) {
      std::cerr << "error: "
                << (*e == store::StoreError::kNameTaken || *e == store::StoreError::kNameReserved
                        ? "the name is taken (use promote for an existing account)"
                        : "the store failed")
                << "\n";
      return 1;
    }
    std::cout << "created the administrator " << name << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

// promote / demote: straight in the store.
int set_role(const Args& a, bool admin) {
  if (a.words.size() != 2) return usage("promote and demote take one NAME");
  const std::string& name = a.words[1];
  std::string redis = option(a, "redis");
  if (redis.empty()) {
    std::string db = (std::filesystem::path(option(a, "data", "./data")) / "parley.db").string();
    auto r = store::sqlite::set_role(db, name, admin);
    (r.ok ? std::cout : std::cerr) << (r.ok ? "" : "error: ") << r.message << "\n";
    return r.ok ? 0 : 1;
  }
  try {
    store::redis::RedisOptions ro;
    ro.url = redis;
    store::redis::RedisStore st(ro);
    std::promise<std::string> result;
    st.find_user(name, [&](store::Result<store::UserRecord> r) {
      auto* u = std::get_if<store::UserRecord>(&r);
      if (!u) return result.set_value("no such user: " + name);
      store::AccountChange c;
      c.op = store::AccountOp::kRole;
      c.user = u->id;
      c.role = admin ? store::Role::kAdmin : store::Role::kUser;
      st.change_account(std::move(c), [&](store::Result<store::Account> ar) {
        result.set_value(std::get_if<store::Account>(&ar) ? "" : "the store failed");
      });
    });
    std::string error = result.get_future().get();
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return 1;
    }
    std::cout << name << (admin ? " is an administrator now" : " is no longer an administrator")
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

struct Server {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9288;
  std::string token;

  client::HttpResult call(const std::string& method, const std::string& target,
                          const std::string& body = {}) const {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["w-token"] = token;
    return client::http_request(host, port, method, target, body, headers);
  }
};

bool parse_url(const std::string& url, Server& s) {
  std::string_view u = url;
  if (u.rfind("http://", 0) != 0) return false;
  u.remove_prefix(7);
  if (auto slash = u.find('/'); slash != std::string_view::npos) u = u.substr(0, slash);
  auto colon = u.rfind(':');
  s.host = std::string(u.substr(0, colon));
  if (colon != std::string_view::npos) {
    int port = std::atoi(std::string(u.substr(colon + 1)).c_str());
    if (port <= 0 || port > 65535) return false;
    s.port = std::uint16_t(port);
  }
  return !s.host.empty();
}

std::string read_password(const Args& a) {
  std::string file = option(a, "password-file");
  if (file.empty()) {
    const char* env = std::getenv("PARLEY_ADMIN_PASSWORD");
    return env ? env : "";
  }
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string json_text(const json::object& o) {
  return json::serialize(o);
}

// The request a COMMAND makes: method, target, body. Empty method: bad arguments.
struct Request {
  std::string method, target, body;
};

Request request_for(const Args& a) {
  const auto& w = a.words;
  const std::string& cmd = w[0];
  auto user_path = [&](const std::string& action) {
    return "/api/admin/users/" + percent_encode(w[1]) + (action.empty() ? "" : "/" + action);
  };
  if (cmd == "stats" && w.size() == 1) return {"GET", "/api/admin/stats", {}};
  if (cmd == "users" && w.size() <= 2)
    return {"GET",
            "/api/admin/users?limit=200" + (w.size() == 2 ? "&q=" + percent_encode(w[1]) : ""),
            {}};
  if (cmd == "create-user" && w.size() == 3)
    return {
        "POST", "/api/admin/users",
        json_text({{"name", w[1]}, {"password", w[2]}, {"role", a.admin_flag ? "admin" : "user"}})};
  for (const char* action : {"kick", "ban", "unban"})
    if (cmd == action && w.size() == 2) return {"POST", user_path(action), {}};
  if (cmd == "reset-password" && w.size() == 3)
    return {"POST", user_path("password"), json_text({{"password", w[2]}})};
  if (cmd == "role" && w.size() == 3)
    return {"POST", user_path("role"), json_text({{"role", w[2]}})};
  if (cmd == "delete" && w.size() == 2) return {"DELETE", user_path(""), {}};
  if (cmd == "invites" && w.size() == 1) return {"GET", "/api/admin/invites", {}};
  if (cmd == "invite" && w.size() == 1) {
    json::object o;
    try {
      o["uses"] = std::stoll(option(a, "uses", "1"));
      o["expires_in"] = std::stoll(option(a, "expires", "604800"));
    } catch (const std::exception&) {
      return {};
    }
    return {"POST", "/api/admin/invites", json_text(o)};
  }
  if (cmd == "revoke-invite" && w.size() == 2)
    return {"DELETE", "/api/admin/invites/" + percent_encode(w[1]), {}};
  if (cmd == "notice" && w.size() == 2) {
    json::object o{{"content", w[1]}};
    if (auto to = option(a, "to"); !to.empty()) o["to"] = to;
    return {"POST", "/api/admin/notice", json_text(o)};
  }
  return {};
}

int over_http(const Args& a) {
  Server s;
  if (!parse_url(option(a, "url", "http://127.0.0.1:9288"), s))
    return usage(
        "--url must be http://HOST:PORT (the admin CLI speaks plain HTTP: run it on the "
        "server's machine, or through an SSH tunnel)");
  std::string user = option(a, "user");
  if (user.empty()) return usage("--user NAME is needed");
  Request req = request_for(a);
  if (req.method.empty()) return usage("unknown command or wrong arguments: " + a.words[0]);
  try {
    auto login =
        s.call("POST", "/api/login", json_text({{"name", user}, {"password", read_password(a)}}));
    json::error_code ec;
    auto v = json::parse(login.body, ec);
    const json::value* token = !ec && v.is_object() ? v.as_object().if_contains("token") : nullptr;
    if (!token || !token->is_string()) {
      std::cerr << "error: login failed: " << login.body << "\n";
      return 1;
    }
    s.token = std::string(token->get_string());
    auto r = s.call(req.method, req.target, req.body);
    std::cout << r.body << "\n";
    return r.status >= 200 && r.status < 300 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

std::optional<int> run_admin(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "admin") return std::nullopt;
  auto args = parse(argc, argv);
  if (!args || args->words.empty()) return usage();
  const std::string& cmd = args->words[0];
  if (cmd == "help") return usage(), 0;
  if (cmd == "promote" || cmd == "demote") return set_role(*args, cmd == "promote");
  if (cmd == "create-admin") return create_admin(*args);
  return over_http(*args);
}

}  // namespace parley::app
