// SPDX-License-Identifier: MIT
#include "client/http_client.hpp"

#include <stdexcept>

#include "client/socket.hpp"

namespace parley::client {

HttpResult http_request(const std::string& host, std::uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  Socket s = Socket::connect(host, port);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" +
                    std::to_string(port) + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  s.send_all(req);
  std::string raw;
  for (;;) {
    std::string chunk = s.read_some(std::chrono::milliseconds(10000));
    if (chunk.empty()) break;
    raw += chunk;
  }
  auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) throw std::runtime_error("malformed HTTP response");
  HttpResult r;
  r.status = std::stoi(raw.substr(9, 3));
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    auto e = raw.find("\r\n", pos);
    auto line = raw.substr(pos, e - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string k = line.substr(0, colon);
      for (auto& c : k) c = char(std::tolower(static_cast<unsigned char>(c)));
      std::string v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers[k] = v;
    }
    pos = e + 2;
  }
  r.body = raw.substr(end + 4);
  return r;
}

std::string http_raw(const std::string& host, std::uint16_t port, const std::string& raw,
                     int timeout_ms) {
  Socket s = Socket::connect(host, port);
  s.send_all(raw);
  std::string out;
  try {
    for (;;) {
      std::string chunk = s.read_some(std::chrono::milliseconds(timeout_ms));
      if (chunk.empty()) break;
      out += chunk;
    }
  } catch (const std::runtime_error&) {
    // time-out: return what arrived
  }
  return out;
}

}  // namespace parley::client
