// SPDX-License-Identifier: MIT
// Connection transport: reading without a per-connection buffer while idle, and one coalesced
// write per loop iteration. HTTP is in connection_http.cpp, WebSocket framing in
// connection_ws.cpp, the chat session in hub/session*.cpp.
#include "net/connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>

#include "hub/metrics.hpp"
#include "hub/services.hpp"
#include "hub/session.hpp"
#include "hub/shard.hpp"
#include "net/ip_limiter.hpp"
#include "net/tls_session.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "util/address_list.hpp"
#include "util/clock.hpp"

namespace parley::net {
namespace asio = boost::asio;
using protocol::WsOpcode;

Connection::Connection(hub::Shard& shard, hub::Services& svc, const ConnectionDeps& deps,
                       asio::ip::tcp::socket socket, std::uint64_t id)
    : shard_(shard), svc_(svc), deps_(deps), socket_(std::move(socket)), id_(id) {
  last_heard_ms_ = util::mono_ms();
  hub::Metrics::add(svc_.metrics->connections_total);
  svc_.metrics->connections_open.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (ip_counted_) deps_.ip_limiter->release(client_ip_);
  svc_.metrics->connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start() {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) peer_ip_ = ep.address().to_string();
  client_ip_ = peer_ip_;
  shard_.add(this);
  if (deps_.tls) tls_ = std::make_unique<TlsSession>(*deps_.tls);
  // The first request's head is due from the accept: a silent socket or a TLS handshake that
  // trickles is held no longer than a slow request.
  request_deadline_ms_ =
      util::mono_ms() + std::int64_t(svc_.config.limits.request_head_timeout_s) * 1000;
  // Through a trusted proxy the client is known from the first request's headers only: it is
  // counted then (count_client).
  via_proxy_ = deps_.trusted_proxies->contains(peer_ip_);
  if (!via_proxy_ && !deps_.ip_limiter->acquire(client_ip_)) {
    // Over the per-IP cap: one short answer, then close.
    out_ = protocol::serialize_response(
        protocol::code_response(429, protocol::code::kTooManyAttempts,
                                "too many connections from this address"),
        false);
    close_after_write_ = true;
    return queue_output();
  }
  ip_counted_ = !via_proxy_;
  wait_readable();
}

void Connection::wait_readable() {
  if (reading_ || state_ == State::kClosed || http_busy_ || upload_paused_) return;
  reading_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       self->reading_ = false;
                       if (ec) return self->hard_close();
                       self->on_readable();
                     });
}

void Connection::on_readable() {
  std::string& buf = shard_.scratch();
  // A few reads per wake-up at most, so one busy client cannot starve the shard.
  for (int i = 0; i < 4 && state_ != State::kClosed && !upload_paused_; ++i) {
    boost::system::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(buf.data(), buf.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec || n == 0) return hard_close();
    last_heard_ms_ = util::mono_ms();
    if (tls_) {
      std::string plain;
      if (!tls_->receive(std::string_view(buf.data(), n), plain)) return hard_close();
      if (tls_->has_output() || !out_.empty()) queue_output();  // handshake, or data it held
      if (!plain.empty()) consume(plain);
    } else {
      consume(std::string_view(buf.data(), n));
    }
    if (n < buf.size()) break;
  }
  wait_readable();
}

void Connection::consume(std::string_view data) {
  // Answered and closing: whatever else arrives (the rest of a refused upload) is dropped.
  if (state_ == State::kHttp && close_after_write_) return;
  std::string_view view = data;
  if (!in_.empty()) {
    in_.append(data);
    view = in_;
  }
  std::size_t used = 0;
  while (used < view.size() && state_ != State::kClosed && !http_busy_) {
    std::size_t n =
        state_ == State::kHttp ? consume_http(view.substr(used)) : consume_ws(view.substr(used));
    if (n == 0) break;
    used += n;
  }
  if (state_ == State::kClosed) return;
  if (in_.empty()) {
    in_.assign(view.substr(used));
  } else {
    in_.erase(0, used);
  }
  if (in_.empty() && in_.capacity() > 0) std::string().swap(in_);
  // The first byte of a request starts its head deadline (consume_http moves it on).
  if (state_ == State::kHttp && !in_.empty() && request_deadline_ms_ == 0)
    request_deadline_ms_ =
        util::mono_ms() + std::int64_t(svc_.config.limits.request_head_timeout_s) * 1000;
}

void Connection::append_frame(WsOpcode op, std::string_view payload) {
  protocol::append_ws_header(out_, op, payload.size());
  out_.append(payload);
  hub::Metrics::add(svc_.metrics->frames_out);
  queue_output();
}

void Connection::send_text(std::string_view head, std::string_view tail) {
  // Nothing more once closing, or once dropped as a slow consumer (the frames would be thrown
  // away with the connection on the next turn).
  if (state_ != State::kWebSocket || drop_pending_) return;
  protocol::append_ws_header(out_, WsOpcode::kText, head.size() + tail.size());
  out_.append(head);
  out_.append(tail);
  hub::Metrics::add(svc_.metrics->frames_out);
  queue_output();
}

void Connection::send_notice(std::string_view frame) {
  // A write is coming anyway (or the limit is near): no reason to wait.
  if (flush_queued_ || writing_now_ || over_output_limit()) return send_text(frame);
  if (state_ != State::kWebSocket || drop_pending_) return;
  protocol::append_ws_header(out_, WsOpcode::kText, frame.size());
  out_.append(frame);
  hub::Metrics::add(svc_.metrics->frames_out);
  if (notice_queued_) return;
  notice_queued_ = true;
  shard_.schedule_notice_flush(shared_from_this());
}

void Connection::flush_notices() {
  notice_queued_ = false;
  flush();  // nothing to do when another write took the notices already
}

void Connection::mark_seq(std::int64_t seq) {
  // Only seqs whose frames are in out_: the delivered cursor must never pass what was written.
  if (state_ != State::kWebSocket || drop_pending_) return;
  out_seq_ = std::max(out_seq_, seq);
}

void Connection::send_error(std::string_view code, std::string_view text) {
  svc_.metrics->count_error(code);
  send_text(protocol::error_frame(code, text));
}

void Connection::enforce_output_limit() {
  if (over_output_limit()) queue_output();  // drops the connection
}

void Connection::queue_output() {
  if (over_output_limit()) {
    hub::Metrics::add(svc_.metrics->slow_consumer_drops);
    if (drop_pending_) return;
    spdlog::warn("conn {}: user '{}' does not read; dropped (outbound {} bytes)", id_,
                 session_ ? session_->user_name() : std::string(),
                 out_.size() + writing_.size() + (session_ ? session_->held_bytes() : 0));
    // Closed from a fresh handler: the caller may be iterating the shard's user index.
    drop_pending_ = true;
    asio::post(shard_.context(), [self = shared_from_this()] { self->hard_close(); });
    return;
  }
  if (!flush_queued_ && !writing_now_) {
    flush_queued_ = true;
    shard_.schedule_flush(shared_from_this());
  }
}

bool Connection::over_output_limit() const {
  std::size_t held = session_ ? session_->held_bytes() : 0;
  // An HTTP answer is one response the client asked for (a long conversation list may pass the
  // WebSocket bound); downloads are streamed in 256 KiB steps and never come near either.
  std::size_t limit = state_ == State::kHttp ? svc_.config.limits.max_http_response_bytes
                                             : svc_.config.limits.max_outbound_bytes;
  return out_.size() + writing_.size() + held > limit;
}

// The bytes to put on the wire: out_ itself, or its TLS records.
std::string& Connection::wire_bytes() {
  if (!tls_) return out_;
  if (!out_.empty() && tls_->send(out_)) out_.clear();  // waits for the handshake otherwise
  tls_->take_output(tls_out_);
  return tls_out_;
}

void Connection::flush() {
  flush_queued_ = false;
  if (writing_now_ || state_ == State::kClosed) return;
  std::string& src = wire_bytes();
  if (src.empty()) return;
  // Try the socket right away: most of the time the kernel takes everything and no async
  // operation (and no allocation) is needed.
  boost::system::error_code ec;
  std::size_t n = socket_.write_some(asio::buffer(src), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return hard_close();
  if (ec) n = 0;
  if (n == src.size()) {
    src.clear();
    // Idle connections must not keep a large buffer (a big loginlist, a backlog page).
    if (src.capacity() > 4096) std::string().swap(src);
    std::int64_t seq = out_seq_;
    if (seq > writing_seq_ && session_) session_->on_written(seq);
    writing_seq_ = seq;
    on_write_done();
    return;
  }
  writing_.assign(src, n);
  src.clear();
  writing_seq_ = out_seq_;
  writing_now_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->writing_now_ = false;
                      if (ec) return self->hard_close();
                      if (self->session_) self->session_->on_written(self->writing_seq_);
                      std::string().swap(self->writing_);
                      self->on_write_done();
                    });
}

void Connection::on_write_done() {
  if (!out_.empty() || !tls_out_.empty() || (tls_ && tls_->has_output())) {
    if (!flush_queued_) {
      flush_queued_ = true;
      shard_.schedule_flush(shared_from_this());
    }
    return;
  }
  if (stream_) {
    stream_progress_ms_ = util::mono_ms();
    return pump_stream();
  }
  if (close_after_write_) {
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (state_ == State::kHttp) return hard_close();
    return;  // WebSocket: wait for the peer's close or the closing time-out
  }
  if (session_ && state_ == State::kWebSocket) session_->on_drained();
  if (http_busy_ == false && state_ == State::kHttp && !in_.empty()) consume({});
}

void Connection::close(std::uint16_t code, std::string_view reason) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  if (state_ == State::kHttp) return hard_close();
  end_session();
  append_frame(WsOpcode::kClose, protocol::ws_close_payload(code, reason));
  state_ = State::kClosing;
  closing_since_ms_ = util::mono_ms();
  close_after_write_ = true;
}

void Connection::hard_close() {
  if (state_ == State::kClosed) return;
  end_session();
  abort_upload();
  stream_.reset();
  state_ = State::kClosed;
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  std::string().swap(in_);
  std::string().swap(out_);
  std::string().swap(tls_out_);
  tls_.reset();
  shard_.remove(this);
}

void Connection::end_session() {
  if (session_) session_->end();
}

void Connection::tick(std::int64_t now) {
  const auto& l = svc_.config.limits;
  switch (state_) {
    case State::kHttp:
      // A download the client stopped reading.
      if (stream_ && now - stream_progress_ms_ > std::int64_t(l.idle_timeout_s) * 1000)
        return hard_close();
      if (http_busy_) break;
      if (request_deadline_ms_ != 0 && now > request_deadline_ms_) return request_timed_out();
      // Idle keep-alive connections.
      if (now - last_heard_ms_ > std::int64_t(l.idle_timeout_s) * 1000) hard_close();
      break;
    case State::kWebSocket:
      session_->tick(now);  // auth time-out, token expiry: may close
      if (state_ != State::kWebSocket || !session_->authenticated()) break;
      if (now - last_heard_ms_ > std::int64_t(l.idle_timeout_s) * 1000) {
        close(protocol::close_code::kTimeout, "idle");
      } else if (now - last_ping_ms_ > std::int64_t(l.ping_interval_s) * 1000 &&
                 now - last_heard_ms_ > std::int64_t(l.ping_interval_s) * 1000) {
        last_ping_ms_ = now;
        append_frame(WsOpcode::kPing, {});
      }
      break;
    case State::kClosing:
      if (now - closing_since_ms_ > 3000) hard_close();
      break;
    case State::kClosed:
      break;
  }
}

}  // namespace parley::net
