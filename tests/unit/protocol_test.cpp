// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/client_frame.hpp"
#include "protocol/forwarded.hpp"
#include "protocol/http_message.hpp"
#include "protocol/server_frame.hpp"
#include "protocol/ws_frame.hpp"

namespace parley::protocol {
namespace {
namespace json = boost::json;

TEST(WsFrame, BuildsAndParsesAllLengthForms) {
  for (std::size_t len : {0u, 125u, 126u, 65535u, 65536u}) {
    std::string payload(len, 'x');
    std::uint8_t mask[4] = {1, 2, 3, 4};
    std::string frame;
    append_ws_frame(frame, WsOpcode::kText, payload, mask);
    WsFrameHeader h;
    ASSERT_EQ(parse_ws_header(frame, h), WsHeaderStatus::kOk) << len;
    EXPECT_EQ(h.payload_len, len);
    EXPECT_TRUE(h.masked && h.fin);
    std::string body = frame.substr(h.header_len);
    apply_ws_mask(body.data(), body.size(), h.mask);
    EXPECT_EQ(body, payload);
    WsFrameHeader partial;
    EXPECT_EQ(parse_ws_header(frame.substr(0, h.header_len - 1), partial),
              WsHeaderStatus::kNeedMore);
  }
}

TEST(WsFrame, RejectsInvalidHeaders) {
  WsFrameHeader h;
  EXPECT_EQ(parse_ws_header(std::string("\x83\x80", 2), h), WsHeaderStatus::kInvalid);  // opcode 3
  EXPECT_EQ(parse_ws_header(std::string("\x09\x80", 2), h),
            WsHeaderStatus::kInvalid);  // fragmented ping
  EXPECT_EQ(parse_ws_header(std::string("\x89\xFE\x00\x80", 4), h),
            WsHeaderStatus::kInvalid);  // long ping
  EXPECT_EQ(parse_ws_header(std::string("\x81\xFE\x00\x05", 4), h),
            WsHeaderStatus::kInvalid);                               // non-minimal
  std::string huge("\x81\xFF\x80\x00\x00\x00\x00\x00\x00\x00", 10);  // 2^63
  EXPECT_EQ(parse_ws_header(huge, h), WsHeaderStatus::kInvalid);
}

TEST(WsFrame, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(HttpMessage, ParsesRequestWithBodyAndQuery) {
  std::string raw =
      "POST /api/history?with=%E5%BC%A0&limit=5 HTTP/1.1\r\nHost: x\r\n"
      "W-Token: abc\r\nContent-Length: 2\r\n\r\n{}extra";
  HttpRequest req;
  auto r = parse_http_request(raw, req, {});
  ASSERT_EQ(r.status, HttpParseStatus::kComplete);
  EXPECT_EQ(r.consumed, raw.size() - 5);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/history");
  EXPECT_EQ(req.query_param("with").value(), "张");
  EXPECT_EQ(req.query_param("limit").value(), "5");
  EXPECT_FALSE(req.query_param("nope").has_value());
  EXPECT_EQ(req.header("w-token"), "abc");
  EXPECT_EQ(req.body, "{}");
  EXPECT_TRUE(req.keep_alive);
}

TEST(HttpMessage, WaitsForMoreAndRefusesBadInput) {
  HttpRequest req;
  EXPECT_EQ(parse_http_request("GET / HTTP/1.1\r\nHost:", req, {}).status,
            HttpParseStatus::kNeedMore);
  EXPECT_EQ(parse_http_request("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", req, {}).status,
            HttpParseStatus::kNeedMore);
  auto bad = [&](const std::string& raw) { return parse_http_request(raw, req, {}).error_status; };
  EXPECT_EQ(bad("GET\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/2.0\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nBad Header\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n"), 413);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  EXPECT_EQ(bad("GET /%zz HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET /api/%-1%-0 HTTP/1.1\r\n\r\n"), 400);  // found by fuzz_http_request
  EXPECT_EQ(bad("GET /%4 HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a')), 431);
}

// Framing that a proxy in front could read differently (request smuggling) is refused, never
// guessed: repeated or empty Content-Length, bare CR/LF/NUL inside the head, any
// Transfer-Encoding line.
TEST(HttpMessage, RefusesAmbiguousFraming) {
  HttpRequest req;
  auto bad = [&](const std::string& raw) { return parse_http_request(raw, req, {}).error_status; };
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 0\r\n\r\n{}"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\ncontent-length: 0\r\nCONTENT-LENGTH: 0\r\n\r\n"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length:   \r\n\r\n"), 400);
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nX: a\nContent-Length: 5\r\n\r\n"), 400);  // bare LF
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\n"), 400);  // bare CR
  EXPECT_EQ(bad("GET / HTTP/1.1\r\nX: a\nb\r\n\r\n"), 400);
  EXPECT_EQ(bad(std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26)), 400);  // NUL
  EXPECT_EQ(bad("GET /a\nb HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(bad("GET / HTTP/1.1\nHost: x\r\n\r\n"), 400);  // request line ended by a bare LF
  EXPECT_EQ(bad("POST / HTTP/1.1\r\nTransfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n"),
            501);
  // Every refusal names its reason.
  auto r = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
                              req, {});
  EXPECT_EQ(r.status, HttpParseStatus::kError);
  EXPECT_EQ(r.error, "more than one Content-Length");
  // One Content-Length, tabs and spaces around it, is fine; so is no body without one.
  auto ok = parse_http_request("POST / HTTP/1.1\r\nContent-Length:\t2 \r\n\r\n{}", req, {});
  EXPECT_EQ(ok.status, HttpParseStatus::kComplete);
  EXPECT_EQ(req.body, "{}");
  // The head in, the body not yet: the connection switches to its body deadline.
  auto partial = parse_http_request("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", req, {});
  EXPECT_EQ(partial.status, HttpParseStatus::kNeedMore);
  EXPECT_TRUE(partial.head_complete);
  EXPECT_FALSE(parse_http_request("GET / HTTP/1.1\r\nHost:", req, {}).head_complete);
}

// X-Forwarded-For is read from the right: each proxy appends the address it saw, so what a
// client wrote itself is left of the first untrusted address and never believed.
TEST(Forwarded, BelievesHeadersOnlyFromTrustedProxies) {
  util::AddressList trusted({"127.0.0.1", "10.0.0.0/8"});
  auto client = [&](const std::string& peer,
                    std::vector<std::pair<std::string, std::string>> headers) {
    HttpRequest req;
    req.headers = std::move(headers);
    return client_address(req, peer, trusted);
  };
  EXPECT_EQ(client("203.0.113.9", {{"x-forwarded-for", "198.51.100.1"}}), "203.0.113.9");
  EXPECT_EQ(client("203.0.113.9", {{"x-real-ip", "198.51.100.1"}}), "203.0.113.9");
  EXPECT_EQ(client("127.0.0.1", {}), "127.0.0.1");
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "198.51.100.1"}}), "198.51.100.1");
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "6.6.6.6, 198.51.100.1"}}), "198.51.100.1");
  // Through two trusted proxies (nginx -> an internal balancer -> parley).
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "6.6.6.6, 198.51.100.1, 10.1.1.1"}}),
            "198.51.100.1");
  // Several header lines form one list, in order.
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "6.6.6.6"}, {"x-forwarded-for", "5.5.5.5"}}),
            "5.5.5.5");
  // Garbage where an address should be: the last hop that was vouched for.
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "junk, 10.2.2.2"}}), "10.2.2.2");
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "unknown"}}), "127.0.0.1");
  // Every hop trusted: the first one is the client (someone on the inside).
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "10.3.3.3, 10.2.2.2"}}), "10.3.3.3");
  // X-Real-IP when there is no X-Forwarded-For; canonical spellings.
  EXPECT_EQ(client("127.0.0.1", {{"x-real-ip", " 2001:db8:0:0::1 "}}), "2001:db8::1");
  EXPECT_EQ(client("127.0.0.1", {{"x-real-ip", "::ffff:198.51.100.7"}}), "198.51.100.7");
  EXPECT_EQ(client("127.0.0.1", {{"x-real-ip", "nope"}}), "127.0.0.1");
  EXPECT_EQ(client("127.0.0.1", {{"x-forwarded-for", "198.51.100.1"}, {"x-real-ip", "5.5.5.5"}}),
            "198.51.100.1");
}

TEST(HttpMessage, SerializesWithCorsAndLength) {
  auto s = serialize_response(code_response(200, "2000", "ok"), true);
  EXPECT_NE(s.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(s.find("Access-Control-Allow-Origin: *"), std::string::npos);
  EXPECT_NE(s.find("Content-Length: 26"), std::string::npos);
  EXPECT_NE(s.find("{\"code\":\"2000\",\"msg\":\"ok\"}"), std::string::npos);
}

TEST(ClientFrame, DecodesClassicAndExtendedFrames) {
  auto a = decode_client_frame(R"({"type":"auth","content":"tok","from":"","to":[]})", {});
  ASSERT_TRUE(std::holds_alternative<ClientFrame>(a));
  EXPECT_EQ(std::get<ClientFrame>(a).type, ClientFrameType::kAuth);
  EXPECT_FALSE(std::get<ClientFrame>(a).seq.has_value());
  auto r = decode_client_frame(R"({"type":"auth","content":"tok","seq":42})", {});
  EXPECT_EQ(std::get<ClientFrame>(r).seq.value(), 42);
  auto n = decode_client_frame(R"({"type":"normal","content":"hi","to":["a","b"],"cid":"c1"})", {});
  auto& f = std::get<ClientFrame>(n);
  EXPECT_EQ(f.to.size(), 2u);
  EXPECT_EQ(f.cid, "c1");
  EXPECT_EQ(f.content, "hi");
}

// Read markers have a decoder of their own for the compact spelling; it must agree with the
// general one (the same frame with spaces takes the general path) and refuse what it refuses.
TEST(ClientFrame, CompactReadFramesDecodeLikeAnyOther) {
  auto decoded = [](const std::string& t) { return decode_client_frame(t, {}); };
  for (auto [compact, spaced] : std::vector<std::pair<std::string, std::string>>{
           {R"({"type":"read","with":"bob","upto":42})",
            R"({ "type" : "read", "with" : "bob", "upto" : 42 })"},
           {R"({"type":"read","with":"张三","upto":9007199254740991})",
            R"({"type":"read", "with":"张三", "upto":9007199254740991})"},
           {R"({"type":"read","group":"17","upto":5})",
            R"({"type":"read", "group":"17","upto":5})"},
       }) {
    auto a = decoded(compact), b = decoded(spaced);
    ASSERT_TRUE(std::holds_alternative<ClientFrame>(a)) << compact;
    ASSERT_TRUE(std::holds_alternative<ClientFrame>(b)) << spaced;
    const auto &fa = std::get<ClientFrame>(a), &fb = std::get<ClientFrame>(b);
    EXPECT_EQ(fa.type, ClientFrameType::kRead);
    EXPECT_EQ(fa.type, fb.type);
    EXPECT_EQ(fa.to, fb.to);
    EXPECT_EQ(fa.group, fb.group);
    EXPECT_EQ(fa.ref, fb.ref);
  }
  // What the compact decoder does not take falls through to the general one and its errors.
  for (const char* bad :
       {R"({"type":"read","with":"","upto":1})", R"({"type":"read","with":"bob","upto":0})",
        R"({"type":"read","with":"bob","upto":-1})", R"({"type":"read","with":"bob","upto":"1"})",
        R"({"type":"read","group":"x1","upto":1})", R"({"type":"read","with":"bob","upto":1,"x":})",
        R"({"type":"read","with":"bob","upto":12345678901234567890})"}) {
    auto d = decoded(bad);
    EXPECT_TRUE(std::holds_alternative<FrameError>(d)) << bad;
  }
  auto escaped = decoded(R"({"type":"read","with":"b\u006fb","upto":3})");
  ASSERT_TRUE(std::holds_alternative<ClientFrame>(escaped));
  EXPECT_EQ(std::get<ClientFrame>(escaped).to.at(0), "bob") << "escapes: the general path";
  auto trailing = decoded(R"({"type":"read","with":"bob","upto":3,"cid":"r1"})");
  ASSERT_TRUE(std::holds_alternative<ClientFrame>(trailing));
  EXPECT_EQ(std::get<ClientFrame>(trailing).cid, "r1");
}

TEST(ClientFrame, RefusesBadFramesWithCodes) {
  auto code = [](const std::string& t) {
    auto d = decode_client_frame(t, {});
    return std::holds_alternative<FrameError>(d) ? std::string(std::get<FrameError>(d).code) : "ok";
  };
  EXPECT_EQ(code("nope"), "bad_json");
  EXPECT_EQ(code("[]"), "bad_json");
  EXPECT_EQ(code("{\"type\":1}"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"x"})"), "unknown_type");
  EXPECT_EQ(code(R"({"type":"auth","content":1})"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"auth","content":"t","seq":-1})"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"auth","content":"t","seq":"1"})"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"normal","content":"","to":["a"]})"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"normal","content":"x","to":[null]})"), "bad_frame");
  EXPECT_EQ(code(R"({"type":"normal","content":"x","to":["a"],"cid":""})"), "bad_frame");
  EXPECT_EQ(code(std::string(R"({"type":"normal","content":"x","to":["a"],"cid":")") +
                 std::string(65, 'c') + "\"}"),
            "bad_frame");
  EXPECT_EQ(code(std::string(50, '[') + std::string(50, ']')), "bad_json");
}

TEST(ServerFrame, MessageHeadPlusTailIsValidJson) {
  std::vector<std::string> to = {"bob"};
  MessageView m{7, 1000, "alice", &to, "hi \"there\"", "c1"};
  std::string frame;
  append_message_head(frame, 3);
  frame += message_tail(m);
  auto v = json::parse(frame).as_object();
  EXPECT_EQ(v.at("type").as_string(), "normal");
  EXPECT_EQ(v.at("seq").as_int64(), 3);
  EXPECT_EQ(v.at("id").as_int64(), 7);
  EXPECT_EQ(v.at("content").as_string(), "hi \"there\"");
  EXPECT_EQ(v.at("cid").as_string(), "c1");
  auto ok = json::parse(ok_frame("张三", 5)).as_object();
  EXPECT_EQ(ok.at("type").as_string(), "ok");
  EXPECT_TRUE(ok.at("to").as_array().empty());
  auto ll = json::parse(loginlist_frame({"a"})).as_object();
  EXPECT_EQ(ll.at("content").at("names").as_array().size(), 1u);
}

}  // namespace
}  // namespace parley::protocol
