// SPDX-License-Identifier: MIT
#include "support/chat_client.hpp"

#include <stdexcept>

namespace parley::testing {

client::HttpResult Http::get(const std::string& target, const std::string& token) const {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["w-token"] = token;
  return client::http_request("127.0.0.1", port, "GET", target, {}, h);
}

client::HttpResult Http::post(const std::string& target, const std::string& body,
                              const std::string& token) const {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["w-token"] = token;
  return client::http_request("127.0.0.1", port, "POST", target, body, h);
}

json::value Http::get_json(const std::string& target, const std::string& token) const {
  return json::parse(get(target, token).body);
}

json::value Http::post_json(const std::string& target, const std::string& body) const {
  return json::parse(post(target, body).body);
}

std::string Http::login(const std::string& name, const std::string& password) const {
  json::object cred{{"name", name}, {"password", password}};
  std::string body = json::serialize(cred);
  post("/api/register", body);
  json::value r = post_json("/api/login", body);
  if (r.at("code").as_string() != "2000")
    throw std::runtime_error("login failed: " + json::serialize(r));
  return std::string(r.at("token").as_string());
}

Chat::Chat(std::uint16_t port, const std::string& token, std::optional<std::int64_t> seq)
    : ws(client::WsClient::connect("127.0.0.1", port)) {
  if (token.empty()) return;
  json::object auth{{"type", "auth"}, {"content", token}};
  if (seq) auth["seq"] = *seq;
  send(auth);
  ok = next_of("ok");
}

void Chat::send_message(const std::vector<std::string>& to, const std::string& content,
                        const std::string& cid) {
  json::array names;
  for (const auto& n : to) names.emplace_back(n);
  json::object f{{"type", "normal"}, {"content", content}, {"to", names}, {"from", "spoofed"}};
  if (!cid.empty()) f["cid"] = cid;
  send(f);
}

json::object Chat::next(bool skip_loginlist, std::chrono::milliseconds timeout) {
  for (;;) {
    std::string text = ws.read_text(timeout);
    json::value v = json::parse(text);
    json::object& o = v.as_object();
    if (skip_loginlist && o.at("type").as_string() == "loginlist") continue;
    return o;
  }
}

json::object Chat::next_of(const std::string& type, std::chrono::milliseconds timeout) {
  for (;;) {
    json::object o = next(false, timeout);
    if (o.at("type").as_string() == type) return o;
  }
}

bool Chat::quiet(std::chrono::milliseconds wait) {
  try {
    next(true, wait);
    return false;
  } catch (const std::runtime_error& e) {
    return std::string(e.what()) == "timeout";
  }
}

std::vector<json::object> Chat::drain(std::chrono::milliseconds wait) {
  std::vector<json::object> out;
  for (;;) {
    try {
      out.push_back(next(true, wait));
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()) != "timeout") throw;
      return out;
    }
  }
}

std::vector<json::object> Chat::drain_of(const std::string& type, std::chrono::milliseconds wait) {
  std::vector<json::object> out;
  for (auto& f : drain(wait))
    if (f.contains("type") && f.at("type").is_string() && f.at("type").as_string() == type)
      out.push_back(std::move(f));
  return out;
}

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

}  // namespace parley::testing
