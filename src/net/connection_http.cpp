// SPDX-License-Identifier: MIT
// The HTTP side of a connection: one request at a time (pipelined requests wait in the input
// buffer), answered by the protocol::HttpHandler (the Api), or upgraded to a WebSocket on GET
// /api/ws.
#include <spdlog/spdlog.h>

#include "hub/metrics.hpp"
#include "hub/services.hpp"
#include "hub/session.hpp"
#include "hub/shard.hpp"
#include "net/connection.hpp"
#include "net/ip_limiter.hpp"
#include "net/tls_session.hpp"
#include "protocol/codes.hpp"
#include "protocol/forwarded.hpp"
#include "protocol/http_handler.hpp"
#include "util/clock.hpp"

namespace parley::net {
namespace asio = boost::asio;
using protocol::HttpParseStatus;
using protocol::HttpRequest;
using protocol::HttpResponse;

namespace {

bool has_token(std::string_view list, std::string_view token) {
  // Case-insensitive search of a comma-separated header value.
  std::string l(list), t(token);
  for (auto& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
  return l.find(t) != std::string::npos;
}

}  // namespace

std::size_t Connection::consume_http(std::string_view buf) {
  HttpRequest req;
  protocol::HttpLimits limits;
  limits.max_body_bytes = svc_.config.limits.max_body_bytes;
  auto r = protocol::parse_http_request(buf, req, limits);
  if (r.status == HttpParseStatus::kNeedMore) {
    if (r.head_complete && !body_phase_) {
      body_phase_ = true;
      request_deadline_ms_ =
          util::mono_ms() + std::int64_t(svc_.config.limits.request_body_timeout_s) * 1000;
    }
    return 0;
  }
  hub::Metrics::add(svc_.metrics->http_requests);
  request_deadline_ms_ = 0;
  body_phase_ = false;
  if (r.status == HttpParseStatus::kError) {
    http_busy_ = true;
    respond(protocol::code_response(r.error_status, protocol::code::kBadFormat, r.error), false,
            false);
    return buf.size();
  }
  if (!count_client(req)) return buf.size();
  if (req.path == "/api/ws" && req.method == "GET") {
    start_websocket(req);
    return r.consumed;
  }
  http_busy_ = true;
  bool keep_alive = req.keep_alive && !svc_.shutting_down.load();
  bool head_only = req.method == "HEAD";
  // The responder owns the connection until the answer is written: no read is pending while
  // a request is being served, so nothing else keeps it alive.
  asio::io_context& ioc = shard_.context();
  // Each request's own client: a proxy may carry several clients' requests on one connection.
  std::string client =
      via_proxy_ ? protocol::client_address(req, peer_ip_, *deps_.trusted_proxies) : peer_ip_;
  deps_.http->handle(
      req, client, [self = shared_from_this(), &ioc, keep_alive, head_only](HttpResponse resp) {
        asio::post(ioc, [self, keep_alive, head_only, resp = std::move(resp)]() mutable {
          self->respond(std::move(resp), keep_alive, head_only);
        });
      });
  return r.consumed;
}

// Through a trusted proxy the connection is counted against its first request's client, and
// refused like a direct one when that client is at its cap.
bool Connection::count_client(const HttpRequest& req) {
  if (ip_counted_ || !via_proxy_) return true;
  client_ip_ = protocol::client_address(req, peer_ip_, *deps_.trusted_proxies);
  if (!deps_.ip_limiter->acquire(client_ip_)) {
    http_busy_ = true;
    respond(protocol::code_response(429, protocol::code::kTooManyAttempts,
                                    "too many connections from this address"),
            false, false);
    return false;
  }
  ip_counted_ = true;
  return true;
}

// A request whose head or body did not arrive in time (one byte a minute would otherwise hold
// the connection forever): answered 408, closed.
void Connection::request_timed_out() {
  request_deadline_ms_ = 0;
  // Nothing can be written before the TLS handshake completes.
  if (tls_ && !tls_->handshake_done()) return hard_close();
  http_busy_ = true;
  respond(protocol::code_response(408, protocol::code::kBadFormat,
                                  body_phase_ ? "request body not received in time"
                                              : "request head not received in time"),
          false, false);
}

void Connection::respond(HttpResponse resp, bool keep_alive, bool head_only) {
  if (state_ == State::kClosed) return;
  out_ += protocol::serialize_response(resp, keep_alive, head_only);
  http_busy_ = false;
  if (!keep_alive) {
    close_after_write_ = true;
    std::string().swap(in_);
  }
  queue_output();
  if (keep_alive && !in_.empty()) consume({});
  wait_readable();
}

void Connection::start_websocket(const HttpRequest& req) {
  auto refuse = [&](int status, std::string_view msg) {
    http_busy_ = true;
    respond(protocol::code_response(status, protocol::code::kBadFormat, msg), false, false);
  };
  std::string_view key = req.header("sec-websocket-key");
  if (!has_token(req.header("upgrade"), "websocket") ||
      !has_token(req.header("connection"), "upgrade") || key.empty())
    return refuse(426, "WebSocket upgrade required");
  if (req.header("sec-websocket-version") != "13") {
    HttpResponse r =
        protocol::code_response(426, protocol::code::kBadFormat, "unsupported WebSocket version");
    r.headers.emplace_back("Sec-WebSocket-Version", "13");
    http_busy_ = true;
    return respond(std::move(r), false, false);
  }
  if (!deps_.http->origin_allowed(req.header("origin"), req.header("host")))
    return refuse(403, "origin not allowed");
  if (svc_.shutting_down.load()) return refuse(503, "shutting down");

  out_ +=
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out_ += protocol::ws_accept_key(key);
  out_ += "\r\n\r\n";
  state_ = State::kWebSocket;
  session_ = std::make_unique<hub::Session>(shard_, svc_, *this, id_);
  last_heard_ms_ = last_ping_ms_ = util::mono_ms();
  queue_output();
}

}  // namespace parley::net
