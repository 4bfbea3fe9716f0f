// SPDX-License-Identifier: MIT
// The classic HTTP endpoints against the real server, and malformed HTTP input.
#include <gtest/gtest.h>

#include <fstream>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

class HttpApi : public ::testing::Test {
 protected:
  ServerProcess server;
  Http http{server.port()};
  json::value reg(const std::string& body) { return http.post_json("/api/register", body); }
  json::value login(const std::string& body) { return http.post_json("/api/login", body); }
};

TEST_F(HttpApi, RegisterReportsCreatedTakenAndBadFormat) {
  EXPECT_EQ(str(reg(R"({"name":"张三","password":"abc"})").at("code")), "2000");
  EXPECT_EQ(str(reg(R"({"name":"张三","password":"xyz"})").at("code")), "4000");
  for (const char* bad :
       {R"({"name":"x"})", R"({"password":"abc"})", R"({"name":"","password":"abc"})",
        R"({"name":"ab","password":"12"})", R"({"name":"a","password":"123456789012345678901"})",
        R"({"name":"123456789012345678901","password":"abc"})",
        R"({"name":"a\nb","password":"abc"})", R"({"name":1,"password":"abc"})", R"([1,2])",
        "not json", ""}) {
    auto r = http.post("/api/register", bad);
    EXPECT_EQ(r.status, 200) << bad;
    EXPECT_EQ(str(json::parse(r.body).at("code")), "4001") << bad;
  }
}

TEST_F(HttpApi, NamesAreCountedInCharacters) {
  // 20 CJK characters are 60 bytes but a valid name; 21 are not.
  std::string twenty, twenty_one;
  for (int i = 0; i < 20; ++i) twenty += "孔";
  twenty_one = twenty + "雀";
  EXPECT_EQ(str(reg(R"({"name":")" + twenty + R"(","password":"abc"})").at("code")), "2000");
  EXPECT_EQ(str(reg(R"({"name":")" + twenty_one + R"(","password":"abc"})").at("code")), "4001");
  EXPECT_EQ(str(reg(R"({"name":"孔雀大明王","password":"密码"})").at("code")), "4001");  // 2 chars
  EXPECT_EQ(str(reg(R"({"name":"孔雀大明王","password":"密码长"})").at("code")), "2000");
}

TEST_F(HttpApi, LoginAnswersTokenOrClassicCodes) {
  reg(R"({"name":"alice","password":"secret"})");
  auto ok = login(R"({"name":"alice","password":"secret"})");
  EXPECT_EQ(str(ok.at("code")), "2000");
  EXPECT_EQ(str(ok.at("name")), "alice");
  EXPECT_FALSE(ok.at("token").as_string().empty());
  EXPECT_GT(ok.at("expires").as_int64(), 0);
  EXPECT_EQ(str(login(R"({"name":"nobody","password":"secret"})").at("code")), "4003");
  EXPECT_EQ(str(login(R"({"name":"alice","password":"wrong!"})").at("code")), "4005");
  EXPECT_EQ(str(login(R"({"name":"alice"})").at("code")), "4001");
  EXPECT_EQ(str(login("{{{").at("code")), "4001");
}

TEST_F(HttpApi, PasswordsAreNotStoredInPlainText) {
  reg(R"({"name":"bob","password":"hunter2"})");
  server.stop();
  std::ifstream db(server.data_dir() + "/parley.db", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  std::ifstream wal(server.data_dir() + "/parley.db-wal", std::ios::binary);
  bytes.append((std::istreambuf_iterator<char>(wal)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find("hunter2"), std::string::npos);
  EXPECT_NE(bytes.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(server.log().find("hunter2"), std::string::npos);
}

TEST_F(HttpApi, ListsRegisteredUsers) {
  reg(R"({"name":"b","password":"abc"})");
  reg(R"({"name":"a","password":"abc"})");
  auto names = http.get_json("/api/list").at("names").as_array();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].as_string(), "a");
  EXPECT_EQ(names[1].as_string(), "b");
  EXPECT_TRUE(http.get_json("/api/loginlist").at("names").as_array().empty());
}

TEST_F(HttpApi, UserNeedsAValidToken) {
  std::string token = http.login("carol");
  auto r = http.get("/api/user", token);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(str(json::parse(r.body).at("name")), "carol");
  EXPECT_EQ(http.get("/api/user").status, 401);
  EXPECT_TRUE(json::parse(http.get("/api/user").body).as_object().contains("msg"));
  EXPECT_EQ(http.get("/api/user", "garbage").status, 401);
  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(http.get("/api/user", tampered).status, 401);
  // alg=none with the same claims is refused.
  auto dot = token.find('.');
  std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0" + token.substr(dot, token.rfind('.') - dot) + ".";
  EXPECT_EQ(http.get("/api/user", none).status, 401);
}

TEST_F(HttpApi, AnswersCorsPreflight) {
  auto r = client::http_request(
      "127.0.0.1", server.port(), "OPTIONS", "/api/login", {},
      {{"Origin", "http://localhost:8080"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.headers["access-control-allow-origin"], "*");
  EXPECT_NE(r.headers["access-control-allow-headers"].find("w-token"), std::string::npos);
  EXPECT_NE(r.headers["access-control-allow-methods"].find("PATCH"), std::string::npos);
  EXPECT_EQ(http.get("/api/list").headers["access-control-allow-origin"], "*");
}

TEST_F(HttpApi, RefusesMalformedRequestsWithStatusAndJson) {
  auto raw = [&](const std::string& req) {
    return client::http_raw("127.0.0.1", server.port(), req);
  };
  EXPECT_NE(raw("GARBAGE\r\n\r\n").find("400"), std::string::npos);
  EXPECT_NE(raw("GET / HTTP/9.9\r\n\r\n").find("400"), std::string::npos);
  EXPECT_NE(raw("POST /api/login HTTP/1.1\r\nContent-Length: abc\r\n\r\n").find("400"),
            std::string::npos);
  EXPECT_NE(
      raw("POST /api/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").find("501"),
      std::string::npos);
  std::string big(100 * 1024, 'x');
  std::string r413 =
      raw("POST /api/register HTTP/1.1\r\nContent-Length: " + std::to_string(big.size()) +
          "\r\n\r\n" + big);
  EXPECT_NE(r413.find("413"), std::string::npos);
  EXPECT_NE(r413.find("\"code\""), std::string::npos);
  std::string huge_header = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_NE(raw(huge_header).find("431"), std::string::npos);
  EXPECT_EQ(http.get("/api/nothing").status, 404);
  EXPECT_EQ(http.get("/api/login").status, 405);
  // Still serving.
  EXPECT_EQ(http.get("/healthz").status, 200);
}

TEST_F(HttpApi, KeepsAliveAndAnswersPipelinedRequests) {
  std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/list HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  std::string out = client::http_raw("127.0.0.1", server.port(), two);
  EXPECT_NE(out.find("{\"status\":\"ok\"}"), std::string::npos);
  EXPECT_NE(out.find("{\"names\":[]}"), std::string::npos);
}

TEST_F(HttpApi, ExportsHealthReadinessAndMetrics) {
  EXPECT_EQ(http.get("/healthz").status, 200);
  EXPECT_EQ(http.get("/readyz").status, 200);
  auto m = http.get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("parley_connections_open"), std::string::npos);
  EXPECT_NE(m.body.find("parley_store_commit_seconds_bucket"), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
