// SPDX-License-Identifier: MIT
// Attacks on the real binary by anyone who reaches the port (issue "Abuse resistance"), each
// shown to fail: ambiguous request framing, slow requests, connection floods from one address,
// forged forwarding headers, reading /metrics, and revoked tokens piling up in memory.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/socket.hpp"
#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Sends `request` from `source` and returns everything answered until the server closes (or
// `timeout` passes without a byte).
std::string exchange(std::uint16_t port, const std::string& request, const std::string& source = {},
                     std::chrono::milliseconds timeout = 3000ms) {
  client::Socket s = client::Socket::connect("127.0.0.1", port, source);
  s.send_all(request);
  std::string out;
  try {
    for (std::string chunk; !(chunk = s.read_some(timeout)).empty();) out += chunk;
  } catch (const std::runtime_error&) {
  }
  return out;
}

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

long metric(std::uint16_t port, const std::string& name) {
  std::string body = Http{port}.get("/metrics").body;
  std::smatch m;
  if (!std::regex_search(body, m, std::regex(name + " (\\d+)"))) return -1;
  return std::stol(m[1]);
}

std::string upgrade_request(const std::string& extra_headers = {}) {
  return "GET /api/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         extra_headers + "\r\n";
}

// An upgrade from `source` (with `extra_headers`): the open socket and the answer's status.
std::pair<client::Socket, int> open_socket(std::uint16_t port, const std::string& extra_headers,
                                           const std::string& source = {}) {
  client::Socket s = client::Socket::connect("127.0.0.1", port, source);
  s.send_all(upgrade_request(extra_headers));
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    std::string chunk = s.read_some(3000ms);
    if (chunk.empty()) break;
    head += chunk;
  }
  return {std::move(s), status_of(head)};
}

// A proxy in front that frames a request differently from parley (first or last of two
// Content-Lengths, a header line split at a bare LF) would let a client smuggle a second request
// past it. parley refuses each with 400 and a JSON body, answers nothing more on that
// connection, and keeps serving.
TEST(Abuse, AmbiguousRequestFramingIsRefused) {
  ServerProcess server;
  const std::string smuggled = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string attacks[] = {
      // Two lengths (the proxy takes the first: 0; a last-wins parser reads the smuggled GET).
      "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: " +
          std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
      // Two equal lengths: still refused (a proxy may have joined or split them).
      "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}" +
          smuggled,
      // An empty length (0 to some, "invalid" to others).
      "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n" + smuggled,
      // A bare LF inside a header: a proxy that ends lines at LF sees a Content-Length.
      "POST /api/login HTTP/1.1\r\nHost: x\r\nX-A: 1\nContent-Length: " +
          std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
      // A bare CR likewise.
      "POST /api/login HTTP/1.1\r\nHost: x\r\nX-A: 1\rContent-Length: " +
          std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
      // Transfer-Encoding hidden behind an empty first line of it.
      "POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nTransfer-Encoding: chunked"
      "\r\n\r\n0\r\n\r\n" +
          smuggled,
  };
  for (const std::string& attack : attacks) {
    std::string out = client::http_raw("127.0.0.1", server.port(), attack);
    int expected = attack.find("Transfer-Encoding") != std::string::npos ? 501 : 400;
    ASSERT_EQ(status_of(out), expected) << attack << "\n--\n" << out;
    json::value body = json::parse(body_of(out));
    EXPECT_EQ(str(body.at("code")), "4001") << attack;
    EXPECT_FALSE(str(body.at("msg")).empty());
    EXPECT_EQ(out.find("parley_connections_open"), std::string::npos)
        << "the smuggled request was answered:\n"
        << out;
    EXPECT_EQ(out.find("HTTP/1.1", 8), std::string::npos) << "a second answer:\n" << out;
  }
  EXPECT_EQ(Http{server.port()}.get("/healthz").status, 200);
}

// Slowloris: one byte now and then used to reset the idle timer for ever. The head and the body
// each have an absolute deadline (2 s here, 20 s / 60 s by default), then 408 and close; the
// idle time-out (60 s) is not what ends them.
TEST(Abuse, ASlowRequestIsCutAtItsDeadline) {
  ServerProcess server({"--request-head-timeout", "2", "--request-body-timeout", "2"});
  auto trickle = [&](const std::string& start, char byte) {
    client::Socket s = client::Socket::connect("127.0.0.1", server.port());
    auto begin = Clock::now();
    s.send_all(start);
    std::string out;
    while (Clock::now() - begin < 10s) {
      try {
        s.send_all(std::string(1, byte));
      } catch (const std::runtime_error&) {
        break;  // the server closed first
      }
      try {
        std::string chunk = s.read_some(500ms);
        if (chunk.empty()) break;
        out += chunk;
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) != "timeout") break;
      }
    }
    double took = std::chrono::duration<double>(Clock::now() - begin).count();
    return std::make_pair(out, took);
  };
  // Head: a header value that never ends, a byte every half second.
  auto [head_out, head_s] = trickle("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", 'a');
  EXPECT_EQ(status_of(head_out), 408) << head_out;
  EXPECT_NE(body_of(head_out).find("request head not received in time"), std::string::npos);
  EXPECT_GE(head_s, 1.5);
  EXPECT_LT(head_s, 5.0) << "the 2 s head deadline";
  // Body: the head is quick, the 100-byte body trickles.
  auto [body_out, body_s] =
      trickle("POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", '{');
  EXPECT_EQ(status_of(body_out), 408) << body_out;
  EXPECT_NE(body_of(body_out).find("request body not received in time"), std::string::npos);
  EXPECT_LT(body_s, 5.0);
  // A connection that says nothing is held no longer than a head.
  client::Socket silent = client::Socket::connect("127.0.0.1", server.port());
  auto begin = Clock::now();
  std::string got;
  try {
    for (std::string chunk; !(chunk = silent.read_some(8000ms)).empty();) got += chunk;
  } catch (const std::runtime_error&) {
  }
  EXPECT_LT(Clock::now() - begin, 5s);
  // Requests that arrive in time are served as before, keep-alive included.
  std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  std::string out = client::http_raw("127.0.0.1", server.port(), two);
  EXPECT_EQ(status_of(out), 200);
  EXPECT_NE(out.find("HTTP/1.1 200", 8), std::string::npos);
}

// Without any setting, one address cannot hold every connection: the 257th from it is refused
// (429); another address still gets in.
TEST(Abuse, ConnectionsFromOneAddressAreCappedByDefault) {
  ServerProcess server;
  std::vector<client::Socket> held;
  for (int i = 0; i < 256; ++i) {
    auto [s, status] = open_socket(server.port(), "");
    ASSERT_EQ(status, 101) << "connection " << i;
    held.push_back(std::move(s));
  }
  auto [over, status] = open_socket(server.port(), "");
  EXPECT_EQ(status, 429);
  auto [other, other_status] = open_socket(server.port(), "", "127.0.0.2");
  EXPECT_EQ(other_status, 101);
}

// X-Forwarded-For / X-Real-IP are believed only from a trusted proxy; then the login throttle
// and the connection cap apply per real client. Untrusted, the headers change nothing.
TEST(Abuse, ForwardedAddressesAreBelievedOnlyFromTrustedProxies) {
  // --login-failures 1: one failure per name a minute, ten per address.
  auto login = [](std::uint16_t port, const std::string& name,
                  const std::map<std::string, std::string>& headers) {
    return client::http_request("127.0.0.1", port, "POST", "/api/login",
                                R"({"name":")" + name + R"(","password":"wrong"})", headers)
        .status;
  };
  auto guess_from = [&](std::uint16_t port, const std::map<std::string, std::string>& headers,
                        const std::string& prefix) {
    for (int i = 0; i < 10; ++i) ASSERT_EQ(login(port, prefix + std::to_string(i), headers), 200);
  };
  {
    ServerProcess server({"--login-failures", "1", "--trusted-proxies", "127.0.0.1"});
    std::uint16_t port = server.port();
    guess_from(port, {{"X-Forwarded-For", "10.0.0.1"}}, "a");
    EXPECT_EQ(login(port, "fresh1", {{"X-Forwarded-For", "10.0.0.1"}}), 429);
    // What the shipped nginx sends for a client that forged its own header: the forged part is
    // left of the address nginx saw, which is the one that counts.
    EXPECT_EQ(login(port, "fresh2", {{"X-Forwarded-For", "10.9.9.9, 10.0.0.1"}}), 429);
    EXPECT_EQ(login(port, "fresh3", {{"X-Real-IP", "10.0.0.1"}}), 429);
    // Another client behind the same proxy is not locked out.
    EXPECT_EQ(login(port, "fresh4", {{"X-Forwarded-For", "10.0.0.2"}}), 200);
    EXPECT_EQ(login(port, "fresh5", {{"X-Real-IP", "10.0.0.3"}}), 200);
    EXPECT_EQ(login(port, "fresh6", {}), 200) << "the proxy itself is a client of its own";
    // An untrusted peer's forwarding headers are its own words: naming the blocked address
    // does not make 127.0.0.2 blocked (nor would naming another make it someone else).
    std::string body = R"({"name":"fresh7","password":"xyz"})";
    std::string from_other =
        exchange(port,
                 "POST /api/login HTTP/1.1\r\nHost: x\r\n"
                 "X-Forwarded-For: 10.0.0.1\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
                 "127.0.0.2");
    EXPECT_EQ(status_of(from_other), 200) << from_other;
  }
  {
    // Not trusted: everything comes from 127.0.0.1, whatever the headers say.
    ServerProcess server({"--login-failures", "1"});
    std::uint16_t port = server.port();
    guess_from(port, {{"X-Forwarded-For", "10.0.0.1"}}, "a");
    EXPECT_EQ(login(port, "fresh1", {{"X-Forwarded-For", "10.0.0.2"}}), 429);
    EXPECT_EQ(login(port, "fresh2", {{"X-Real-IP", "10.0.0.3"}}), 429);
  }
  {
    // The connection cap counts the forwarded client of each proxied connection.
    ServerProcess server({"--max-connections-per-ip", "2", "--trusted-proxies", "127.0.0.0/8"});
    std::vector<client::Socket> held;
    for (int i = 0; i < 2; ++i) {
      auto [s, status] = open_socket(server.port(), "X-Forwarded-For: 10.0.0.1\r\n");
      ASSERT_EQ(status, 101);
      held.push_back(std::move(s));
    }
    EXPECT_EQ(open_socket(server.port(), "X-Forwarded-For: 10.0.0.1\r\n").second, 429);
    EXPECT_EQ(open_socket(server.port(), "X-Forwarded-For: 10.0.0.2\r\n").second, 101);
  }
}

// /metrics can be closed to all but listed addresses and/or a bearer token: 403 with a JSON body
// otherwise. (Open by default, as before.)
TEST(Abuse, MetricsCanBeRestrictedByAddressAndToken) {
  const std::string get = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  auto expect_refused = [](const std::string& out) {
    EXPECT_EQ(status_of(out), 403) << out;
    EXPECT_EQ(str(json::parse(body_of(out)).at("code")), "4030");
    EXPECT_EQ(out.find("parley_connections_open"), std::string::npos);
  };
  {
    ServerProcess server({"--metrics-allow", "127.0.0.2,10.1.0.0/16"});
    expect_refused(exchange(server.port(), get + "\r\n"));
    // Forwarding headers from an untrusted peer do not make it someone else.
    expect_refused(exchange(server.port(), get + "X-Forwarded-For: 10.1.2.3\r\n\r\n"));
    std::string ok = exchange(server.port(), get + "\r\n", "127.0.0.2");
    EXPECT_EQ(status_of(ok), 200) << ok;
    EXPECT_NE(ok.find("parley_connections_open"), std::string::npos);
  }
  {
    ServerProcess server({"--metrics-allow", "10.1.0.0/16", "--trusted-proxies", "127.0.0.1"});
    std::string ok = exchange(server.port(), get + "X-Forwarded-For: 10.1.2.3\r\n\r\n");
    EXPECT_EQ(status_of(ok), 200) << ok;
    expect_refused(exchange(server.port(), get + "X-Forwarded-For: 10.2.0.1\r\n\r\n"));
  }
  {
    TempDir dir;
    std::string cfg = dir.path() + "/parley.yaml";
    std::ofstream(cfg) << "metrics_token: s3cret-scrape-token\n";
    ServerProcess server({"--config", cfg});
    expect_refused(exchange(server.port(), get + "\r\n"));
    expect_refused(exchange(server.port(), get + "Authorization: Bearer wrong\r\n\r\n"));
    expect_refused(
        exchange(server.port(), get + "Authorization: Bearer s3cret-scrape-toke\r\n\r\n"));
    std::string ok =
        exchange(server.port(), get + "Authorization: Bearer s3cret-scrape-token\r\n\r\n");
    EXPECT_EQ(status_of(ok), 200) << ok;
    EXPECT_NE(ok.find("parley_connections_open"), std::string::npos);
    // Nothing else changed: the API and health checks are still open.
    EXPECT_EQ(Http{server.port()}.get("/healthz").status, 200);
  }
}

// Each logout adds a revoked token id in memory; they used to stay until a restart. Now they
// are forgotten once their tokens expire (checked every second): parley_revoked_tokens shows
// them come and go.
TEST(Abuse, RevokedTokensAreForgottenOnceTheyExpire) {
  TempDir dir;
  std::string cfg = dir.path() + "/parley.yaml";
  std::ofstream(cfg) << "token_lifetime: 4\n";
  ServerProcess server({"--config", cfg});
  Http http{server.port()};
  EXPECT_EQ(metric(server.port(), "parley_revoked_tokens"), 0);
  std::string t1 = http.login("alice"), t2 = http.login("alice");
  ASSERT_EQ(http.post("/api/logout", "", t1).status, 200);
  ASSERT_EQ(http.post("/api/logout", "", t2).status, 200);
  auto wait_for = [&](long value, std::chrono::milliseconds within) {
    auto until = Clock::now() + within;
    long seen = -1;
    while (Clock::now() < until) {
      if ((seen = metric(server.port(), "parley_revoked_tokens")) == value) return true;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "parley_revoked_tokens stayed " << seen << ", expected " << value;
    return false;
  };
  EXPECT_TRUE(wait_for(2, 2500ms));
  EXPECT_EQ(http.get("/api/user", t1).status, 401);
  EXPECT_TRUE(wait_for(0, 7000ms));
  EXPECT_EQ(http.get("/api/user", t1).status, 401) << "expired now";
}

// Item 5: a victim whose conversation list is large (80 senders, each one message of control
// characters, escaped six times in JSON) still loads it: HTTP answers have their own bound, not
// the WebSocket's 4 MiB. The classic /api/list is answered from a short-lived copy and pages.
TEST(Abuse, ALargeConversationListStillLoads) {
  ServerProcess server;  // (with limits.max_http_response_bytes = 4 MiB this test fails)
  Http http{server.port()};
  std::string vt = http.login("victim");
  std::string noise(10000, '\x01');  // 60 KB escaped: a frame within 64 KiB
  for (int i = 0; i < 80; ++i) {
    std::string t = http.login("spam" + std::to_string(i));
    Chat c(server.port(), t, std::int64_t(0));
    c.send_message({"victim"}, noise, "c");
    ASSERT_EQ(str(c.next_of("ack").at("cid")), "c");
  }
  auto r = http.get("/api/conversations", vt);
  ASSERT_EQ(r.status, 200);
  EXPECT_GT(r.body.size(), std::size_t(4) << 20) << "larger than the WebSocket bound";
  EXPECT_EQ(json::parse(r.body).at("conversations").as_array().size(), 80u);

  auto all = http.get_json("/api/list").at("names").as_array();
  EXPECT_EQ(all.size(), 81u);
  auto page = http.get_json("/api/list?limit=10");
  ASSERT_EQ(page.at("names").as_array().size(), 10u);
  EXPECT_TRUE(page.at("more").as_bool());
  std::string last = str(page.at("names").as_array().back());
  auto next = http.get_json("/api/list?limit=1000&after=" + last);
  EXPECT_EQ(next.at("names").as_array().size(), 71u);
  EXPECT_FALSE(next.at("more").as_bool());
  EXPECT_EQ(http.get("/api/list?limit=0").status, 400);
  // A registration on this node shows at once.
  http.login("newcomer");
  auto again = http.get_json("/api/list").at("names").as_array();
  EXPECT_EQ(again.size(), 82u);
}

}  // namespace
}  // namespace parley::testing
