// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/client_frame.hpp"
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
