// SPDX-License-Identifier: MIT
// The chat session on top of a WebSocket connection: auth, the inbox backlog (classic offline
// messages or resume by seq), live delivery without duplicates, and sends.
//
// Sync protocol: the connection is indexed by user *before* the backlog is read, so a message
// committed at any moment is either in the backlog or delivered live (held until the backlog is
// out); holding and the seq check remove the overlap.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/metrics.hpp"
#include "app/services.hpp"
#include "auth/revocations.hpp"
#include "auth/token.hpp"
#include "hub/presence.hpp"
#include "net/connection.hpp"
#include "net/router.hpp"
#include "net/shard.hpp"
#include "protocol/client_frame.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace parley::net {
namespace asio = boost::asio;
namespace frame_error = protocol::frame_error;
namespace close_code = protocol::close_code;

namespace {

// Posts a store result back to the connection's shard; dropped if the connection is gone.
template <typename T, typename F>
store::Callback<T> on_shard(Connection& c, asio::io_context& ioc, F&& f) {
  return [weak = c.weak_from_this(), &ioc, f = std::forward<F>(f)](store::Result<T> r) mutable {
    asio::post(ioc, [weak, f = std::move(f), r = std::move(r)]() mutable {
      if (auto self = weak.lock()) f(*self, std::move(r));
    });
  };
}

}  // namespace

void Connection::on_ws_message(std::string_view text) {
  protocol::FrameLimits limits;
  limits.max_content_bytes = svc_.config.limits.max_content_bytes;
  limits.max_recipients = svc_.config.limits.max_recipients;
  auto decoded = protocol::decode_client_frame(text, limits);
  if (auto* e = std::get_if<protocol::FrameError>(&decoded)) {
    return send_error(e->code, e->text, e->cid);
  }
  auto& f = std::get<protocol::ClientFrame>(decoded);
  switch (f.type) {
    case protocol::ClientFrameType::kPing:
      return send_text(protocol::pong_frame());
    case protocol::ClientFrameType::kAuth:
      if (state_ != State::kUnauthed) {
        return send_error(frame_error::kAlreadyAuthenticated, "already authenticated");
      }
      return on_auth_frame(std::move(f.content), f.seq.value_or(0), f.seq.has_value());
    case protocol::ClientFrameType::kNormal:
      if (state_ == State::kUnauthed) {
        return send_error(frame_error::kNotAuthenticated, "send an auth frame first", f.cid);
      }
      if (!take_rate_token(util::mono_ms())) {
        return send_error(frame_error::kRateLimited, "too many messages; slow down", f.cid);
      }
      return on_normal_frame(std::move(f.content), std::move(f.to), std::move(f.cid), f.group);
  }
}

void Connection::on_auth_frame(std::string token, std::int64_t resume_seq, bool resume) {
  auto claims = svc_.tokens->verify(token, util::now_s());
  if (!claims || svc_.revocations->is_revoked(*claims)) {
    send_text(protocol::no_frame("token invalid, expired or revoked; log in again"));
    return close(close_code::kTokenRefused, "token refused");
  }
  // Read before the user is added: any push started after this count includes the user.
  std::uint64_t pushes_before = svc_.router->pushes_started();
  bool came_online = false;
  if (!svc_.presence->add(claims->uid, claims->name, svc_.config.limits.max_connections_per_user,
                          came_online)) {
    send_text(protocol::no_frame("too many connections for this user"));
    return close(close_code::kPolicy, "too many connections");
  }
  uid_ = claims->uid;
  name_ = std::move(claims->name);
  jti_ = std::move(claims->jti);
  token_exp_ = claims->exp;
  attached_ = true;
  shard_.attach_user(uid_, this);
  if (came_online) svc_.router->local_presence_changed();
  // Coming online schedules a push of the list to everyone, this connection included: no need
  // to send it after `ok` as well, unless that push has already started by then (it is skipped
  // before `ok`). In a login burst this halves the presence traffic.
  list_from_push_ = came_online;
  pushes_at_auth_ = pushes_before;
  state_ = State::kSyncing;
  resume_ = resume;
  tokens_ = svc_.config.limits.message_burst;
  tokens_at_ms_ = util::mono_ms();
  spdlog::debug("conn {}: '{}' authenticated ({})", id_, name_, resume ? "resume" : "classic");

  // Classic clients start at the delivered cursor (-1), resuming ones after their seq.
  backlog_after_ = resume ? resume_seq : -1;
  request_backlog();
}

void Connection::request_backlog() {
  backlog_pending_ = true;
  svc_.store->read_inbox(
      uid_, backlog_after_, !resume_, svc_.config.resume_page,
      on_shard<store::InboxPage>(*this, shard_.context(), [](Connection& c, auto r) {
        c.backlog_pending_ = false;
        if (auto* page = std::get_if<store::InboxPage>(&r)) return c.on_backlog(std::move(*page));
        if (!c.ok_sent_)
          return c.fail_ws(close_code::kInternalError, frame_error::kStoreUnavailable,
                           "store unavailable; reconnect later");
        // An established connection catching up keeps its socket and tries again: the store
        // may be back in a moment (Redis restarting).
        c.retry_backlog_later();
      }));
}

void Connection::retry_backlog_later() {
  if (!retry_timer_) retry_timer_ = std::make_unique<asio::steady_timer>(shard_.context());
  backlog_pending_ = true;
  retry_timer_->expires_after(std::chrono::milliseconds(500));
  retry_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->backlog_pending_ = false;
    if (!ec && self->state_ == State::kSyncing) self->request_backlog();
  });
}

void Connection::on_backlog(store::InboxPage page) {
  if (state_ != State::kSyncing) return;
  if (!ok_sent_) {
    ok_sent_ = true;
    send_text(protocol::ok_frame(name_, page.head));
    // Past the push cap the whole list is not sent to every login either (O(online) each).
    std::size_t cap = svc_.config.limits.loginlist_push_max_users;
    bool push_to_come = list_from_push_ && svc_.router->pushes_started() == pushes_at_auth_;
    if ((cap == 0 || svc_.presence->users() <= cap) && !push_to_come)
      send_loginlist(*svc_.presence->frame());
  }
  backlog_after_ = std::max(backlog_after_, page.scanned);
  sync_head_ = std::max(sync_head_, page.head);
  backlog_more_ = page.more;
  backlog_ = std::move(page.entries);
  backlog_next_ = 0;
  pump_backlog();
}

// Writes backlog entries while the output queue has room (half the limit), so a large inbox
// streams at the reader's pace instead of tripping the slow-consumer limit.
void Connection::pump_backlog() {
  const std::size_t room = svc_.config.limits.max_outbound_bytes / 2;
  std::string frame;
  while (backlog_next_ < backlog_.size() && out_.size() + writing_.size() < room) {
    const store::InboxEntry& e = backlog_[backlog_next_++];
    if (resume_ && e.seq <= last_seq_) continue;  // already sent on this connection
    frame.clear();
    if (e.kind == store::EntryKind::kGroupEvent) {
      last_seq_ = std::max(last_seq_, e.seq);
      if (!resume_) continue;  // classic clients know no group events
      protocol::append_event_head(frame, e.seq);
      frame += protocol::group_event_tail(e.id, e.ts, e.from, e.content);
    } else {
      protocol::MessageView m{e.id,      e.ts,
                              e.from,    e.own ? &e.to : nullptr,
                              e.content, e.own ? std::string_view(e.cid) : std::string_view()};
      m.group = e.group;
      protocol::append_message_head(frame, e.seq);
      frame += protocol::message_tail(m);
    }
    append_frame(protocol::WsOpcode::kText, frame);
    app::Metrics::add(svc_.metrics->messages_delivered);
    last_seq_ = std::max(last_seq_, e.seq);
    out_seq_ = std::max(out_seq_, e.seq);
    if (state_ == State::kClosed) return;
  }
  if (backlog_next_ < backlog_.size()) return;  // on_write_done pumps again
  std::vector<store::InboxEntry>().swap(backlog_);
  backlog_next_ = 0;
  if (!backlog_more_) return finish_sync();
  if (!backlog_pending_ && out_.size() + writing_.size() < room) request_backlog();
}

void Connection::finish_sync() {
  state_ = State::kLive;
  for (auto& h : held_) {
    // Resume covers every seq up to last_seq_; classic backlog only the incoming ones.
    if (!h.ack && h.seq <= last_seq_ && (resume_ || h.incoming)) continue;
    if (!h.frame.empty()) append_frame(protocol::WsOpcode::kText, h.frame);
    last_seq_ = std::max(last_seq_, h.seq);
    out_seq_ = std::max(out_seq_, h.seq);
  }
  std::vector<Held>().swap(held_);
  held_bytes_ = 0;
  // In sync up to the head that was read: what a classic backlog skipped (the user's own
  // copies) is not a gap.
  last_seq_ = std::max(last_seq_, sync_head_);
}

// Every inbox entry of the user reaches each of its live connections in seq order, so a seq
// beyond last_seq_ + 1 means an earlier one has not arrived: another node's publish is still in
// flight or was lost with that node. The inbox has it: hold this frame and read from there.
void Connection::catch_up(Held held) {
  held_bytes_ += held.frame.size();
  held_.push_back(std::move(held));
  state_ = State::kSyncing;
  resume_ = true;
  backlog_after_ = last_seq_;
  backlog_more_ = false;
  request_backlog();
}

void Connection::deliver(std::int64_t seq, bool incoming, const std::string& tail, bool event) {
  if (event && !resume_) {
    // A classic client knows no group events: only the seq moves on (no gap either). A gap
    // still catches up, and from then on the connection follows its inbox by seq.
    if (state_ == State::kSyncing) return held_.push_back(Held{seq, incoming, false, {}});
    if (state_ == State::kLive && seq == last_seq_ + 1) last_seq_ = out_seq_ = seq;
    if (state_ != State::kLive || seq <= last_seq_) return;
  }
  char head[48];
  int n = std::snprintf(head, sizeof head, "{\"type\":\"%s\",\"seq\":%lld,",
                        event ? "group" : "normal", static_cast<long long>(seq));
  if (state_ == State::kSyncing) {
    std::string frame(head, std::size_t(n));
    frame += tail;
    held_bytes_ += frame.size();
    held_.push_back(Held{seq, incoming, false, std::move(frame)});
    if (over_output_limit()) queue_output();  // drops the connection
    return;
  }
  if (state_ != State::kLive || seq <= last_seq_ || drop_pending_) return;
  if (seq > last_seq_ + 1) return catch_up(Held{seq, incoming, false, head + tail});
  protocol::append_ws_header(out_, protocol::WsOpcode::kText, std::size_t(n) + tail.size());
  out_.append(head, std::size_t(n));
  out_ += tail;
  last_seq_ = out_seq_ = seq;
  app::Metrics::add(svc_.metrics->messages_delivered);
  app::Metrics::add(svc_.metrics->frames_out);
  queue_output();
}

void Connection::deliver_ack(std::int64_t seq, const std::string& frame) {
  if (state_ == State::kSyncing) {
    held_bytes_ += frame.size();
    held_.push_back(Held{seq, false, true, frame});
    return;
  }
  if (state_ != State::kLive) return;
  if (seq > last_seq_ + 1) return catch_up(Held{seq, false, true, frame});
  if (!frame.empty()) send_text(frame);  // empty: a classic send, only the seq advances
  last_seq_ = std::max(last_seq_, seq);
  out_seq_ = std::max(out_seq_, seq);
}

void Connection::resync() {
  if (state_ == State::kSyncing) {
    backlog_more_ = true;  // one more read after the current page
    if (!backlog_pending_ && backlog_next_ >= backlog_.size()) request_backlog();
    return;
  }
  if (state_ != State::kLive) return;
  state_ = State::kSyncing;
  resume_ = true;  // from here on this connection follows its inbox by seq
  backlog_after_ = last_seq_;
  request_backlog();
}

void Connection::send_loginlist(const std::string& frame) {
  if (ok_sent_ && authenticated()) send_text(frame);
}

void Connection::on_normal_frame(std::string content, std::vector<std::string> to, std::string cid,
                                 std::int64_t group) {
  if (to.empty() && !group) {
    return send_error(frame_error::kNoRecipients, "no recipients", cid);
  }
  // Membership is decided by the store when the send commits (a removal just before counts).
  store::SendRequest req{uid_, name_, std::move(to), std::move(content), std::move(cid), id_};
  req.group = group;
  svc_.store->submit(std::move(req));
}

bool Connection::take_rate_token(std::int64_t now) {
  const auto& l = svc_.config.limits;
  if (l.messages_per_second <= 0) return true;
  tokens_ = std::min(l.message_burst,
                     tokens_ + double(now - tokens_at_ms_) * l.messages_per_second / 1000.0);
  tokens_at_ms_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void Connection::leave_hub() {
  if (!attached_) return;
  attached_ = false;
  shard_.flush_delivered(uid_);
  shard_.detach_user(uid_, this);
  if (svc_.presence->remove(uid_)) svc_.router->local_presence_changed();
}

}  // namespace parley::net
