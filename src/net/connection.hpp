// SPDX-License-Identifier: MIT
// One client connection, pinned to one shard for life: the socket, its read loop, the bounded
// output buffer and its flush. It starts as HTTP/1.1 (answered by the protocol::HttpHandler,
// connection_http.cpp) and may upgrade to a WebSocket (framing in connection_ws.cpp) carrying a
// hub::Session, which it owns and reaches the hub through.
//
// Threading: every member function runs on the shard's thread; other threads `post` to it.
// Lifetime: shared_ptr owned by its pending I/O handlers and by tasks posted to it; the shard's
// lists hold raw pointers that are removed when the connection closes.
//
// Output: frames are appended to `out_` and written once per loop iteration (one syscall for
// everything queued), which is what makes fan-out cheap. `out_` is bounded; a client that does
// not read is disconnected and resumes from its inbox later.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hub/transport.hpp"
#include "net/connection_deps.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"
#include "protocol/ws_frame.hpp"
#include "util/utf8.hpp"

namespace parley::hub {
class Session;
class Shard;
struct Services;
}  // namespace parley::hub

namespace parley::net {

class TlsSession;

class Connection final : public hub::Transport, public std::enable_shared_from_this<Connection> {
 public:
  enum class State : std::uint8_t {
    kHttp,       // serving HTTP requests
    kWebSocket,  // upgraded; the session runs on it
    kClosing,    // close frame sent or socket shutting down
    kClosed,
  };

  Connection(hub::Shard& shard, hub::Services& services, const ConnectionDeps& deps,
             boost::asio::ip::tcp::socket socket, std::uint64_t id);
  ~Connection() override;

  void start();

  // hub::Transport (shard thread)
  void send_text(std::string_view head, std::string_view tail = {}) override;
  void send_notice(std::string_view frame) override;
  void mark_seq(std::int64_t seq) override;
  std::size_t queued_bytes() const override { return out_.size() + writing_.size(); }
  void enforce_output_limit() override;
  void close(std::uint16_t code, std::string_view reason) override;
  // The client's address: the TCP peer, or behind a trusted proxy the forwarded address of the
  // connection's first request.
  const std::string& peer_ip() const override { return client_ip_; }
  std::weak_ptr<void> anchor() override { return weak_from_this(); }
  void flush() override;
  void flush_notices() override;
  void tick(std::int64_t now_ms) override;

  std::uint64_t id() const { return id_; }
  State state() const { return state_; }

 private:
  // transport (connection.cpp)
  void wait_readable();
  void on_readable();
  void consume(std::string_view data);
  void on_write_done();
  void append_frame(protocol::WsOpcode op, std::string_view payload);
  void queue_output();
  std::string& wire_bytes();
  void hard_close();
  bool over_output_limit() const;
  void end_session();

  // HTTP (connection_http.cpp)
  std::size_t consume_http(std::string_view buf);
  bool count_client(const protocol::HttpRequest& req);
  void request_timed_out();
  void start_websocket(const protocol::HttpRequest& req);
  void respond(protocol::HttpResponse resp, bool keep_alive, bool head_only);
  void end_response(bool keep_alive);
  // Streamed bodies (connection_http.cpp): an upload read into its sink as it arrives, a
  // download read from its source as the socket drains. Memory stays bounded by a chunk.
  bool start_upload(const protocol::HttpRequest& head, const std::string& client,
                    std::size_t length);
  std::size_t consume_upload(std::string_view buf);
  void abort_upload();
  void pause_upload();
  void pump_stream();

  // WebSocket framing (connection_ws.cpp)
  std::size_t consume_ws(std::string_view buf);
  void fail_ws(std::uint16_t close_code, std::string_view error_code, std::string_view text);
  void send_error(std::string_view code, std::string_view text);

  hub::Shard& shard_;
  hub::Services& svc_;
  ConnectionDeps deps_;
  boost::asio::ip::tcp::socket socket_;
  std::uint64_t id_;
  std::unique_ptr<hub::Session> session_;  // from the upgrade on

  std::string in_;       // unparsed input; empty (no capacity) while idle
  std::string out_;      // queued output
  std::string writing_;  // output being written
  std::string frag_;     // a fragmented WebSocket message being reassembled
  util::Utf8Validator frag_utf8_;
  protocol::WsOpcode frag_op_ = protocol::WsOpcode::kText;

  State state_ = State::kHttp;
  bool ip_counted_ = false;     // client_ip_ counted by the per-IP limiter
  bool via_proxy_ = false;      // the peer is a trusted proxy: the client is in the headers
  bool body_phase_ = false;     // the request's head is in; its body is awaited
  bool drop_pending_ = false;   // over the output limit; closing on the next turn
  bool fragmented_ = false;     // a fragmented message is being reassembled
  bool reading_ = false;        // an async_wait for input is pending
  bool writing_now_ = false;    // an async_write is pending
  bool flush_queued_ = false;   // in the shard's flush list
  bool notice_queued_ = false;  // in the shard's list of notices waiting for their delay
  bool http_busy_ = false;      // a request is being answered; read no further
  bool close_after_write_ = false;

  std::unique_ptr<protocol::BodySink> upload_;  // a body being streamed in
  std::size_t upload_left_ = 0;                 // its bytes still to come
  bool upload_keep_alive_ = false;
  bool upload_paused_ = false;  // the sink is behind: reading waits for its on_ready
  std::shared_ptr<protocol::BodySource> stream_;  // a body being streamed out
  std::size_t stream_left_ = 0;
  bool stream_keep_alive_ = false;
  std::int64_t stream_progress_ms_ = 0;  // the last time the client took some of it

  std::int64_t out_seq_ = 0;      // highest inbox seq in out_ (mark_seq)
  std::int64_t writing_seq_ = 0;  // highest inbox seq in writing_
  std::int64_t last_heard_ms_ = 0;
  std::int64_t last_ping_ms_ = 0;
  std::int64_t closing_since_ms_ = 0;
  // When the HTTP request being received must be complete (0: none under way). An absolute
  // deadline: unlike last_heard_ms_, a byte now and then does not move it.
  std::int64_t request_deadline_ms_ = 0;
  std::string peer_ip_;              // the TCP peer
  std::string client_ip_;            // see peer_ip()
  std::unique_ptr<TlsSession> tls_;  // set when the server runs TLS
  std::string tls_out_;              // TLS records waiting to be written
};

}  // namespace parley::net
