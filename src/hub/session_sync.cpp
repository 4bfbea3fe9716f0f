// SPDX-License-Identifier: MIT
// Session: the inbox backlog and the order of delivery. Every inbox entry of the user reaches
// the session in seq order (live, or read back from the store), exactly once:
//   - while syncing, live frames are held and sent after the backlog, minus what it covered;
//   - live, a seq beyond last_seq_ + 1 means an earlier one has not arrived (another node's
//     publish in flight or lost): hold it and read the gap from the inbox (catch_up).
// Every method runs on the session's shard thread; store results are posted back to it.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/classic_files.hpp"
#include "hub/message_frames.hpp"
#include "hub/metrics.hpp"
#include "hub/presence.hpp"
#include "hub/router.hpp"
#include "hub/services.hpp"
#include "hub/session.hpp"
#include "hub/shard.hpp"
#include "hub/transport.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace parley::hub {
namespace asio = boost::asio;

namespace {

// Posts a store result back to the session's shard; dropped if the connection is gone.
template <typename T, typename F>
store::Callback<T> on_shard(Session& s, std::weak_ptr<void> anchor, asio::io_context& ioc, F&& f) {
  return
      [weak = std::move(anchor), s = &s, &ioc, f = std::forward<F>(f)](store::Result<T> r) mutable {
        asio::post(ioc, [weak, s, f = std::move(f), r = std::move(r)]() mutable {
          if (auto alive = weak.lock()) f(*s, std::move(r));
        });
      };
}

}  // namespace

void Session::request_backlog() {
  backlog_pending_ = true;
  svc_.store->read_inbox(uid_, backlog_after_, !resume_, svc_.config.resume_page,
                         on_shard<store::InboxPage>(
                             *this, transport_.anchor(), shard_.context(), [](Session& s, auto r) {
                               s.backlog_pending_ = false;
                               if (s.state_ == State::kEnded) return;
                               if (auto* page = std::get_if<store::InboxPage>(&r))
                                 return s.on_backlog(std::move(*page));
                               if (!s.ok_sent_) {
                                 s.send_error(protocol::frame_error::kStoreUnavailable,
                                              "store unavailable; reconnect later");
                                 return s.close(protocol::close_code::kInternalError,
                                                "store unavailable; reconnect later");
                               }
                               // An established session catching up keeps its socket and tries
                               // again: the store may be back in a moment (Redis restarting).
                               s.retry_backlog_later();
                             }));
}

void Session::retry_backlog_later() {
  if (!retry_timer_) retry_timer_ = std::make_unique<asio::steady_timer>(shard_.context());
  backlog_pending_ = true;
  retry_timer_->expires_after(std::chrono::milliseconds(500));
  retry_timer_->async_wait([weak = transport_.anchor(), s = this](boost::system::error_code ec) {
    auto alive = weak.lock();
    if (!alive) return;
    s->backlog_pending_ = false;
    if (!ec && s->state_ == State::kSyncing) s->request_backlog();
  });
}

void Session::on_backlog(store::InboxPage page) {
  if (state_ != State::kSyncing) return;
  if (!ok_sent_) {
    ok_sent_ = true;
    send_text(protocol::ok_frame(name_, page.head,
                                 {svc_.config.recall_window_s, svc_.config.edit_window_s}));
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
void Session::pump_backlog() {
  const std::size_t room = svc_.config.limits.max_outbound_bytes / 2;
  while (backlog_next_ < backlog_.size() && transport_.queued_bytes() < room) {
    const store::InboxEntry& e = backlog_[backlog_next_++];
    if (resume_ && e.seq <= last_seq_) continue;  // already sent on this connection
    if (classic_ && classic_skips(e)) {
      last_seq_ = std::max(last_seq_, e.seq);  // not for classic clients (message_frames.hpp)
      continue;
    }
    MessageHead head(e.seq, e.kind);
    transport_.send_text(head.view(), classic_ && !e.files.empty()
                                          ? inbox_tail(e, classic_text(e.content, e.files))
                                          : inbox_tail(e));
    Metrics::add(svc_.metrics->messages_delivered);
    sent_seq(e.seq);
    if (state_ == State::kEnded) return;
  }
  if (backlog_next_ < backlog_.size()) return;  // on_drained pumps again
  std::vector<store::InboxEntry>().swap(backlog_);
  backlog_next_ = 0;
  if (!backlog_more_) return finish_sync();
  if (!backlog_pending_ && transport_.queued_bytes() < room) request_backlog();
}

std::string Session::classic_text(std::string_view content, std::string_view files) const {
  const std::string& site =
      svc_.config.public_url.empty() && site_ ? *site_ : svc_.config.public_url;
  ClassicLink link{*svc_.file_links,
                   site,
                   {uid_, token_gen_},
                   util::now_s() + svc_.config.limits.file_link_ttl_s};
  return classic_files_text(content, files, link);
}

std::string Session::classic_tail(const store::Committed& m, bool sender_copy) const {
  std::string text = classic_text(m.content, m.files);
  return sender_copy ? sender_copy_tail(m, text) : recipient_tail(m, text);
}

void Session::on_drained() {
  if (state_ == State::kSyncing && !backlog_pending_) pump_backlog();
}

void Session::finish_sync() {
  state_ = State::kLive;
  for (auto& h : held_) {
    // Resume covers every seq up to last_seq_; classic backlog only the incoming ones.
    if (!h.ack && h.seq <= last_seq_ && (resume_ || h.incoming)) continue;
    if (!h.frame.empty()) transport_.send_text(h.frame);
    sent_seq(h.seq);
  }
  std::vector<Held>().swap(held_);
  held_bytes_ = 0;
  // In sync up to the head that was read: what a classic backlog skipped (the user's own
  // copies) is not a gap.
  last_seq_ = std::max(last_seq_, sync_head_);
  // The delivered cursor passes the skipped copies too: otherwise a classic sender's next login
  // reads all of its own sends again.
  transport_.mark_seq(last_seq_);
}

void Session::sent_seq(std::int64_t seq) {
  last_seq_ = std::max(last_seq_, seq);
  transport_.mark_seq(seq);
}

void Session::hold(Held held) {
  held_bytes_ += held.frame.size();
  held_.push_back(std::move(held));
}

void Session::catch_up(Held held) {
  hold(std::move(held));
  state_ = State::kSyncing;
  resume_ = true;
  backlog_after_ = last_seq_;
  backlog_more_ = false;
  request_backlog();
}

void Session::deliver(std::int64_t seq, bool incoming, const std::string& tail,
                      store::EntryKind kind) {
  // A classic client gets only `normal` messages: for the rest only the seq moves on (no gap
  // either). A gap still catches up, and from then on the session follows its inbox by seq.
  const bool skip = classic_ && classic_skips(kind);
  if (state_ == State::kSyncing) {
    hold(Held{seq, incoming, false, skip ? std::string() : whole_frame(seq, kind, tail)});
    transport_.enforce_output_limit();  // drops the connection if held frames pile up
    return;
  }
  if (state_ != State::kLive || seq <= last_seq_) return;
  if (seq > last_seq_ + 1)
    return catch_up(
        Held{seq, incoming, false, skip ? std::string() : whole_frame(seq, kind, tail)});
  if (skip) return sent_seq(seq);
  MessageHead head(seq, kind);
  transport_.send_text(head.view(), tail);
  last_seq_ = seq;
  transport_.mark_seq(seq);
  Metrics::add(svc_.metrics->messages_delivered);
}

void Session::deliver_ack(std::int64_t seq, const std::string& frame) {
  if (state_ == State::kSyncing) return hold(Held{seq, false, true, frame});
  if (state_ != State::kLive) return;
  if (seq > last_seq_ + 1) return catch_up(Held{seq, false, true, frame});
  if (!frame.empty()) send_text(frame);  // empty: a classic send, only the seq advances
  sent_seq(seq);
}

void Session::resync() {
  if (state_ == State::kSyncing) {
    backlog_more_ = true;  // one more read after the current page
    if (!backlog_pending_ && backlog_next_ >= backlog_.size()) request_backlog();
    return;
  }
  if (state_ != State::kLive) return;
  state_ = State::kSyncing;
  resume_ = true;  // from here on this session follows its inbox by seq
  backlog_after_ = last_seq_;
  request_backlog();
}

}  // namespace parley::hub
