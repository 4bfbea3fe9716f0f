// SPDX-License-Identifier: MIT
// An account's life through the real binary, on one node and on three on Redis: registration
// under each policy (open, invite codes, closed), a profile (display name, status line), and
// deletion by its owner — tokens and connections gone, the name reserved, what it sent kept in
// others' history as from a deleted account, never confused with a later user of the name.
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

std::string registration(const std::string& name, const std::string& invite = {}) {
  json::object o{{"name", name}, {"password", "secret"}};
  if (!invite.empty()) o["invite"] = invite;
  return json::serialize(o);
}

class Lifecycle : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  TempDir secrets;

  static std::string store_args(Deployment& d) {
    if (auto* r = d.redis()) return "--redis " + r->url();
    return "--data " + d.node(0).data_dir();
  }
  // `parley admin create-admin NAME` (password "secret"); on the embedded store the server
  // holds the data folder, so it is stopped around the command, as OPERATIONS.md says.
  std::string create_admin(Deployment& d, const std::string& name) {
    std::string file = secrets.path() + "/pw";
    FILE* f = std::fopen(file.c_str(), "w");
    std::fputs("secret\n", f);
    std::fclose(f);
    std::string cmd =
        "admin create-admin " + name + " --password-file " + file + " " + store_args(d);
    int status = 0;
    if (!d.redis()) {
      std::string refused = run_parley(cmd, status);
      EXPECT_NE(status, 0) << "beside a running server: " << refused;
      EXPECT_NE(refused.find("another parley process"), std::string::npos) << refused;
      EXPECT_EQ(d.stop(), 0);
    }
    std::string out = run_parley(cmd, status);
    EXPECT_EQ(status, 0) << out;
    if (!d.redis()) d.restart();
    auto r =
        Http{d.port()}.post_json("/api/login", R"({"name":")" + name + R"(","password":"secret"})");
    EXPECT_EQ(str(r.at("code")), "2000") << json::serialize(r);
    EXPECT_EQ(str(r.at("role")), "admin");
    return str(r.at("token"));
  }
  static std::string invite(Http& http, const std::string& admin, int uses) {
    auto r = http.post("/api/admin/invites",
                       R"({"uses":)" + std::to_string(uses) + R"(,"expires_in":3600})", admin);
    EXPECT_EQ(r.status, 200) << r.body;
    return str(json::parse(r.body).at("invite").at("code"));
  }
  // The deleted_name of the peer of `token`'s only one-to-one conversation.
  static std::string only_peer(Http& http, const std::string& token) {
    json::value list = http.get_json("/api/conversations", token);
    for (const auto& c : list.at("conversations").as_array())
      if (c.as_object().contains("with")) return str(c.at("with"));
    return {};
  }
};

TEST_P(Lifecycle, InviteOnlyRegistrationTakesAValidCodeAsOftenAsItAllows) {
  Deployment d{GetParam(), {"--registration", "invite"}};
  Http http{d.port()};
  EXPECT_EQ(str(http.get_json("/api/registration").at("registration")), "invite");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy"))), "4032");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy", "made-up"))), "4032");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy", std::string(100, 'a')))),
            "4032");
  std::string admin = create_admin(d, "root");

  std::string code = invite(http, admin, 2);
  // Used through different nodes: the count is the store's.
  EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/register", registration("amy", code))), "2000");
  // A taken name does not use the code up.
  EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/register", registration("amy", code))), "4000");
  EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/register", registration("ben", code))), "2000");
  EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/register", registration("cat", code))), "4032")
      << "a used-up code";
  auto listed = http.get_json("/api/admin/invites", admin).at("invites").as_array();
  for (const auto& i : listed) EXPECT_NE(str(i.at("code")), code) << "used up: no longer listed";
  EXPECT_EQ(code_of(http.post("/api/login", registration("ben"))), "2000");

  std::string revoked = invite(http, admin, 5);
  auto del = client::http_request("127.0.0.1", d.port(), "DELETE", "/api/admin/invites/" + revoked,
                                  {}, {{"w-token", admin}});
  EXPECT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(code_of(http.post("/api/register", registration("cat", revoked))), "4032");
}

TEST_P(Lifecycle, ClosedRegistrationLeavesAccountsToAdmins) {
  Deployment d{GetParam(), {"--registration", "closed"}};
  Http http{d.port()};
  EXPECT_EQ(str(http.get_json("/api/registration").at("registration")), "closed");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy"))), "4031");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy", "anything"))), "4031");
  std::string admin = create_admin(d, "root");
  EXPECT_EQ(code_of(http.post("/api/register", registration("amy"))), "4031");
  auto made = http.post("/api/admin/users", R"({"name":"amy","password":"secret"})", admin);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(code_of(http.post("/api/login", registration("amy"))), "2000");
}

TEST_P(Lifecycle, AProfileIsShownToOthersAndBadTextIsRefused) {
  Deployment d{GetParam()};
  Http http{d.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  auto set =
      http.post("/api/profile", R"({"display_name":"Alice 爱丽丝","status":"in a meeting"})", at);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(str(json::parse(set.body).at("profile").at("display_name")), "Alice 爱丽丝");
  // A partial update keeps the other field.
  ASSERT_EQ(http.post("/api/profile", R"({"status":"back"})", at).status, 200);
  auto me = http.get_json("/api/user", at);
  EXPECT_EQ(str(me.at("display_name")), "Alice 爱丽丝");
  EXPECT_EQ(str(me.at("status")), "back");
  EXPECT_EQ(str(me.at("role")), "user");
  // Seen by others, through any node.
  auto seen =
      Http{d.next_port()}.post("/api/profiles", R"({"names":["alice","nobody","bob"]})", bt);
  ASSERT_EQ(seen.status, 200) << seen.body;
  auto list = json::parse(seen.body).at("profiles").as_array();
  ASSERT_EQ(list.size(), 2u) << seen.body;
  EXPECT_EQ(str(list[0].at("name")), "alice");
  EXPECT_EQ(str(list[0].at("display_name")), "Alice 爱丽丝");
  EXPECT_EQ(str(list[0].at("status")), "back");
  EXPECT_EQ(str(list[1].at("display_name")), "");

  for (const std::string& body : std::vector<std::string>{
           "", "not json", "[]", "{}", R"({"display_name":5})", R"({"status":["x"]})",
           R"({"display_name":")" + std::string(33, 'x') + "\"}",
           R"({"status":")" + std::string(141, 'x') + "\"}",
           "{\"display_name\":\"ali\xE2\x80\x8B"
           "ce\"}",  // zero-width space
           "{\"display_name\":\"\xE2\x80\xAE"
           "ecila\"}",  // right-to-left override
           R"({"display_name":"a\u0001b"})", R"({"display_name":" alice"})",
           "{\"status\":\"\xFF\xFE\"}"}) {
    auto r = http.post("/api/profile", body, at);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(code_of(r), "4001") << body;
  }
  EXPECT_EQ(str(http.get_json("/api/user", at).at("display_name")), "Alice 爱丽丝");
  EXPECT_EQ(http.post("/api/profile", R"({"status":"x"})").status, 401);
  json::array many;
  for (int i = 0; i < 201; ++i) many.emplace_back("u" + std::to_string(i));
  EXPECT_EQ(http.post("/api/profiles", json::serialize(json::object{{"names", many}}), bt).status,
            400);
  EXPECT_EQ(http.post("/api/profiles", R"({"names":"alice"})", bt).status, 400);
}

TEST_P(Lifecycle, ADeletedAccountIsGoneButWhatItSentStays) {
  Deployment d{GetParam()};
  Http http{d.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  http.login("carol");
  Chat a(d.next_port(), at, std::int64_t(0));
  Chat b1(d.next_port(), bt, std::int64_t(0)), b2(d.next_port(), bt, std::int64_t(0));
  b1.send_message({"alice"}, "hello from bob", "c1");
  b1.next_of("ack");
  a.next_of("normal");
  a.send_message({"bob"}, "hi bob", "c2");
  a.next_of("ack");
  auto g = http.post("/api/groups", R"({"name":"team","members":["alice","carol"]})", bt);
  ASSERT_EQ(g.status, 200) << g.body;
  std::string gid = str(json::parse(g.body).at("group").at("id"));
  a.drain();

  // Bad input first: nothing happens.
  EXPECT_EQ(http.post("/api/account/delete", R"({"password":"guess"})", bt).status, 403);
  EXPECT_EQ(code_of(http.post("/api/account/delete", R"({"password":"guess"})", bt)), "4005");
  for (const char* body : {"", "[]", R"({"password":5})", R"({})"})
    EXPECT_EQ(http.post("/api/account/delete", body, bt).status, 400) << body;
  EXPECT_EQ(http.post("/api/account/delete", R"({"password":"secret"})").status, 401);
  EXPECT_EQ(http.get("/api/user", bt).status, 200);

  auto del = http.post("/api/account/delete", R"({"password":"secret"})", bt);
  ASSERT_EQ(del.status, 200) << del.body;
  for (Chat* c : {&b1, &b2}) EXPECT_EQ(str(c->next_of("no").at("type")), "no");
  for (std::size_t i = 0; i < d.size(); ++i)
    EXPECT_EQ(Http{d.node(i).port()}.get("/api/user", bt).status, 401) << "node " << i;
  EXPECT_EQ(http.post("/api/account/delete", R"({"password":"secret"})", bt).status, 401)
      << "deleting twice";
  EXPECT_EQ(code_of(http.post("/api/login", registration("bob"))), "4003");
  EXPECT_EQ(code_of(http.post("/api/register", registration("bob"))), "4000") << "reserved";
  EXPECT_EQ(code_of(http.post("/api/register", registration("~deleted-1"))), "4001");

  // The group: bob left it (an event for the members), ownership passed on.
  auto left = a.next_of("group");
  EXPECT_EQ(str(left.at("event")), "left");
  auto group = http.get_json("/api/groups/" + gid, at).at("group");
  EXPECT_NE(str(group.at("owner")), "bob");
  for (const auto& m : group.at("members").as_array()) EXPECT_NE(str(m), "bob");

  // alice's history keeps both messages, bob's as from a deleted account.
  std::string tomb = only_peer(http, at);
  ASSERT_EQ(tomb.rfind("~deleted-", 0), 0u) << tomb;
  EXPECT_EQ(http.get("/api/history?with=bob", at).status, 404);
  auto h = http.get_json("/api/history?with=" + tomb, at).at("messages").as_array();
  ASSERT_EQ(h.size(), 2u) << json::serialize(h);
  EXPECT_EQ(str(h[0].at("from")), tomb);
  EXPECT_EQ(str(h[0].at("content")), "hello from bob");
  EXPECT_EQ(str(h[1].at("from")), "alice");
  EXPECT_EQ(str(h[1].at("to").as_array()[0]), tomb);
  auto p = http.post("/api/profiles", json::serialize(json::object{{"names", {tomb}}}), at);
  EXPECT_TRUE(json::parse(p.body).at("profiles").as_array().at(0).at("deleted").as_bool())
      << p.body;
  // Nobody can write to it.
  a.send_message({tomb}, "still there?", "c3");
  EXPECT_EQ(str(a.next_of("error").at("code")), "no_recipients");
}

TEST_P(Lifecycle, ANameFreedAfterItsReservationIsANewPerson) {
  Deployment d{GetParam(), {"--deleted-name-reserve-days", "0"}};
  Http http{d.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat b(d.next_port(), bt, std::int64_t(0));
  b.send_message({"alice"}, "old bob", "c1");
  b.next_of("ack");
  ASSERT_EQ(http.post("/api/account/delete", R"({"password":"secret"})", bt).status, 200);
  std::string tomb = only_peer(http, at);
  ASSERT_EQ(tomb.rfind("~deleted-", 0), 0u) << tomb;

  std::string nbt = http.login("bob", "another");  // registers the name again
  Chat nb(d.next_port(), nbt, std::int64_t(0));
  EXPECT_EQ(nb.ok.at("seq").as_int64(), 0) << "a new inbox";
  nb.send_message({"alice"}, "new bob", "c2");
  nb.next_of("ack");
  auto with_new = http.get_json("/api/history?with=bob", at).at("messages").as_array();
  ASSERT_EQ(with_new.size(), 1u) << json::serialize(with_new);
  EXPECT_EQ(str(with_new[0].at("content")), "new bob");
  auto with_old = http.get_json("/api/history?with=" + tomb, at).at("messages").as_array();
  ASSERT_EQ(with_old.size(), 1u) << json::serialize(with_old);
  EXPECT_EQ(str(with_old[0].at("from")), tomb);
  EXPECT_EQ(str(with_old[0].at("content")), "old bob");
  // Resume of alice's inbox from the start: the old message is not from the new bob either.
  Chat a(d.next_port(), at, std::int64_t(0));
  auto first = a.next_of("normal");
  EXPECT_EQ(str(first.at("from")), tomb);
  EXPECT_EQ(str(a.next_of("normal").at("from")), "bob");
}

INSTANTIATE_TEST_SUITE_P(Deployments, Lifecycle,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
