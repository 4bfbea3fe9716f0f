// SPDX-License-Identifier: MIT
// Hostile and malformed WebSocket input: every bad frame gets an error frame with a stable code
// (or the close code RFC 6455 asks for), the connection stays usable where it can, and the
// server never crashes.
#include <gtest/gtest.h>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {
using protocol::WsOpcode;

class BadInput : public ::testing::Test {
 protected:
  ServerProcess server;
  Http http{server.port()};
  std::uint16_t port() { return server.port(); }

  void expect_error(Chat& c, const std::string& text, const std::string& code) {
    c.send_raw_text(text);
    auto e = c.next_of("error");
    EXPECT_EQ(str(e.at("code")), code) << text;
    EXPECT_FALSE(e.at("content").as_string().empty());
  }
  // The connection still works: a message reaches bob.
  void expect_alive(Chat& alice, Chat& bob) {
    alice.send_message({"bob"}, "still here");
    EXPECT_EQ(str(bob.next().at("content")), "still here");
  }
};

TEST_F(BadInput, FramesBeforeAuthAreRefusedWithoutCrashing) {
  Chat c(port());
  expect_error(c, R"({"type":"normal","content":"x","to":["bob"]})", "not_authenticated");
  expect_error(c, "not json", "bad_json");
  // Then auth still works on the same connection.
  c.send(json::object{{"type", "auth"}, {"content", http.login("alice")}});
  EXPECT_EQ(str(c.next_of("ok").at("type")), "ok");
}

TEST_F(BadInput, MalformedFramesGetStableErrorCodes) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  expect_error(alice, "not json", "bad_json");
  expect_error(alice, "[1,2,3]", "bad_json");
  expect_error(alice, "\"just a string\"", "bad_json");
  expect_error(alice, "{}", "bad_frame");
  expect_error(alice, R"({"type":5})", "bad_frame");
  expect_error(alice, R"({"type":"whatever"})", "unknown_type");
  expect_error(alice, R"({"type":"normal","to":["bob"]})", "bad_frame");
  expect_error(alice, R"({"type":"normal","content":42,"to":["bob"]})", "bad_frame");
  expect_error(alice, R"({"type":"normal","content":"x"})", "bad_frame");
  expect_error(alice, R"({"type":"normal","content":"x","to":"bob"})", "bad_frame");
  expect_error(alice, R"({"type":"normal","content":"x","to":[1,2]})", "bad_frame");
  expect_error(alice, R"({"type":"normal","content":"x","to":[]})", "no_recipients");
  expect_error(alice, R"({"type":"normal","content":"x","to":["nobody"]})", "no_recipients");
  expect_error(alice, R"({"type":"normal","content":"x","to":["alice"]})", "no_recipients");
  expect_error(alice, R"({"type":"normal","content":"x","to":["bob"],"cid":7})", "bad_frame");
  expect_error(alice, R"({"type":"auth","content":"again"})", "already_authenticated");
  std::string deep(100, '[');
  expect_error(alice, deep, "bad_json");
  std::string many = R"({"type":"normal","content":"x","to":[)";
  for (int i = 0; i < 101; ++i) many += (i ? ",\"u" : "\"u") + std::to_string(i) + "\"";
  expect_error(alice, many + "]}", "too_many_recipients");
  std::string long_text(17 * 1024, 'a');
  expect_error(alice, R"({"type":"normal","content":")" + long_text + R"(","to":["bob"]})",
               "too_large");
  // The error names the refused message.
  alice.send_raw_text(R"({"type":"normal","content":"x","to":[],"cid":"c9"})");
  EXPECT_EQ(str(alice.next_of("error").at("cid")), "c9");
  expect_alive(alice, bob);
}

TEST_F(BadInput, BinaryFramesAreRefusedAndTheConnectionStays) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  alice.ws.send_frame(WsOpcode::kBinary, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(str(alice.next_of("error").at("code")), "binary_unsupported");
  expect_alive(alice, bob);
}

TEST_F(BadInput, FragmentedMessagesAreReassembled) {
  Chat alice(port(), http.login("alice"));
  Chat bob(port(), http.login("bob"));
  std::string f = R"({"type":"normal","content":"片段","to":["bob"]})";
  alice.ws.send_frame(WsOpcode::kText, f.substr(0, 10), false);
  alice.ws.send_frame(WsOpcode::kPing, "mid");  // control frames may interleave
  alice.ws.send_frame(WsOpcode::kContinuation, f.substr(10, 22), false);  // cuts a CJK char
  alice.ws.send_frame(WsOpcode::kContinuation, f.substr(32), true);
  EXPECT_EQ(str(bob.next().at("content")), "片段");
}

TEST_F(BadInput, InvalidUtf8ClosesWith1007) {
  Chat alice(port(), http.login("alice"));
  alice.ws.send_frame(WsOpcode::kText, "{\"type\":\"ping\",\"x\":\"\xC3\x28\"}");
  EXPECT_EQ(str(alice.next_of("error").at("code")), "bad_json");
  EXPECT_EQ(alice.ws.read_close(), 1007);
}

TEST_F(BadInput, AFourMebibyteFrameIsRefusedWith1009WithoutBuffering) {
  Chat alice(port(), http.login("alice"));
  std::string big(4 << 20, 'a');
  try {
    alice.ws.send_frame(WsOpcode::kText, big);
  } catch (const std::exception&) {
    // The server may close before it has read everything: that is the point.
  }
  EXPECT_EQ(str(alice.next_of("error").at("code")), "too_large");
  EXPECT_EQ(alice.ws.read_close(), 1009);
  Chat again(port(), http.login("alice"));  // the server is fine
  EXPECT_EQ(str(again.ok.at("type")), "ok");
}

TEST_F(BadInput, UnmaskedAndReservedBitFramesAreProtocolErrors) {
  Chat a(port(), http.login("alice"));
  std::string unmasked;
  protocol::append_ws_frame(unmasked, WsOpcode::kText, R"({"type":"ping"})");
  a.ws.send_raw(unmasked);
  EXPECT_EQ(a.ws.read_close(), 1002);
  Chat b(port(), http.login("alice"));
  b.ws.send_raw(std::string("\xC1\x80\x00\x00\x00\x00", 6));  // RSV1 set, empty
  EXPECT_EQ(b.ws.read_close(), 1002);
  Chat c(port(), http.login("alice"));
  c.ws.send_raw(std::string("\x83\x80\x00\x00\x00\x00", 6));  // reserved opcode 3
  EXPECT_EQ(c.ws.read_close(), 1002);
}

TEST_F(BadInput, BadUpgradeRequestsGetHttpErrors) {
  auto raw = [&](const std::string& req) { return client::http_raw("127.0.0.1", port(), req); };
  EXPECT_NE(raw("GET /api/ws HTTP/1.1\r\nHost: x\r\n\r\n").find("426"), std::string::npos);
  EXPECT_NE(raw("GET /api/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 8\r\n\r\n")
                .find("426"),
            std::string::npos);
  // Cross-site pages may not open a socket; the original page's localhost origin may.
  EXPECT_THROW(client::WsClient::connect("127.0.0.1", port(), "/api/ws", "https://evil.example"),
               std::runtime_error);
  EXPECT_NO_THROW(
      client::WsClient::connect("127.0.0.1", port(), "/api/ws", "http://localhost:8080"));
}

TEST_F(BadInput, GarbageBytesDoNotCrashTheServer) {
  for (int round = 0; round < 20; ++round) {
    Chat c(port());
    std::string junk;
    for (int i = 0; i < 200; ++i) junk += char((round * 131 + i * 7919) & 0xFF);
    try {
      c.ws.send_raw(junk);
      c.ws.read_close(std::chrono::milliseconds(500));
    } catch (const std::exception&) {
    }
  }
  EXPECT_EQ(http.get("/healthz").status, 200);
}

}  // namespace
}  // namespace parley::testing
