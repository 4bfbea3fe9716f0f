// SPDX-License-Identifier: MIT
// Administration through the real binary, on one node and on three on Redis: the first admin is
// made by `parley admin promote` next to the running server; admins (and only they) list users,
// ban and unban, kick, reset passwords, change roles, delete accounts and send system notices;
// the `parley admin` CLI drives the same API; hostile input gets clear errors.
#include <gtest/gtest.h>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

std::string code_of(const client::HttpResult& r) {
  json::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("code")) return "(no code) " + r.body;
  return str(v.at("code"));
}

class Admin : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  Deployment server{GetParam(), {"--login-failures", "0"}};
  Http http{server.port()};

  // Where `parley admin promote` finds the store of this deployment.
  std::string store_args() {
    if (auto* r = server.redis()) return "--redis " + r->url();
    return "--data " + server.node(0).data_dir();
  }
  std::string make_admin(const std::string& name) {
    http.login(name, "secret");
    int status = 0;
    std::string out = run_parley("admin promote " + name + " " + store_args(), status);
    EXPECT_EQ(status, 0) << out;
    return http.login(name, "secret");
  }
  client::HttpResult admin_post(const std::string& target, const std::string& body,
                                const std::string& token) {
    return http.post(target, body, token);
  }
  client::HttpResult del(const std::string& target, const std::string& token) {
    return client::http_request("127.0.0.1", server.port(), "DELETE", target, {},
                                {{"w-token", token}});
  }
};

TEST_P(Admin, OnlyAnAdminMadeOnTheCommandLineMayAdminister) {
  std::string t = http.login("alice", "secret");
  EXPECT_EQ(http.get("/api/admin/stats", t).status, 403);
  EXPECT_EQ(code_of(http.get("/api/admin/stats", t)), "4030");
  EXPECT_EQ(http.get("/api/admin/stats").status, 401);
  int status = 0;
  std::string out = run_parley("admin promote nobody " + store_args(), status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("no such user"), std::string::npos) << out;

  std::string admin = make_admin("alice");
  auto stats = http.get("/api/admin/stats", t);  // the old token too: roles are read per request
  ASSERT_EQ(stats.status, 200) << stats.body;
  auto s = json::parse(stats.body).at("stats");
  EXPECT_EQ(s.at("users").as_int64(), 1);
  EXPECT_EQ(str(s.at("registration")), "open");
  EXPECT_EQ(str(s.at("store")), server.redis() ? "redis" : "sqlite");
  auto login = json::parse(http.post("/api/login", R"({"name":"alice","password":"secret"})").body);
  EXPECT_EQ(str(login.at("role")), "admin");
  EXPECT_EQ(str(http.get_json("/api/user", admin).at("role")), "admin");

  // Users: search and paging, online and devices.
  for (const char* n : {"bob", "Bobby", "carol", "dave"}) http.login(n, "secret");
  std::string bt = http.login("bob", "secret");
  Chat b1(server.next_port(), bt, std::int64_t(0)), b2(server.next_port(), bt, std::int64_t(0));
  auto page = http.get_json("/api/admin/users?limit=2", admin);
  ASSERT_EQ(page.at("users").as_array().size(), 2u);
  EXPECT_TRUE(page.at("more").as_bool());
  EXPECT_EQ(page.at("total").as_int64(), 5);
  std::string last = str(page.at("users").as_array()[1].at("name"));
  auto rest = http.get_json("/api/admin/users?limit=10&after=" + last, admin);
  EXPECT_EQ(rest.at("users").as_array().size(), 3u);
  EXPECT_FALSE(rest.at("more").as_bool());
  auto bobs = http.get_json("/api/admin/users?q=BOB", admin).at("users").as_array();
  ASSERT_EQ(bobs.size(), 2u) << json::serialize(bobs);
  for (const auto& u : bobs) {
    if (str(u.at("name")) != "bob") continue;
    EXPECT_TRUE(u.at("online").as_bool());
    // Devices are counted on the node that answers (each node knows its own connections).
    if (!server.redis()) EXPECT_EQ(u.at("devices").as_int64(), 2);
  }

  // The CLI: log in as the admin and call the API.
  std::string cli = "PARLEY_ADMIN_PASSWORD=secret " + parley_binary() +
                    " admin --url http://127.0.0.1:" + std::to_string(server.port()) +
                    " --user alice ";
  auto sh = [](const std::string& cmd, int& st) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    std::string o;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) o.append(buf, n);
    st = ::pclose(p);
    return o;
  };
  out = sh(cli + "stats", status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("\"users\":5"), std::string::npos) << out;
  out = sh(cli + "users bob", status);
  EXPECT_NE(out.find("\"Bobby\""), std::string::npos) << out;
  out = sh(cli + "kick bob", status);
  EXPECT_EQ(status, 0) << out;
  for (Chat* c : {&b1, &b2}) EXPECT_EQ(str(c->next_of("no").at("type")), "no");
  out = sh(cli + "frobnicate", status);
  EXPECT_NE(status, 0) << out;
  out = sh("PARLEY_ADMIN_PASSWORD=wrong " + parley_binary() + " admin --url http://127.0.0.1:" +
               std::to_string(server.port()) + " --user alice stats",
           status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("login failed"), std::string::npos) << out;
  out = sh(cli + "ban bob", status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"bob","password":"secret"})")), "4033");

  // Demoted: the next request is refused, whatever token.
  out = run_parley("admin demote alice " + store_args(), status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(http.get("/api/admin/stats", admin).status, 403);
}

TEST_P(Admin, BanKickResetAndRoleTakeEffectOnEveryNode) {
  std::string admin = make_admin("root");
  std::string bt = http.login("bob", "secret");
  Chat b1(server.next_port(), bt, std::int64_t(0)), b2(server.next_port(), bt, std::int64_t(0));

  auto ban = admin_post("/api/admin/users/bob/ban", "", admin);
  ASSERT_EQ(ban.status, 200) << ban.body;
  for (Chat* c : {&b1, &b2}) EXPECT_EQ(str(c->next_of("no").at("type")), "no");
  for (std::size_t i = 0; i < server.size(); ++i)
    EXPECT_EQ(Http{server.node(i).port()}.get("/api/user", bt).status, 401) << "node " << i;
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"bob","password":"secret"})")), "4033");
  // A wrong password is told as wrong: "banned" is not a way to probe accounts.
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"bob","password":"guess"})")), "4005");
  auto listed = http.get_json("/api/admin/users?q=bob", admin).at("users").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].at("banned").as_bool());

  ASSERT_EQ(admin_post("/api/admin/users/bob/unban", "", admin).status, 200);
  std::string bt2 = http.login("bob", "secret");
  EXPECT_EQ(http.get("/api/user", bt2).status, 200);

  // Reset: the old password and every token stop working.
  auto reset = admin_post("/api/admin/users/bob/password", R"({"password":"fresh-one"})", admin);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(http.get("/api/user", bt2).status, 401);
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"bob","password":"secret"})")), "4005");
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"bob","password":"fresh-one"})")), "2000");

  // Role: bob becomes an admin, then not.
  std::string bt3 = http.login("bob", "fresh-one");
  EXPECT_EQ(http.get("/api/admin/stats", bt3).status, 403);
  ASSERT_EQ(admin_post("/api/admin/users/bob/role", R"({"role":"admin"})", admin).status, 200);
  EXPECT_EQ(http.get("/api/admin/stats", bt3).status, 200);
  ASSERT_EQ(admin_post("/api/admin/users/bob/role", R"({"role":"user"})", admin).status, 200);
  EXPECT_EQ(http.get("/api/admin/stats", bt3).status, 403);

  // Create an account directly.
  auto made = admin_post("/api/admin/users", R"({"name":"eve","password":"eve-pass"})", admin);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(code_of(http.post("/api/login", R"({"name":"eve","password":"eve-pass"})")), "2000");
  EXPECT_EQ(admin_post("/api/admin/users", R"({"name":"eve","password":"eve-pass"})", admin).status,
            409);
}

TEST_P(Admin, HostileRequestsGetClearErrors) {
  std::string admin = make_admin("root");
  std::string user = http.login("mallory", "secret");
  // Not an admin: every endpoint refuses before looking at anything.
  for (const char* target : {"/api/admin/stats", "/api/admin/users", "/api/admin/invites"})
    EXPECT_EQ(http.get(target, user).status, 403) << target;
  for (const char* target : {"/api/admin/users/root/ban", "/api/admin/notice", "/api/admin/invites",
                             "/api/admin/users/root/password"})
    EXPECT_EQ(http.post(target, R"({"password":"x1x","content":"hi"})", user).status, 403)
        << target;
  EXPECT_EQ(del("/api/admin/users/root", user).status, 403);

  // Unknown names (path-like, NUL, huge) are 404 without side effects.
  for (const std::string& name : {std::string("nobody"), std::string("..%2F..%2Fetc"),
                                  std::string("a%00b"), std::string(300, 'x')}) {
    auto r = admin_post("/api/admin/users/" + name + "/ban", "", admin);
    EXPECT_EQ(r.status, 404) << name << " -> " << r.body;
  }
  EXPECT_EQ(admin_post("/api/admin/users/mallory/explode", "", admin).status, 404);
  EXPECT_EQ(admin_post("/api/admin/nothing", "", admin).status, 404);
  EXPECT_EQ(admin_post("/api/admin/users/root/ban", "", admin).status, 400) << "not on oneself";
  EXPECT_EQ(del("/api/admin/users/root", admin).status, 400);
  for (const char* body : {"", "[]", R"({"role":"god"})", R"({"role":1})"})
    EXPECT_EQ(admin_post("/api/admin/users/mallory/role", body, admin).status, 400) << body;
  for (const char* body : {"", R"({"password":"ab"})", R"({"password":["x"]})"})
    EXPECT_EQ(admin_post("/api/admin/users/mallory/password", body, admin).status, 400) << body;
  for (const char* body :
       {R"({"name":"~deleted-1","password":"secret"})", R"({"name":"","password":"secret"})",
        R"({"name":"x","password":1})", R"({"name":"ok","password":"secret","role":"root"})"})
    EXPECT_EQ(admin_post("/api/admin/users", body, admin).status, 400) << body;
  for (const char* q : {"?limit=0", "?limit=201", "?limit=abc", "?limit=-1"})
    EXPECT_EQ(http.get(std::string("/api/admin/users") + q, admin).status, 400) << q;
  for (const char* body : {R"({"uses":0})", R"({"uses":1001})", R"({"uses":"2"})",
                           R"({"expires_in":10})", R"({"expires_in":1e12})", "nope"})
    EXPECT_EQ(admin_post("/api/admin/invites", body, admin).status, 400) << body;
  EXPECT_EQ(del("/api/admin/invites/not-a-code", admin).status, 404);
  for (const std::string& body :
       {std::string(R"({"content":""})"), std::string(R"({"content":5})"),
        std::string(R"({"content":")") + std::string(2001, 'x') + "\"}",
        std::string(R"({"content":"a\u0007b"})"), std::string(R"({"content":"hi","to":7})")})
    EXPECT_EQ(admin_post("/api/admin/notice", body, admin).status, 400) << body.substr(0, 40);
  EXPECT_EQ(admin_post("/api/admin/notice", R"({"content":"hi","to":"nobody"})", admin).status,
            404);
  // mallory was not harmed by any of it.
  EXPECT_EQ(http.get("/api/user", user).status, 200);
}

TEST_P(Admin, SystemNoticesReachEveryoneOrOneUser) {
  std::string admin = make_admin("root");
  std::string bt = http.login("bob", "secret"), ct = http.login("carol", "secret");
  Chat bob(server.next_port(), bt, std::int64_t(0));
  Chat carol(server.next_port(), ct);  // the original's protocol: no seq
  auto all =
      admin_post("/api/admin/notice", R"({"content":"maintenance at 22:00\nback soon"})", admin);
  ASSERT_EQ(all.status, 200) << all.body;
  auto n = bob.next_of("notice");
  EXPECT_EQ(str(n.at("content")), "maintenance at 22:00\nback soon");
  EXPECT_EQ(str(n.at("from")), "system");
  auto classic = carol.next_of("normal");
  EXPECT_EQ(str(classic.at("content")), "maintenance at 22:00\nback soon");
  EXPECT_EQ(str(classic.at("from")), "系统通知");

  ASSERT_EQ(admin_post("/api/admin/notice", R"({"content":"only you","to":"bob"})", admin).status,
            200);
  EXPECT_EQ(str(bob.next_of("notice").at("content")), "only you");
  EXPECT_TRUE(carol.quiet());
}

INSTANTIATE_TEST_SUITE_P(Deployments, Admin,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
