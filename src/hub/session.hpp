// SPDX-License-Identifier: MIT
// The chat session of one WebSocket connection: auth, the inbox backlog (classic offline
// messages or resume by seq), live delivery in seq order without duplicates or gaps, sends, and
// the message rate (per connection and per user). It talks to its connection only through
// hub::Transport; the connection owns the session and feeds it complete text messages.
//
// Threading: every method runs on the thread of the session's shard (the Router posts there).
// Sync protocol: the session is indexed by user *before* the backlog is read, so a message
// committed at any moment is either in the backlog or delivered live (held until the backlog is
// out); holding and the seq check remove the overlap (session_sync.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "store/types.hpp"

namespace parley::protocol {
struct ClientFrame;
}

namespace parley::hub {

class Shard;
class Transport;
class UserRate;
struct Services;

class Session {
 public:
  enum class State : std::uint8_t {
    kUnauthed,  // waiting for `auth`
    kSyncing,   // authenticated; sending the inbox backlog, holding live frames
    kLive,      // authenticated, in sync
    kEnded,     // the connection is closing or closed; no longer in the hub
  };

  // A resume `seq` above this is refused: no inbox gets there, and JavaScript clients cannot
  // hold a larger integer exactly (2^53 - 1).
  static constexpr std::int64_t kMaxResumeSeq = (std::int64_t(1) << 53) - 1;

  // `id`: the connection id that names this session's sends (for their ack).
  Session(Shard& shard, Services& services, Transport& transport, std::uint64_t id);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // --- input (shard thread) ---
  // A complete, valid UTF-8 text message from the client.
  void on_text(std::string_view text);
  // The transport wrote frames carrying the inbox up to `seq` (see Transport::mark_seq).
  void on_written(std::int64_t seq);
  // The output queue drained: stream more backlog if syncing.
  void on_drained();
  // The connection is closing or closed: leave the hub (idempotent).
  void end();
  // Periodic checks: auth time-out, token expiry. May close the connection.
  void tick(std::int64_t now_ms);

  // --- delivery (shard thread, from the Router) ---
  // An inbox frame for this user at `seq`: MessageHead(seq, kind) + tail (message_frames).
  // `incoming` = from someone else (classic backlog semantics). Classic clients skip every kind
  // but messages (classic_skips).
  void deliver(std::int64_t seq, bool incoming, const std::string& tail,
               store::EntryKind kind = store::EntryKind::kMessage);
  // A classic session gets a message with files as its text plus a signed link per file
  // (classic_files.hpp); `m.files` not empty. The tail for this session's user.
  bool wants_file_links() const { return classic_; }
  std::string classic_tail(const store::Committed& m, bool sender_copy) const;
  // Where links to this server point for this client: set at the upgrade from its Host (empty,
  // or config.public_url when set, makes them so).
  void set_site(std::shared_ptr<const std::string> site) { site_ = std::move(site); }
  // A frame without a seq (a read marker moved, someone is typing): sent at once to a session
  // past its `ok`, never held or replayed; classic sessions do not get it.
  void deliver_live(const std::string& frame);
  // A system notice: `frame` for parley clients, `classic` (a `normal` frame) for the original's.
  void deliver_notice(const std::string& frame, const std::string& classic);
  // The `ack` for this session's own send at `seq` (empty for a classic send without cid: then
  // only the seq advances). Bypasses the duplicate check.
  void deliver_ack(std::int64_t seq, const std::string& frame);
  // Live deliveries may have been lost upstream: catch up from the inbox after last_seq_.
  void resync();
  void send_loginlist(const std::string& frame);
  // Any frame (shard thread).
  void send_text(std::string_view json);
  // An `error` frame (counted by code in the metrics) (shard thread).
  void send_error(std::string_view code, std::string_view text, std::string_view cid = {});
  // Closes the connection (shard thread).
  void close(std::uint16_t code, std::string_view reason);

  // --- state (shard thread) ---
  std::uint64_t id() const { return id_; }
  std::int64_t user_id() const { return uid_; }
  const std::string& user_name() const { return name_; }
  const std::string& token_id() const { return jti_; }
  State state() const { return state_; }
  bool authenticated() const { return state_ == State::kSyncing || state_ == State::kLive; }
  // Bytes of live frames held while syncing (they count against the outbound limit).
  std::size_t held_bytes() const { return held_bytes_; }

 private:
  std::string classic_text(std::string_view content, std::string_view files) const;

  struct Held {
    std::int64_t seq;
    bool incoming;
    bool ack;           // always sent: the client waits for it
    std::string frame;  // whole JSON text
  };

  // session.cpp: auth and sends
  void on_auth_frame(std::string token, std::int64_t resume_seq, bool resume);
  void on_normal_frame(std::string content, std::vector<std::string> to, std::string cid,
                       std::int64_t group, std::int64_t reply_to, std::vector<std::string> files);
  // read, typing, recall, edit (authenticated)
  void on_state_frame(protocol::ClientFrame& f);
  bool typing_allowed(const store::SendRequest& req, std::int64_t now_ms);
  bool take_rate_token(std::int64_t now_ms);
  bool take_read_token(std::int64_t now_ms);

  // session_sync.cpp: backlog and ordering
  void request_backlog();
  void retry_backlog_later();
  void on_backlog(store::InboxPage page);
  void pump_backlog();
  void finish_sync();
  void catch_up(Held held);
  void hold(Held held);
  void sent_seq(std::int64_t seq);

  Shard& shard_;
  Services& svc_;
  Transport& transport_;
  std::uint64_t id_;
  State state_ = State::kUnauthed;

  // identity (set by auth)
  std::int64_t uid_ = 0;
  std::string name_;
  std::string jti_;
  std::int64_t token_exp_ = 0;
  std::int64_t token_gen_ = 0;  // the user's token generation at auth (file links carry it)
  std::int64_t opened_ms_ = 0;
  bool attached_ = false;        // counted in presence and indexed by user
  bool list_from_push_ = false;  // this login brought the user online: a push is scheduled
  std::uint64_t pushes_at_auth_ = 0;

  // sync
  bool classic_ = false;                     // auth without `seq`: the original's protocol only
  std::shared_ptr<const std::string> site_;  // see set_site; shared by the shard's sessions
  bool resume_ = false;             // follows the inbox by seq (auth carried `seq`, or caught up)
  bool backlog_pending_ = false;    // a backlog read (or its retry) is in flight
  bool backlog_more_ = false;       // the store has more backlog after what was read
  bool ok_sent_ = false;            // the `ok` frame went out
  std::int64_t backlog_after_ = 0;  // next backlog read starts after this seq
  std::int64_t sync_head_ = 0;      // the inbox head when the backlog was last read
  std::int64_t last_seq_ = 0;       // highest inbox seq queued on this connection
  std::vector<Held> held_;          // live frames that arrived while syncing
  std::size_t held_bytes_ = 0;
  std::vector<store::InboxEntry> backlog_;  // the page being written while syncing
  std::size_t backlog_next_ = 0;
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;  // only while the store is failing

  // rate: a token bucket per connection, and the user's bucket shared by their sessions
  double tokens_ = 0;
  std::int64_t tokens_at_ms_ = 0;
  std::shared_ptr<UserRate> user_rate_;
  // read markers have a bucket of their own (same rate and burst), so reading never stops sends
  double read_tokens_ = 0;
  std::int64_t read_tokens_at_ms_ = 0;
  // typing: when each conversation ("g<id>" / "u<name>") last had a frame forwarded
  std::vector<std::pair<std::string, std::int64_t>> typing_sent_;
};

}  // namespace parley::hub
