// SPDX-License-Identifier: MIT
// A minimal blocking HTTP/1.1 client (one request per connection) for tests and tools.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace parley::client {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

HttpResult http_request(const std::string& host, std::uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});

// Sends `raw` bytes as they are and returns everything the server answers until it closes or
// `timeout_ms` passes. For malformed-request tests.
std::string http_raw(const std::string& host, std::uint16_t port, const std::string& raw,
                     int timeout_ms = 2000);

}  // namespace parley::client
