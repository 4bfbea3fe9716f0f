// SPDX-License-Identifier: MIT
// Groups through the real binary, on one node and on three nodes sharing one Redis: the HTTP
// endpoints (with hostile input), group sends with acks and multi-device copies, membership
// events in order with the messages (live and on resume), removal, classic clients, history and
// the conversation list.
#include <gtest/gtest.h>

#include <set>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

class Groups : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  Deployment server{GetParam(), {"--max-group-members", "6"}};
  Http http{server.port()};
  std::uint16_t port() { return server.next_port(); }

  client::HttpResult call(const std::string& method, const std::string& target,
                          const std::string& body, const std::string& token) {
    std::map<std::string, std::string> h;
    if (!token.empty()) h["w-token"] = token;
    return client::http_request("127.0.0.1", server.port(), method, target, body, h);
  }
  json::object ok_json(const client::HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    auto v = json::parse(r.body);
    EXPECT_EQ(str(v.at("code")), "2000") << r.body;
    return v.as_object();
  }
  // Creates a group and returns its id.
  std::string create(const std::string& token, const std::string& name,
                     const std::vector<std::string>& members) {
    json::array m;
    for (const auto& n : members) m.emplace_back(n);
    auto r = ok_json(call("POST", "/api/groups",
                          json::serialize(json::object{{"name", name}, {"members", m}}), token));
    return str(r.at("group").at("id"));
  }
  void send_group(Chat& c, const std::string& group, const std::string& text,
                  const std::string& cid = {}) {
    json::object f{{"type", "normal"}, {"content", text}, {"group", group}};
    if (!cid.empty()) f["cid"] = cid;
    c.send(f);
  }
  static std::set<std::string> names(const json::value& arr) {
    std::set<std::string> out;
    for (const auto& n : arr.as_array()) out.insert(str(n));
    return out;
  }
};

TEST_P(Groups, CreateAndSendReachEveryDeviceOfEveryMember) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  http.login("dave");
  Chat alice(port(), at, 0), alice2(port(), at, 0), bob(port(), bt, 0), carol(port(), ct, 0);
  Chat dave(port(), http.login("dave"), 0);
  auto created = ok_json(
      call("POST", "/api/groups", R"({"name":"  项目组 ","members":["bob","carol","bob"]})", at));
  const auto& g = created.at("group");
  std::string id = str(g.at("id"));
  EXPECT_EQ(str(g.at("name")), "项目组");
  EXPECT_EQ(str(g.at("owner")), "alice");
  EXPECT_EQ(names(g.at("members")), (std::set<std::string>{"alice", "bob", "carol"}));
  EXPECT_TRUE(g.at("admins").as_array().empty());
  for (Chat* c : {&alice, &alice2, &bob, &carol}) {
    auto ev = c->next_of("group");
    EXPECT_EQ(str(ev.at("event")), "created");
    EXPECT_EQ(str(ev.at("by")), "alice");
    EXPECT_EQ(str(ev.at("group").at("id")), id);
    EXPECT_GT(ev.at("seq").as_int64(), 0);
  }
  EXPECT_TRUE(dave.quiet());

  send_group(alice, id, "大家好", "g-1");
  auto ack = alice.next_of("ack");
  EXPECT_EQ(str(ack.at("cid")), "g-1");
  EXPECT_EQ(str(ack.at("group")), id);
  for (Chat* c : {&bob, &carol}) {
    auto m = c->next_of("normal");
    EXPECT_EQ(str(m.at("content")), "大家好");
    EXPECT_EQ(str(m.at("from")), "alice");
    EXPECT_EQ(str(m.at("group")), id);
    EXPECT_TRUE(m.at("to").as_array().empty());
    EXPECT_EQ(m.at("id").as_int64(), ack.at("id").as_int64());
  }
  auto copy = alice2.next_of("normal");
  EXPECT_EQ(str(copy.at("cid")), "g-1");
  EXPECT_EQ(str(copy.at("group")), id);
  EXPECT_TRUE(dave.quiet());
  EXPECT_TRUE(alice.quiet());  // the sender's own connection gets the ack only

  // Retried cid: one message, the same ack.
  send_group(alice, id, "大家好", "g-1");
  EXPECT_EQ(alice.next_of("ack").at("id").as_int64(), ack.at("id").as_int64());
  EXPECT_TRUE(bob.quiet());

  // Many messages from two senders: every member ends with the same history, in one order.
  for (int i = 0; i < 20; ++i) {
    send_group(i % 2 ? bob : carol, id, "m" + std::to_string(i));
  }
  std::vector<std::int64_t> seen_by_alice, seen_by_bob;
  for (int i = 0; i < 20; ++i) seen_by_alice.push_back(alice.next_of("normal").at("id").as_int64());
  for (int i = 0; i < 10; ++i) seen_by_bob.push_back(bob.next_of("normal").at("id").as_int64());
  auto hist = [&](const std::string& token) {
    auto h = ok_json(call("GET", "/api/history?group=" + id + "&limit=200", {}, token));
    std::vector<std::int64_t> ids;
    for (const auto& m : h.at("messages").as_array()) ids.push_back(m.at("id").as_int64());
    return ids;
  };
  auto ha = hist(at), hb = hist(bt), hc = hist(ct);
  EXPECT_EQ(ha.size(), 22u);  // created + hello + 20
  EXPECT_EQ(ha, hb);
  EXPECT_EQ(ha, hc);
  EXPECT_TRUE(std::is_sorted(ha.begin(), ha.end()));
  if (GetParam() == Deployment::Mode::kSingle) {
    EXPECT_TRUE(std::is_sorted(seen_by_alice.begin(), seen_by_alice.end()))
        << "one node delivers in commit order";
  }
}

TEST_P(Groups, MembershipChangesAreEventsAndARemovedMemberGetsNothingMore) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  Chat alice(port(), at, 0), bob(port(), bt, 0), carol(port(), ct, 0);
  std::string id = create(at, "team", {"bob", "carol"});
  for (Chat* c : {&alice, &bob, &carol}) c->next_of("group");

  // Only the owner makes admins; admins add and rename.
  EXPECT_EQ(call("POST", "/api/groups/" + id + "/admins", R"({"add":["carol"]})", bt).status, 403);
  ok_json(call("POST", "/api/groups/" + id + "/admins", R"({"add":["bob"]})", at));
  for (Chat* c : {&alice, &bob, &carol}) {
    auto ev = c->next_of("group");
    EXPECT_EQ(str(ev.at("event")), "admin_added");
    EXPECT_EQ(names(ev.at("names")), std::set<std::string>{"bob"});
    EXPECT_EQ(names(ev.at("group").at("admins")), std::set<std::string>{"bob"});
  }
  auto renamed = ok_json(call("POST", "/api/groups/" + id, R"({"name":"new name"})", bt));
  EXPECT_EQ(str(renamed.at("group").at("name")), "new name");
  EXPECT_EQ(str(carol.next_of("group").at("event")), "renamed");
  EXPECT_EQ(call("POST", "/api/groups/" + id, R"({"name":"mine"})", ct).status, 403);

  // Carol is removed: she hears of it, then nothing; her reads are refused.
  ok_json(call("POST", "/api/groups/" + id + "/members", R"({"remove":["carol"]})", bt));
  auto removed = carol.next_of("group");
  EXPECT_EQ(str(removed.at("event")), "removed");
  EXPECT_EQ(str(removed.at("by")), "bob");
  EXPECT_EQ(names(removed.at("names")), std::set<std::string>{"carol"});
  EXPECT_EQ(names(removed.at("group").at("members")), (std::set<std::string>{"alice", "bob"}));
  send_group(alice, id, "after carol", "a-1");
  alice.next_of("ack");
  EXPECT_EQ(str(bob.next_of("normal").at("content")), "after carol");
  EXPECT_TRUE(carol.quiet());
  auto h = call("GET", "/api/history?group=" + id, {}, ct);
  EXPECT_EQ(h.status, 403);
  EXPECT_EQ(str(json::parse(h.body).at("code")), "4030");
  auto g = call("GET", "/api/groups/" + id, {}, ct);
  EXPECT_EQ(g.status, 403);
  send_group(carol, id, "let me back", "c-1");
  auto err = carol.next_of("error");
  EXPECT_EQ(str(err.at("code")), "not_a_member");
  EXPECT_EQ(str(err.at("cid")), "c-1");
  EXPECT_TRUE(bob.quiet());
  auto mine = ok_json(call("GET", "/api/groups", {}, ct));
  EXPECT_TRUE(mine.at("groups").as_array().empty());

  // The owner leaves: bob (admin) owns it; then bob deletes it.
  ok_json(call("POST", "/api/groups/" + id + "/members", R"({"remove":["alice"]})", at));
  auto left = bob.next_of("group");
  EXPECT_EQ(str(left.at("event")), "left");
  EXPECT_EQ(str(left.at("group").at("owner")), "bob");
  EXPECT_EQ(str(alice.next_of("group").at("event")), "left");
  ok_json(call("DELETE", "/api/groups/" + id, {}, bt));
  EXPECT_EQ(str(bob.next_of("group").at("event")), "deleted");
  EXPECT_EQ(call("GET", "/api/groups/" + id, {}, bt).status, 404);
}

TEST_P(Groups, OfflineMembersCatchUpByResumeAndClassicClientsGetPlainMessages) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  http.login("dave");
  std::string id = create(at, "team", {"bob", "carol"});
  std::int64_t bob_seq = 0;
  {
    Chat bob(port(), bt, 0);
    bob_seq = bob.next_of("group").at("seq").as_int64();
  }
  {
    Chat alice(port(), at, 0);
    send_group(alice, id, "one", "o-1");
    alice.next_of("ack");
    ok_json(call("POST", "/api/groups/" + id + "/members", R"({"add":["dave"]})", at));
    send_group(alice, id, "two", "o-2");
    alice.next_of("ack");
  }
  Chat bob(port(), bt, bob_seq);
  auto m1 = bob.next();
  EXPECT_EQ(str(m1.at("content")), "one");
  auto ev = bob.next();
  EXPECT_EQ(str(ev.at("type")), "group");
  EXPECT_EQ(str(ev.at("event")), "added");
  EXPECT_EQ(names(ev.at("names")), std::set<std::string>{"dave"});
  auto m2 = bob.next();
  EXPECT_EQ(str(m2.at("content")), "two");
  EXPECT_EQ(m2.at("seq").as_int64(), ev.at("seq").as_int64() + 1);
  EXPECT_TRUE(bob.quiet());

  // Carol logs in like the original page (no seq): plain normal frames, no group events.
  Chat carol(port(), ct);
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    auto m = carol.next();
    EXPECT_EQ(str(m.at("type")), "normal");
    EXPECT_EQ(str(m.at("from")), "alice");
    got.push_back(str(m.at("content")));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(carol.quiet());
  // Live too: a message and an event; the classic client sees the message only.
  Chat alice(port(), at, 0);
  ok_json(call("POST", "/api/groups/" + id, R"({"name":"renamed"})", at));
  send_group(alice, id, "three");
  auto m3 = carol.next();
  EXPECT_EQ(str(m3.at("type")), "normal");
  EXPECT_EQ(str(m3.at("content")), "three");
  EXPECT_TRUE(carol.quiet());

  // Dave joined after "one": his history starts at his joining.
  auto dh = ok_json(call("GET", "/api/history?group=" + id, {}, http.login("dave")));
  const auto& items = dh.at("messages").as_array();
  ASSERT_EQ(items.size(), 4u);  // added, two, renamed, three
  EXPECT_EQ(str(items[0].at("event")), "added");
  EXPECT_FALSE(items[0].as_object().contains("content"));
  EXPECT_EQ(str(items[1].at("content")), "two");
  EXPECT_EQ(str(items[1].at("group")), id);
  // And the conversation list shows the group by name.
  auto convs = ok_json(call("GET", "/api/conversations", {}, bt));
  const auto& list = convs.at("conversations").as_array();
  ASSERT_GE(list.size(), 1u);
  EXPECT_EQ(str(list[0].at("group")), id);
  EXPECT_EQ(str(list[0].at("name")), "renamed");
  EXPECT_EQ(str(list[0].at("last").at("content")), "three");
}

TEST_P(Groups, HistoryPagesBackwards) {
  std::string at = http.login("alice");
  http.login("bob");
  std::string id = create(at, "team", {"bob"});
  Chat alice(port(), at, 0);
  for (int i = 0; i < 7; ++i)
    send_group(alice, id, "h" + std::to_string(i), "h" + std::to_string(i));
  for (int i = 0; i < 7; ++i) alice.next_of("ack");
  auto page = ok_json(call("GET", "/api/history?group=" + id + "&limit=3", {}, at));
  const auto& msgs = page.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(str(msgs[2].at("content")), "h6");
  EXPECT_TRUE(page.at("more").as_bool());
  auto older = ok_json(call("GET",
                            "/api/history?group=" + id +
                                "&limit=10&before=" + std::to_string(msgs[0].at("id").as_int64()),
                            {}, at));
  EXPECT_EQ(older.at("messages").as_array().size(), 5u);  // created + h0..h3
  EXPECT_FALSE(older.at("more").as_bool());
}

TEST_P(Groups, BadInputGetsAClearErrorAndChangesNothing) {
  std::string at = http.login("alice"), bt = http.login("bob");
  http.login("carol");
  auto expect = [&](const client::HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    auto v = json::parse(r.body);
    EXPECT_EQ(str(v.at("code")), code) << r.body;
  };
  expect(call("POST", "/api/groups", R"({"name":"x","members":["bob"]})", ""), 401, "4010");
  expect(call("POST", "/api/groups", R"({"name":"x","members":["bob","ghost"]})", at), 400, "4001");
  auto unknown =
      json::parse(call("POST", "/api/groups", R"({"name":"x","members":["ghost"]})", at).body);
  EXPECT_EQ(names(unknown.at("unknown")), std::set<std::string>{"ghost"});
  EXPECT_TRUE(ok_json(call("GET", "/api/groups", {}, at)).at("groups").as_array().empty())
      << "nothing was created";
  for (const char* body :
       {"not json", "[]", R"({"name":5,"members":["bob"]})", R"({"name":"x","members":"bob"})",
        R"({"name":"x","members":[1,2]})", R"({"name":"","members":[]})",
        R"({"name":"\u0001bell","members":[]})", R"({"members":["bob"]})"})
    expect(call("POST", "/api/groups", body, at), 400, "4001");
  expect(call("POST", "/api/groups",
              json::serialize(
                  json::object{{"name", std::string(65, 'n')}, {"members", json::array{}}}),
              at),
         400, "4001");
  // Past the member cap (6 here): refused before anything is looked up.
  expect(call("POST", "/api/groups", R"({"name":"big","members":["a1","a2","a3","a4","a5","a6"]})",
              at),
         400, "4013");
  json::array many;
  for (int i = 0; i < 10001; ++i) many.emplace_back("user" + std::to_string(i));
  auto huge = call("POST", "/api/groups",
                   json::serialize(json::object{{"name", "huge"}, {"members", many}}), at);
  EXPECT_TRUE(huge.status == 400 || huge.status == 413) << huge.status;

  std::string id = create(at, "team", {"bob"});
  for (const char* path : {"/api/groups/abc", "/api/groups/../../etc/passwd", "/api/groups/-1",
                           "/api/groups/99999999999999999999", "/api/groups/424242"})
    expect(call("GET", path, {}, at), 404, "4040");
  expect(call("GET", "/api/groups/" + id, {}, http.login("carol")), 403, "4030");
  expect(call("GET", "/api/history?group=abc", {}, at), 404, "4040");
  expect(call("GET", "/api/history?group=" + id + "&with=bob", {}, at), 400, "4001");
  expect(call("POST", "/api/groups/" + id + "/members", R"({"add":["ghost"]})", at), 400, "4001");
  expect(call("POST", "/api/groups/" + id + "/members", R"({"add":["bob"]})", at), 400, "4001");
  expect(call("POST", "/api/groups/" + id + "/members", R"({"add":"bob"})", at), 400, "4001");
  expect(
      call("POST", "/api/groups/" + id + "/members", R"({"add":["carol"],"remove":["bob"]})", at),
      400, "4001");
  expect(call("POST", "/api/groups/" + id + "/members", R"({"add":["carol"]})", bt), 403, "4030");
  expect(call("POST", "/api/groups/" + id + "/members", R"({"remove":["alice"]})", bt), 403,
         "4030");
  expect(call("DELETE", "/api/groups/" + id, {}, bt), 403, "4030");
  expect(call("POST", "/api/groups/" + id + "/owners", R"({"add":["bob"]})", at), 404, "4001");
  auto g = ok_json(call("GET", "/api/groups/" + id, {}, bt));
  EXPECT_EQ(names(g.at("group").at("members")), (std::set<std::string>{"alice", "bob"}));

  // Frames: bad group ids, someone else's group, a group and names at once.
  Chat carol(port(), http.login("carol"), 0);
  auto frame_error = [&](const std::string& text) {
    carol.send_raw_text(text);
    return str(carol.next_of("error").at("code"));
  };
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":"abc"})"), "bad_frame");
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":[1]})"), "bad_frame");
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":-4})"), "bad_frame");
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":"1","to":["bob"]})"),
            "bad_frame");
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":")" + id + R"("})"),
            "not_a_member");
  EXPECT_EQ(frame_error(R"({"type":"normal","content":"x","group":"77777"})"), "not_a_member");
  EXPECT_EQ(
      ok_json(call("GET", "/api/history?group=" + id, {}, at)).at("messages").as_array().size(), 1u)
      << "nothing stored";
}

INSTANTIATE_TEST_SUITE_P(Deployments, Groups,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
