// SPDX-License-Identifier: MIT
// Test-side helpers over the project's clients: register/login over HTTP, an authenticated
// WebSocket that parses frames as JSON, and "expect no frame" checks.
#pragma once
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/http_client.hpp"
#include "client/ws_client.hpp"

namespace parley::testing {

namespace json = boost::json;

struct Http {
  std::uint16_t port;
  client::HttpResult get(const std::string& target, const std::string& token = {}) const;
  client::HttpResult post(const std::string& target, const std::string& body,
                          const std::string& token = {}) const;
  json::value get_json(const std::string& target, const std::string& token = {}) const;
  json::value post_json(const std::string& target, const std::string& body) const;
  // Registers (if needed) and logs in; returns the token.
  std::string login(const std::string& name, const std::string& password = "secret") const;
};

class Chat {
 public:
  // Opens a WebSocket; with `token`, authenticates (classic, or resume when `seq` is set) and
  // reads the `ok`.
  Chat(std::uint16_t port, const std::string& token = {}, std::optional<std::int64_t> seq = {});

  void send(const json::value& frame) { ws.send_text(json::serialize(frame)); }
  void send_raw_text(const std::string& text) { ws.send_text(text); }
  void send_message(const std::vector<std::string>& to, const std::string& content,
                    const std::string& cid = {});

  // The next frame; loginlist frames are skipped unless asked for.
  json::object next(bool skip_loginlist = true,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // The next frame of `type` (others skipped).
  json::object next_of(const std::string& type,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // True when no non-loginlist frame arrives within `wait`.
  bool quiet(std::chrono::milliseconds wait = std::chrono::milliseconds(300));
  // Every non-loginlist frame until none arrives within `wait`.
  std::vector<json::object> drain(std::chrono::milliseconds wait = std::chrono::milliseconds(300));
  // Drains and returns the frames of `type` (for "no frame of this type" checks).
  std::vector<json::object> drain_of(
      const std::string& type, std::chrono::milliseconds wait = std::chrono::milliseconds(300));

  json::object ok;  // the ok frame
  client::WsClient ws;
};

std::string str(const json::value& v);

}  // namespace parley::testing
