// SPDX-License-Identifier: MIT
// Conversation state through the real binary, on one node and on three nodes sharing one Redis:
// read markers (to the peer and the reader's other devices, unread counts in the conversation
// list), typing (live only, throttled), recall and edit (every device, history, offline and
// classic clients), replies, and hostile input for every new frame.
#include <gtest/gtest.h>

#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

class ConversationState : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  // A short recall window so that "too late" can be shown; edits keep the default 15 minutes.
  Deployment server{GetParam(), {"--recall-window", "2"}};
  Http http{server.port()};
  std::uint16_t port() { return server.next_port(); }

  json::object get(const std::string& target, const std::string& token) {
    auto r = http.get(target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body).as_object();
  }
  // The conversation with `peer` (or group `group`) in `token`'s list.
  json::object conversation(const std::string& token, const std::string& peer,
                            const std::string& group = {}) {
    auto list = get("/api/conversations", token);
    for (const auto& c : list.at("conversations").as_array()) {
      const auto& o = c.as_object();
      if (!group.empty() ? o.contains("group") && str(o.at("group")) == group
                         : o.contains("with") && str(o.at("with")) == peer)
        return o;
    }
    ADD_FAILURE() << "no conversation " << peer << group;
    return {};
  }
  std::vector<json::object> history(const std::string& token, const std::string& query) {
    std::vector<json::object> out;
    auto page = get("/api/history?" + query, token);  // kept alive through the loop
    for (const auto& m : page.at("messages").as_array())
      out.push_back(m.as_object());
    return out;
  }
  // Sends and waits for the ack; returns the message id.
  std::int64_t say(Chat& c, const std::string& to, const std::string& text,
                   const std::string& cid) {
    c.send_message({to}, text, cid);
    auto ack = c.next_of("ack");
    EXPECT_EQ(str(ack.at("cid")), cid);
    return ack.at("id").as_int64();
  }
  std::string error_code(Chat& c, const std::string& frame) {
    c.send_raw_text(frame);
    return str(c.next_of("error").at("code"));
  }
  std::string create_group(const std::string& token, const std::string& members) {
    auto r = http.post("/api/groups", R"({"name":"team","members":)" + members + "}", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return str(json::parse(r.body).at("group").at("id"));
  }
};

TEST_P(ConversationState, ReadMarkersReachThePeerAndTheReadersOtherDevices) {
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat alice(port(), at, 0), bob(port(), bt, 0), bob2(port(), bt, 0);
  Chat alice_classic(port(), at);  // the original's page: no read frames
  std::int64_t m1 = say(alice, "bob", "one", "c1");
  std::int64_t m2 = say(alice, "bob", "two", "c2");
  for (Chat* c : {&bob, &bob2}) c->next_of("normal"), c->next_of("normal");
  EXPECT_EQ(conversation(bt, "alice").at("unread").as_int64(), 2);
  EXPECT_EQ(conversation(at, "bob").at("unread").as_int64(), 0) << "her own messages";

  bob.send(json::object{{"type", "read"}, {"with", "alice"}, {"upto", m1}});
  for (Chat* c : {&alice, &bob2}) {
    auto r = c->next_of("read");
    EXPECT_EQ(str(r.at("from")), "bob");
    EXPECT_EQ(str(r.at("with")), "alice");
    EXPECT_EQ(r.at("upto").as_int64(), m1);
    EXPECT_FALSE(r.contains("seq")) << "not an inbox entry";
  }
  // Every device of bob sees the same count (it comes from the server).
  EXPECT_EQ(conversation(bt, "alice").at("unread").as_int64(), 1);
  EXPECT_EQ(conversation(bt, "alice").at("read_upto").as_int64(), m1);

  // Markers only rise: a lower one changes nothing and tells no one.
  bob2.send(json::object{{"type", "read"}, {"with", "alice"}, {"upto", m1}});
  bob2.send(json::object{{"type", "read"}, {"with", "alice"}, {"upto", m2}});
  auto r2 = alice.next_of("read");
  EXPECT_EQ(r2.at("upto").as_int64(), m2) << "the repeated m1 was not forwarded";
  EXPECT_EQ(bob.next_of("read").at("upto").as_int64(), m2);
  EXPECT_EQ(conversation(bt, "alice").at("unread").as_int64(), 0);
  EXPECT_TRUE(bob2.drain_of("read").empty()) << "the reading connection hears nothing back";
  EXPECT_TRUE(alice_classic.drain_of("read").empty()) << "classic clients get no read frames";

  // Durable: after a restart of every node the marker is still there.
  server.restart();
  Http again{server.port()};
  std::string bt2 = again.login("bob");
  auto list = json::parse(again.get("/api/conversations", bt2).body);
  EXPECT_EQ(list.at("conversations").at(0).at("read_upto").as_int64(), m2);
  EXPECT_EQ(list.at("conversations").at(0).at("unread").as_int64(), 0);
}

TEST_P(ConversationState, GroupReadsGoToTheReadersDevicesAndAreFetchedByMembers) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  std::string g = create_group(at, R"(["bob","carol"])");
  Chat alice(port(), at, 0), bob(port(), bt, 0), bob2(port(), bt, 0), carol(port(), ct, 0);
  alice.send(json::object{{"type", "normal"}, {"content", "hi all"}, {"group", g}, {"cid", "g1"}});
  std::int64_t id = alice.next_of("ack").at("id").as_int64();
  EXPECT_GE(conversation(bt, "", g).at("unread").as_int64(), 1);
  bob.send(json::object{{"type", "read"}, {"group", g}, {"upto", id}});
  auto r = bob2.next_of("read");
  EXPECT_EQ(str(r.at("group")), g);
  EXPECT_EQ(r.at("upto").as_int64(), id);
  EXPECT_TRUE(alice.quiet()) << "group reads are fetched, not pushed to every member";
  EXPECT_EQ(conversation(bt, "", g).at("unread").as_int64(), 0);
  auto reads = get("/api/groups/" + g + "/reads", ct);
  bool found = false;
  for (const auto& m : reads.at("reads").as_array())
    if (str(m.at("name")) == "bob") found = m.at("upto").as_int64() == id;
  EXPECT_TRUE(found) << json::serialize(reads);
  // Someone outside the group can neither read it nor see its markers.
  std::string dt = http.login("dave");
  Chat dave(port(), dt, 0);
  EXPECT_EQ(error_code(dave, R"({"type":"read","group":")" + g + R"(","upto":1})"), "not_a_member");
  EXPECT_EQ(http.get("/api/groups/" + g + "/reads", dt).status, 403);
}

TEST_P(ConversationState, TypingIsLiveOnlyAndForwardedAboutOncePerTwoSeconds) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  std::string g = create_group(at, R"(["bob","carol"])");
  Chat alice(port(), at, 0), alice2(port(), at, 0), bob(port(), bt, 0), carol(port(), ct, 0);
  Chat alice_classic(port(), at);
  for (int i = 0; i < 5; ++i)
    bob.send(json::object{{"type", "typing"}, {"to", json::array{"alice"}}});
  for (Chat* c : {&alice, &alice2}) {
    auto t = c->next_of("typing");
    EXPECT_EQ(str(t.at("from")), "bob");
    EXPECT_EQ(t.at("to").as_array().at(0).as_string(), "alice");
  }
  EXPECT_TRUE(alice.drain_of("typing", 500ms).empty()) << "four of five dropped by the throttle";
  EXPECT_TRUE(alice_classic.drain_of("typing", 10ms).empty());
  EXPECT_TRUE(bob.drain_of("typing", 10ms).empty()) << "the typist's own device hears nothing";
  std::this_thread::sleep_for(2100ms);
  bob.send(json::object{{"type", "typing"}, {"with", "alice"}});
  EXPECT_EQ(str(alice.next_of("typing").at("from")), "bob") << "allowed again after 2 s";

  // In a group: every other member.
  carol.send(json::object{{"type", "typing"}, {"group", g}});
  for (Chat* c : {&alice, &bob}) {
    auto t = c->next_of("typing");
    EXPECT_EQ(str(t.at("from")), "carol");
    EXPECT_EQ(str(t.at("group")), g);
  }
  EXPECT_TRUE(carol.drain_of("typing").empty());
  // Never stored: a device resuming from 0 finds only the group's creation.
  Chat fresh(port(), at, 0);
  EXPECT_EQ(str(fresh.next().at("type")), "group");
  EXPECT_TRUE(fresh.quiet());

  EXPECT_EQ(error_code(bob, R"({"type":"typing","to":["nobody-here"]})"), "not_found");
  EXPECT_EQ(error_code(bob, R"({"type":"typing","to":["bob"]})"), "not_found") << "to oneself";
  EXPECT_EQ(error_code(bob, R"({"type":"typing","group":"424242"})"), "not_a_member");
  EXPECT_EQ(error_code(bob, R"({"type":"typing"})"), "bad_frame");
  EXPECT_EQ(error_code(bob, R"({"type":"typing","to":["a","b"]})"), "bad_frame");
  EXPECT_EQ(error_code(bob, R"({"type":"typing","to":[5]})"), "bad_frame");
  EXPECT_EQ(error_code(bob, R"({"type":"typing","group":{"id":1}})"), "bad_frame");
}

TEST_P(ConversationState, RecallDeletesTheTextForEveryDeviceAndOfflineReaders) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  Chat alice(port(), at, 0), alice2(port(), at, 0), bob(port(), bt, 0);
  Chat bob_classic(port(), bt);
  alice.send(json::object{{"type", "normal"},
                          {"content", "wrong chat!"},
                          {"to", json::array{"bob", "carol"}},
                          {"cid", "oops"}});
  std::int64_t id = alice.next_of("ack").at("id").as_int64();
  bob.next_of("normal");
  bob_classic.next_of("normal");
  alice2.next_of("normal");

  alice.send(json::object{{"type", "recall"}, {"id", id}});
  for (Chat* c : {&alice, &alice2, &bob}) {
    auto r = c->next_of("recall");
    EXPECT_EQ(r.at("id").as_int64(), id);
    EXPECT_EQ(str(r.at("from")), "alice");
    EXPECT_GT(r.at("seq").as_int64(), 0);
    EXPECT_FALSE(r.contains("content"));
  }
  EXPECT_TRUE(bob_classic.quiet()) << "classic clients see nothing of a recall";
  for (const std::string& t : {at, bt}) {
    auto h = history(t, std::string("with=") + (t == at ? "bob" : "alice"));
    ASSERT_EQ(h.size(), 1u);
    EXPECT_TRUE(h[0].at("recalled").as_bool());
    EXPECT_FALSE(h[0].contains("content"));
  }
  // Carol was offline. Logging in like the original page, she gets nothing of it at all;
  // resuming, a placeholder and the recall: never the text.
  {
    Chat carol_classic(port(), ct);
    EXPECT_TRUE(carol_classic.quiet());
  }
  Chat carol(port(), ct, 0);
  auto placeholder = carol.next();
  EXPECT_EQ(str(placeholder.at("type")), "normal");
  EXPECT_TRUE(placeholder.at("recalled").as_bool());
  EXPECT_FALSE(placeholder.contains("content"));
  EXPECT_EQ(str(carol.next().at("type")), "recall");

  // Refusals: twice, someone else's, unknown, not visible to the caller, wrong types.
  EXPECT_EQ(error_code(alice, R"({"type":"recall","id":)" + std::to_string(id) + "}"), "recalled");
  std::int64_t mine = say(alice, "bob", "keep this", "k1");
  EXPECT_EQ(error_code(bob, R"({"type":"recall","id":)" + std::to_string(mine) + "}"), "not_yours");
  EXPECT_EQ(error_code(bob, R"({"type":"recall","id":99999999})"), "not_found");
  std::int64_t to_carol = say(alice, "carol", "private", "p1");
  EXPECT_EQ(error_code(bob, R"({"type":"recall","id":)" + std::to_string(to_carol) + "}"),
            "not_found")
      << "a message bob never had is not his to know about";
  EXPECT_EQ(error_code(alice, R"({"type":"recall","id":"12"})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"recall","id":-3})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"recall"})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"recall","id":1e300})"), "bad_frame");
  // Past the window (2 s here): refused, the message stays.
  std::this_thread::sleep_for(2200ms);
  EXPECT_EQ(error_code(alice, R"({"type":"recall","id":)" + std::to_string(mine) + "}"),
            "too_late");
  auto h = history(bt, "with=alice");
  EXPECT_EQ(str(h.back().at("content")), "keep this");
  Chat stranger(port());
  EXPECT_EQ(error_code(stranger, R"({"type":"recall","id":1})"), "not_authenticated");
}

TEST_P(ConversationState, EditReachesEveryDeviceAndHistoryShowsTheLatestText) {
  std::string at = http.login("alice"), bt = http.login("bob");
  Chat alice(port(), at, 0), alice2(port(), at, 0), bob(port(), bt, 0);
  Chat bob_classic(port(), bt);
  std::int64_t id = say(alice, "bob", "teh typo", "e1");
  bob.next_of("normal");
  bob_classic.next_of("normal");
  alice.send(json::object{{"type", "edit"}, {"id", id}, {"content", "the typo ✓"}});
  for (Chat* c : {&alice, &alice2, &bob}) {
    auto e = c->next_of("edit");
    EXPECT_EQ(e.at("id").as_int64(), id);
    EXPECT_EQ(str(e.at("content")), "the typo ✓");
    EXPECT_EQ(str(e.at("from")), "alice");
  }
  EXPECT_TRUE(bob_classic.quiet());
  auto h = history(bt, "with=alice");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(str(h[0].at("content")), "the typo ✓");
  EXPECT_TRUE(h[0].at("edited").as_bool());
  // A device resuming from 0 gets the latest text, marked edited, then the edit entry.
  Chat late(port(), bt, 0);
  auto m = late.next();
  EXPECT_EQ(str(m.at("content")), "the typo ✓");
  EXPECT_TRUE(m.at("edited").as_bool());
  EXPECT_EQ(str(late.next().at("type")), "edit");

  EXPECT_EQ(
      error_code(bob, R"({"type":"edit","id":)" + std::to_string(id) + R"(,"content":"mine now"})"),
      "not_yours");
  EXPECT_EQ(error_code(alice, R"({"type":"edit","id":)" + std::to_string(id) + R"(,"content":""})"),
            "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"edit","id":)" + std::to_string(id) + R"(,"content":7})"),
            "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"edit","id":424242424,"content":"x"})"), "not_found");
  json::object huge{{"type", "edit"}, {"id", id}, {"content", std::string(20000, 'x')}};
  alice.send(huge);
  EXPECT_EQ(str(alice.next_of("error").at("code")), "too_large");
  EXPECT_EQ(str(history(bt, "with=alice")[0].at("content")), "the typo ✓") << "nothing changed";
}

TEST_P(ConversationState, RepliesQuoteAMessageOfTheSameConversation) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  Chat alice(port(), at, 0), bob(port(), bt, 0);
  std::int64_t q = say(alice, "bob", "lunch?", "q1");
  std::int64_t secret = say(alice, "carol", "secret", "s1");
  bob.send(json::object{{"type", "normal"},
                        {"content", "yes!"},
                        {"to", json::array{"alice"}},
                        {"cid", "r1"},
                        {"reply_to", q}});
  EXPECT_EQ(bob.next_of("ack").at("id").as_int64() > q, true);
  auto got = alice.next_of("normal");
  EXPECT_EQ(got.at("reply_to").as_int64(), q);
  auto h = history(at, "with=bob");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].at("reply_to").as_int64(), q);
  // Quoting a message of another conversation (one bob never saw) is refused.
  auto refused = [&](const json::value& reply_to) {
    bob.send(json::object{{"type", "normal"},
                          {"content", "?"},
                          {"to", json::array{"alice"}},
                          {"cid", "r2"},
                          {"reply_to", reply_to}});
    auto e = bob.next_of("error");
    EXPECT_EQ(str(e.at("cid")), "r2");
    return str(e.at("code"));
  };
  EXPECT_EQ(refused(secret), "bad_reply");
  EXPECT_EQ(refused(987654321), "bad_reply");
  EXPECT_EQ(refused("12"), "bad_frame");
  EXPECT_EQ(refused(json::array{1}), "bad_frame");
  EXPECT_EQ(history(at, "with=bob").size(), 2u) << "nothing stored";
  (void)ct;
}

TEST_P(ConversationState, BadReadFramesGetClearErrors) {
  std::string at = http.login("alice");
  http.login("bob");
  Chat alice(port(), at, 0);
  EXPECT_EQ(error_code(alice, R"({"type":"read","with":"ghost","upto":5})"), "not_found");
  EXPECT_EQ(error_code(alice, R"({"type":"read","with":"bob","upto":0})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"read","with":"bob","upto":"5"})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"read","with":"bob"})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"read","upto":5})"), "bad_frame");
  EXPECT_EQ(error_code(alice, R"({"type":"read","with":["../etc/passwd"],"upto":5})"), "not_found");
  EXPECT_EQ(error_code(alice, R"({"type":"read","group":"1; DROP TABLE","upto":5})"), "bad_frame");
  EXPECT_EQ(
      error_code(alice, R"({"type":"read","with":")" + std::string(300, 'n') + R"(","upto":5})"),
      "bad_frame");
  // A marker beyond every message is clamped: it never hides messages still to come.
  Chat bob(port(), http.login("bob"), 0);
  std::int64_t m = say(bob, "alice", "hello", "h1");
  alice.send(json::object{{"type", "read"}, {"with", "bob"}, {"upto", m + 1000000}});
  EXPECT_EQ(bob.next_of("read").at("upto").as_int64(), m);
  say(bob, "alice", "again", "h2");
  EXPECT_EQ(conversation(at, "bob").at("unread").as_int64(), 1);
}

INSTANTIATE_TEST_SUITE_P(Deployments, ConversationState,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
