// SPDX-License-Identifier: MIT
// One client connection, pinned to one shard for life. It starts as HTTP/1.1 (the JSON API and
// static files) and may upgrade to a WebSocket chat session on GET /api/ws.
//
// Threading: every member function runs on the shard's thread; other threads `post` to it.
// Lifetime: shared_ptr owned by its pending I/O handler and by tasks posted to it; the shard's
// indexes hold raw pointers that are removed when the connection closes.
//
// Output: frames are appended to `out_` and written once per loop iteration (one syscall for
// everything queued), which is what makes fan-out cheap. `out_` is bounded; a client that does
// not read is disconnected and resumes from its inbox later.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/http_message.hpp"
#include "protocol/ws_frame.hpp"
#include "store/types.hpp"
#include "util/utf8.hpp"

namespace parley::app {
struct Services;
}

namespace parley::net {

class Shard;
class TlsSession;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State : std::uint8_t {
    kHttp,      // serving HTTP requests
    kUnauthed,  // WebSocket open, waiting for `auth`
    kSyncing,   // authenticated; sending the inbox backlog, holding live frames
    kLive,      // authenticated, in sync
    kClosing,   // close frame sent or socket shutting down
    kClosed,
  };

  Connection(Shard& shard, app::Services& services, boost::asio::ip::tcp::socket socket,
             std::uint64_t id);
  ~Connection();

  void start();

  // --- delivery (shard thread) ---
  // A message frame for this user's inbox at `seq`: `{"type":"normal","seq":seq,` + tail.
  // `incoming` = from someone else (classic backlog semantics).
  // `event`: a group membership event (`{"type":"group",...}`), which classic clients skip.
  void deliver(std::int64_t seq, bool incoming, const std::string& tail, bool event = false);
  // The `ack` for this connection's own send at `seq` (empty for a classic send without cid:
  // then only the seq advances). Bypasses the duplicate check.
  void deliver_ack(std::int64_t seq, const std::string& frame);
  void send_text(std::string_view json);
  // An `error` frame (counted by code in the metrics).
  void send_error(std::string_view code, std::string_view text, std::string_view cid = {});
  void send_loginlist(const std::string& frame);
  void close(std::uint16_t code, std::string_view reason);
  // Live deliveries may have been lost upstream: catch up from the inbox after last_seq_.
  void resync();

  // Writes queued output (called by the shard once per loop iteration).
  void flush();
  // Periodic checks: auth time-out, pings, idle time-out.
  void tick(std::int64_t now_ms);

  std::uint64_t id() const { return id_; }
  std::int64_t user_id() const { return uid_; }
  const std::string& user_name() const { return name_; }
  const std::string& token_id() const { return jti_; }
  State state() const { return state_; }
  bool authenticated() const { return state_ == State::kSyncing || state_ == State::kLive; }

  std::uint32_t shard_slot = 0;  // position in Shard::all_, kept by the shard

 private:
  // transport
  void wait_readable();
  void on_readable();
  void consume(std::string_view data);
  void on_write_done(boost::system::error_code ec, std::size_t n);
  void append_frame(protocol::WsOpcode op, std::string_view payload);
  void queue_output();
  std::string& wire_bytes();
  void hard_close();
  bool over_output_limit() const;

  // HTTP (connection_http.cpp)
  std::size_t consume_http(std::string_view buf);
  void start_websocket(const protocol::HttpRequest& req);
  void respond(protocol::HttpResponse resp, bool keep_alive, bool head_only);

  // WebSocket framing (connection_ws.cpp)
  std::size_t consume_ws(std::string_view buf);
  void on_ws_message(std::string_view text);
  void fail_ws(std::uint16_t close_code, std::string_view error_code, std::string_view text);

  // chat session (session.cpp)
  void handle_frame(std::string_view text);
  void on_auth_frame(std::string token, std::int64_t resume_seq, bool resume);
  void on_normal_frame(std::string content, std::vector<std::string> to, std::string cid,
                       std::int64_t group);
  void request_backlog();
  void retry_backlog_later();
  void on_backlog(store::InboxPage page);
  void pump_backlog();
  void finish_sync();
  void leave_hub();
  bool take_rate_token(std::int64_t now_ms);

  Shard& shard_;
  app::Services& svc_;
  boost::asio::ip::tcp::socket socket_;
  std::uint64_t id_;

  std::string in_;       // unparsed input; empty (no capacity) while idle
  std::string out_;      // queued output
  std::string writing_;  // output being written
  std::string frag_;     // a fragmented WebSocket message being reassembled
  util::Utf8Validator frag_utf8_;
  protocol::WsOpcode frag_op_ = protocol::WsOpcode::kText;

  State state_ = State::kHttp;
  bool ip_counted_ = false;    // counted by the per-IP limiter
  bool drop_pending_ = false;  // over the output limit; closing on the next turn
  bool fragmented_ = false;    // a fragmented message is being reassembled
  bool reading_ = false;       // an async_wait for input is pending
  bool writing_now_ = false;   // an async_write is pending
  bool flush_queued_ = false;  // in the shard's flush list
  bool http_busy_ = false;     // a request is being answered; read no further
  bool close_after_write_ = false;
  bool attached_ = false;         // counted in presence and indexed by user
  bool resume_ = false;           // auth carried `seq`: resume mode
  bool backlog_pending_ = false;  // a backlog read is in flight
  bool backlog_more_ = false;     // the store has more backlog after what was read
  bool ok_sent_ = false;          // the `ok` frame went out
  bool list_from_push_ = false;   // this login brought the user online: a push is scheduled
  std::uint64_t pushes_at_auth_ = 0;

  std::int64_t uid_ = 0;
  std::string name_;
  std::string jti_;
  std::int64_t token_exp_ = 0;

  std::int64_t backlog_after_ = 0;  // next backlog read starts after this seq
  std::int64_t sync_head_ = 0;      // the inbox head when the backlog was last read
  std::int64_t last_seq_ = 0;       // highest inbox seq sent on this connection
  std::int64_t out_seq_ = 0;        // highest seq in out_
  std::int64_t writing_seq_ = 0;    // highest seq in writing_
  struct Held {
    std::int64_t seq;
    bool incoming;
    bool ack;           // always sent: the client waits for it
    std::string frame;  // whole JSON text
  };
  std::vector<Held> held_;  // live frames that arrived while syncing
  void catch_up(Held held);
  std::vector<store::InboxEntry> backlog_;  // the page being written while syncing
  std::size_t backlog_next_ = 0;
  std::size_t held_bytes_ = 0;

  std::int64_t opened_ms_ = 0;
  std::int64_t last_heard_ms_ = 0;
  std::int64_t last_ping_ms_ = 0;
  std::int64_t closing_since_ms_ = 0;
  double tokens_ = 0;
  std::int64_t tokens_at_ms_ = 0;
  std::string peer_ip_;
  std::unique_ptr<TlsSession> tls_;                         // set when the server runs TLS
  std::string tls_out_;                                     // TLS records waiting to be written
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;  // only while the store is failing
};

}  // namespace parley::net
