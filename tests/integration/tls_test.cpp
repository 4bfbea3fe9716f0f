// SPDX-License-Identifier: MIT
// --tls-cert/--tls-key: https and wss with a self-signed certificate, through real TLS clients
// (curl for HTTPS, OpenSSL for the WebSocket), and a plain-text client refused.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>

#include "support/chat_client.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

// A blocking TLS client over the project's socket; no certificate check (self-signed).
class TlsStream {
 public:
  TlsStream(std::uint16_t port) : sock_(client::Socket::connect("127.0.0.1", port)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, sock_.fd());
    SSL_set_tlsext_host_name(ssl_, "localhost");
    if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake failed");
  }
  ~TlsStream() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  void send(std::string_view s) {
    if (SSL_write(ssl_, s.data(), int(s.size())) != int(s.size()))
      throw std::runtime_error("write");
  }
  // Reads until `pred(buffer)` holds.
  template <typename Pred>
  std::string read_until(Pred pred) {
    char buf[16384];
    while (!pred(buf_)) {
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("closed");
      buf_.append(buf, std::size_t(n));
    }
    return buf_;
  }
  // The next WebSocket text frame's payload.
  std::string read_frame() {
    protocol::WsFrameHeader h;
    read_until([&](const std::string& b) {
      return protocol::parse_ws_header(b, h) == protocol::WsHeaderStatus::kOk &&
             b.size() >= h.header_len + h.payload_len;
    });
    std::string payload = buf_.substr(h.header_len, h.payload_len);
    buf_.erase(0, h.header_len + h.payload_len);
    return payload;
  }
  void send_frame(std::string_view text) {
    std::uint8_t mask[4] = {1, 2, 3, 4};
    std::string f;
    protocol::append_ws_frame(f, protocol::WsOpcode::kText, text, mask);
    send(f);
  }
  std::string& buffer() { return buf_; }

 private:
  client::Socket sock_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

class Tls : public ::testing::Test {
 protected:
  static std::string make_cert(const TempDir& dir) {
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
        dir.path() + "/key.pem -out " + dir.path() + "/cert.pem 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
    return dir.path();
  }
  TempDir certs;
  std::string dir = make_cert(certs);
  ServerProcess server{{"--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/key.pem"}, true};
};

TEST_F(Tls, ServesHttpsAndWss) {
  std::string cmd = "curl -sk -X POST https://127.0.0.1:" + std::to_string(server.port()) +
                    "/api/register -d '{\"name\":\"alice\",\"password\":\"abc\"}'";
  FILE* p = ::popen(cmd.c_str(), "r");
  char out[512] = {};
  std::size_t n = std::fread(out, 1, sizeof out - 1, p);
  ::pclose(p);
  EXPECT_NE(std::string(out, n).find("\"2000\""), std::string::npos) << std::string(out, n);

  // Log in over TLS, then chat over wss.
  TlsStream login(server.port());
  std::string body = R"({"name":"alice","password":"abc"})";
  login.send("POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  std::string resp = login.read_until([](const std::string& b) {
    return b.find("\"token\"") != std::string::npos &&
           b.find("}", b.find("\"token\"")) != std::string::npos;
  });
  auto t0 = resp.find("\"token\":\"") + 9;
  std::string token = resp.substr(t0, resp.find('"', t0) - t0);

  TlsStream ws(server.port());
  ws.send(
      "GET /api/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  std::string head =
      ws.read_until([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  ws.buffer().erase(0, head.find("\r\n\r\n") + 4);
  ws.send_frame(R"({"type":"auth","content":")" + token + R"("})");
  EXPECT_NE(ws.read_frame().find("\"type\":\"ok\""), std::string::npos);
  ws.send_frame(R"({"type":"ping"})");
  std::string f;
  do f = ws.read_frame();
  while (f.find("loginlist") != std::string::npos);
  EXPECT_EQ(f, R"({"type":"pong"})");
}

TEST_F(Tls, PlainTextClientsAreRefused) {
  EXPECT_THROW(client::http_request("127.0.0.1", server.port(), "GET", "/healthz"), std::exception);
  std::string cmd =
      "curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:" + std::to_string(server.port()) +
      "/healthz";
  FILE* p = ::popen(cmd.c_str(), "r");
  char out[16] = {};
  std::fread(out, 1, sizeof out - 1, p);
  ::pclose(p);
  EXPECT_STREQ(out, "200");
}

}  // namespace
}  // namespace parley::testing
