// SPDX-License-Identifier: MIT
#include "accounts.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "client/socket.hpp"
#include "util/json_text.hpp"

namespace parley::bench {
namespace {

// One keep-alive HTTP/1.1 connection; reconnects when the server closes it.
class HttpSession {
 public:
  HttpSession(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

  std::pair<int, std::string> post(const std::string& target, const std::string& body) {
    for (int attempt = 0;; ++attempt) {
      try {
        return post_once(target, body);
      } catch (const std::exception&) {
        sock_.close();
        buf_.clear();
        if (attempt >= 3) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
      }
    }
  }

 private:
  std::pair<int, std::string> post_once(const std::string& target, const std::string& body) {
    if (!sock_.open()) sock_ = client::Socket::connect(host_, port_);
    std::string req =
        "POST " + target + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    sock_.send_all(req);
    std::size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) read_more();
    std::string head = buf_.substr(0, head_end);
    for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (head.size() < 12 || head.compare(0, 5, "http/") != 0)
      throw std::runtime_error("malformed HTTP answer");
    int status = std::stoi(head.substr(9, 3));
    bool close = head.find("\r\nconnection: close") != std::string::npos;
    std::size_t cl = head.find("\r\ncontent-length:");
    std::string resp;
    if (cl != std::string::npos) {
      std::size_t len = std::stoul(head.substr(cl + 17));
      while (buf_.size() < head_end + 4 + len) read_more();
      resp = buf_.substr(head_end + 4, len);
      buf_.erase(0, head_end + 4 + len);
    } else {
      close = true;
      try {
        for (;;) read_more();
      } catch (const std::exception&) {
      }
      resp = buf_.substr(head_end + 4);
      buf_.clear();
    }
    if (close) {
      sock_.close();
      buf_.clear();
    }
    return {status, resp};
  }

  void read_more() {
    std::string chunk = sock_.read_some(std::chrono::milliseconds(15000));
    if (chunk.empty()) throw std::runtime_error("connection closed");
    buf_ += chunk;
  }

  std::string host_;
  std::uint16_t port_;
  client::Socket sock_;
  std::string buf_;
};

std::string credentials(const std::string& name, const std::string& password) {
  std::string b = "{\"name\":";
  util::append_json_string(b, name);
  b += ",\"password\":";
  util::append_json_string(b, password);
  b += '}';
  return b;
}

std::string field(const std::string& body, const char* key) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  auto* f = v.as_object().if_contains(key);
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

}  // namespace

std::vector<Account> prepare_accounts(const Options& o, std::size_t count, std::size_t first) {
  std::vector<Account> out(count);
  std::mutex mu;
  std::string error;
  std::vector<std::thread> threads;
  unsigned n = unsigned(std::min<std::size_t>(o.setup_threads, std::max<std::size_t>(count, 1)));
  for (unsigned t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      try {
        HttpSession http(o.host, o.port);
        for (std::size_t i = t; i < count; i += n) {
          Account& a = out[i];
          a.name = o.prefix + std::to_string(first + i);
          std::string body = credentials(a.name, o.password);
          auto [st, reg] = http.post("/api/register", body);
          std::string code = field(reg, "code");
          if (code != "2000" && code != "4000")
            throw std::runtime_error("register " + a.name + ": HTTP " + std::to_string(st) + " " +
                                     reg);
          auto [st2, login] = http.post("/api/login", body);
          a.token = field(login, "token");
          if (field(login, "code") != "2000" || a.token.empty())
            throw std::runtime_error("login " + a.name + ": HTTP " + std::to_string(st2) + " " +
                                     login);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        if (error.empty()) error = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!error.empty()) throw std::runtime_error(error);
  return out;
}

}  // namespace parley::bench
