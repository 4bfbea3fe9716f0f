// SPDX-License-Identifier: MIT
// What a connection hands a complete HTTP request to. Defined here, below both net/ and api/,
// so the transport (net::Connection) and the application (api::Api, which implements it) do not
// include each other; app::Server wires them.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/http_message.hpp"

namespace parley::protocol {

// Called once with the answer, from whatever thread finished the work; the connection posts it
// back to its own thread.
using Responder = std::function<void(HttpResponse)>;

// Where a streamed request body goes (an upload), piece by piece as it arrives, on the
// connection's thread: memory stays bounded whatever the body's size.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next bytes of the body. An answer instead: refuse the rest (it is sent, the connection
  // closed, and `abort` called).
  virtual std::optional<HttpResponse> write(std::string_view chunk) = 0;
  // Flow control: false when the sink holds enough unwritten bytes; the connection then stops
  // reading until `resume` is called (from any thread; at once if the sink is ready already).
  virtual bool wants_more() const { return true; }
  virtual void on_ready(std::function<void()> resume) { resume(); }
  // The whole body is in: answer (from any thread).
  virtual void finish(Responder respond) = 0;
  // The body will not complete (the client went away, a time-out, a refusal): drop what was
  // kept. Called at most once, never after finish.
  virtual void abort() = 0;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // A request whose body should be streamed: its sink, or null to have the body buffered (and
  // limited by max_body_bytes) as usual. Set `refusal` (and return null) to answer at once
  // without reading the body (the connection is closed after it). Connection's thread.
  virtual std::unique_ptr<BodySink> open_stream(const HttpRequest& head, const std::string& peer_ip,
                                                std::optional<HttpResponse>& refusal) {
    (void)head, (void)peer_ip, (void)refusal;
    return nullptr;
  }
  // Any thread (called on the connection's shard thread).
  virtual void handle(const HttpRequest& req, const std::string& peer_ip, Responder respond) = 0;
  // May a page from `origin` open a WebSocket on `host`? (Cross-site WebSocket hijacking.)
  virtual bool origin_allowed(std::string_view origin, std::string_view host) const = 0;
};

}  // namespace parley::protocol
