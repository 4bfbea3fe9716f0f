// SPDX-License-Identifier: MIT
// What a connection hands a complete HTTP request to. Defined here, below both net/ and api/,
// so the transport (net::Connection) and the application (api::Api, which implements it) do not
// include each other; app::Server wires them.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "protocol/http_message.hpp"

namespace parley::protocol {

// Called once with the answer, from whatever thread finished the work; the connection posts it
// back to its own thread.
using Responder = std::function<void(HttpResponse)>;

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Any thread (called on the connection's shard thread).
  virtual void handle(const HttpRequest& req, const std::string& peer_ip, Responder respond) = 0;
  // May a page from `origin` open a WebSocket on `host`? (Cross-site WebSocket hijacking.)
  virtual bool origin_allowed(std::string_view origin, std::string_view host) const = 0;
};

}  // namespace parley::protocol
