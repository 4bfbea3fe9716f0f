// SPDX-License-Identifier: MIT
// The HTTP side of a connection: one request at a time (pipelined requests wait in the input
// buffer), answered by the protocol::HttpHandler (the Api), or upgraded to a WebSocket on GET
// /api/ws.
#include <spdlog/spdlog.h>

#include <cctype>

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

// A Host header fit to build links from: a name or address and a port, nothing else.
bool is_plain_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']')
      return false;
  return true;
}

bool has_token(std::string_view list, std::string_view token) {
  // Case-insensitive search of a comma-separated header value.
  std::string l(list), t(token);
  for (auto& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
  return l.find(t) != std::string::npos;
}

}  // namespace

std::size_t Connection::consume_http(std::string_view buf) {
  if (upload_) return consume_upload(buf);
  HttpRequest req;
  {
    // The head first: a body the handler streams (an upload) is never buffered whole.
    protocol::HttpLimits head_limits;
    head_limits.head_only = true;
    auto h = protocol::parse_http_request(buf, req, head_limits);
    if (h.status == HttpParseStatus::kComplete && req.method == "POST" && count_client(req)) {
      std::string client =
          via_proxy_ ? protocol::client_address(req, peer_ip_, *deps_.trusted_proxies) : peer_ip_;
      if (start_upload(req, client, h.body_length)) {
        hub::Metrics::add(svc_.metrics->http_requests);
        return h.consumed + (http_busy_ ? 0 : consume_upload(buf.substr(h.consumed)));
      }
      if (http_busy_ || close_after_write_) return buf.size();  // refused at the head
    } else if (h.status == HttpParseStatus::kComplete && req.method == "POST") {
      return buf.size();  // over the per-address cap: answered
    }
  }
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
  abort_upload();
  // Nothing can be written before the TLS handshake completes.
  if (tls_ && !tls_->handshake_done()) return hard_close();
  http_busy_ = true;
  respond(protocol::code_response(408, protocol::code::kBadFormat,
                                  body_phase_ ? "request body not received in time"
                                              : "request head not received in time"),
          false, false);
}

// Asks the handler whether this POST's body is streamed; true when it is (the sink takes it from
// here) or when the handler refused it at the head (answered, http_busy_ set).
bool Connection::start_upload(const HttpRequest& head, const std::string& client,
                              std::size_t length) {
  std::optional<HttpResponse> refusal;
  auto sink = deps_.http->open_stream(head, client, refusal);
  if (refusal) {
    http_busy_ = true;
    respond(std::move(*refusal), false, false);
    return false;
  }
  if (!sink) return false;
  upload_ = std::move(sink);
  upload_left_ = length;
  upload_keep_alive_ = head.keep_alive && !svc_.shutting_down.load();
  body_phase_ = true;
  // A large body needs more than the body time-out on a slow link: at least 16 KiB/s is asked.
  request_deadline_ms_ = util::mono_ms() +
                         std::int64_t(svc_.config.limits.request_body_timeout_s) * 1000 +
                         std::int64_t(length / 16);
  return true;
}

std::size_t Connection::consume_upload(std::string_view buf) {
  std::size_t n = std::min(buf.size(), upload_left_);
  if (n) {
    if (auto refusal = upload_->write(buf.substr(0, n))) {
      abort_upload();
      http_busy_ = true;
      respond(std::move(*refusal), false, false);
      return buf.size();
    }
    upload_left_ -= n;
  }
  if (upload_left_ > 0) {
    if (!upload_paused_ && !upload_->wants_more()) pause_upload();
    return n;
  }
  upload_paused_ = false;
  // Complete: the sink answers; no read until then, as for any request.
  request_deadline_ms_ = 0;
  body_phase_ = false;
  http_busy_ = true;
  auto sink = std::move(upload_);
  asio::io_context& ioc = shard_.context();
  sink->finish([self = shared_from_this(), &ioc, keep_alive = upload_keep_alive_](HttpResponse r) {
    asio::post(ioc, [self, keep_alive, r = std::move(r)]() mutable {
      self->respond(std::move(r), keep_alive, false);
    });
  });
  return n;
}

// The sink holds enough unwritten bytes: no reads until it has written them (wait_readable
// checks upload_paused_). The rest of what was read is still consumed. With no read pending,
// the resume callback is what keeps the connection alive (the sink always drains, so it fires).
void Connection::pause_upload() {
  upload_paused_ = true;
  upload_->on_ready([self = shared_from_this(), &ioc = shard_.context()] {
    asio::post(ioc, [self] {
      if (!self->upload_paused_) return;
      self->upload_paused_ = false;
      self->wait_readable();
    });
  });
}

void Connection::abort_upload() {
  upload_paused_ = false;
  if (!upload_) return;
  upload_->abort();
  upload_.reset();
}

void Connection::respond(HttpResponse resp, bool keep_alive, bool head_only) {
  if (state_ == State::kClosed) return;
  out_ += protocol::serialize_response(resp, keep_alive, head_only);
  if (resp.source && !head_only && resp.source->size() > 0) {
    stream_ = std::move(resp.source);
    stream_left_ = stream_->size();
    stream_keep_alive_ = keep_alive;
    stream_progress_ms_ = util::mono_ms();
    return pump_stream();
  }
  end_response(keep_alive);
}

// Tops the output up to one chunk of the download; called again each time the socket drained.
void Connection::pump_stream() {
  constexpr std::size_t kChunk = 256 * 1024;
  while (stream_left_ > 0 && out_.size() < kChunk) {
    std::size_t before = out_.size();
    if (!stream_->read(out_, std::min(stream_left_, kChunk - out_.size())) || out_.size() == before)
      return hard_close();  // the file went away or failed: the length sent cannot be kept
    stream_left_ -= out_.size() - before;
  }
  if (stream_left_ > 0) return queue_output();
  stream_.reset();
  end_response(stream_keep_alive_);
}

void Connection::end_response(bool keep_alive) {
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
  if (svc_.config.public_url.empty()) {
    std::string_view host = req.header("host");
    if (is_plain_host(host))
      session_->set_site(
          shard_.site(std::string(deps_.tls ? "https://" : "http://") + std::string(host)));
  }
  last_heard_ms_ = last_ping_ms_ = util::mono_ms();
  queue_output();
}

}  // namespace parley::net
