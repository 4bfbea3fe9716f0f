// SPDX-License-Identifier: MIT
// Session: auth, sends, the message rate, and the session's lifetime in the hub. Backlog and
// ordering are in session_sync.cpp.
#include "hub/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/steady_timer.hpp>

#include "auth/revocations.hpp"
#include "auth/token.hpp"
#include "hub/metrics.hpp"
#include "hub/presence.hpp"
#include "hub/router.hpp"
#include "hub/services.hpp"
#include "hub/shard.hpp"
#include "hub/transport.hpp"
#include "hub/user_rates.hpp"
#include "protocol/client_frame.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace parley::hub {
namespace frame_error = protocol::frame_error;
namespace close_code = protocol::close_code;

Session::Session(Shard& shard, Services& services, Transport& transport, std::uint64_t id)
    : shard_(shard), svc_(services), transport_(transport), id_(id) {
  opened_ms_ = util::mono_ms();
}

Session::~Session() = default;

void Session::on_text(std::string_view text) {
  if (state_ == State::kEnded) return;
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
      if (f.seq && *f.seq > kMaxResumeSeq) {
        // `after + 1` would overflow in the store; no inbox gets anywhere near.
        return send_error(frame_error::kBadFrame, "\"seq\" is larger than any inbox seq");
      }
      return on_auth_frame(std::move(f.content), f.seq.value_or(0), f.seq.has_value());
    case protocol::ClientFrameType::kNormal:
      if (state_ == State::kUnauthed) {
        return send_error(frame_error::kNotAuthenticated, "send an auth frame first", f.cid);
      }
      if (!take_rate_token(util::mono_ms())) {
        return send_error(frame_error::kRateLimited, "too many messages; slow down", f.cid);
      }
      return on_normal_frame(std::move(f.content), std::move(f.to), std::move(f.cid), f.group,
                             f.ref, std::move(f.files));
    case protocol::ClientFrameType::kRead:
    case protocol::ClientFrameType::kTyping:
    case protocol::ClientFrameType::kRecall:
    case protocol::ClientFrameType::kEdit:
      if (state_ == State::kUnauthed) {
        return send_error(frame_error::kNotAuthenticated, "send an auth frame first", f.cid);
      }
      return on_state_frame(f);
  }
}

void Session::on_auth_frame(std::string token, std::int64_t resume_seq, bool resume) {
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
  token_gen_ = claims->gen;
  attached_ = true;
  shard_.attach_user(uid_, this);
  if (came_online) svc_.router->local_presence_changed();
  // Coming online schedules a push of the list to everyone, this connection included: no need
  // to send it after `ok` as well, unless that push has already started by then (it is skipped
  // before `ok`). In a login burst this halves the presence traffic.
  list_from_push_ = came_online;
  pushes_at_auth_ = pushes_before;
  state_ = State::kSyncing;
  classic_ = !resume;
  resume_ = resume;
  tokens_ = read_tokens_ = svc_.config.limits.message_burst;
  tokens_at_ms_ = read_tokens_at_ms_ = util::mono_ms();
  if (svc_.user_rates) user_rate_ = svc_.user_rates->acquire(uid_);
  spdlog::debug("conn {}: '{}' authenticated ({})", id_, name_, resume ? "resume" : "classic");

  // Classic clients start at the delivered cursor (-1), resuming ones after their seq.
  backlog_after_ = resume ? resume_seq : -1;
  request_backlog();
}

void Session::on_normal_frame(std::string content, std::vector<std::string> to, std::string cid,
                              std::int64_t group, std::int64_t reply_to,
                              std::vector<std::string> files) {
  if (to.empty() && !group) {
    return send_error(frame_error::kNoRecipients, "no recipients", cid);
  }
  // Membership is decided by the store when the send commits (a removal just before counts).
  store::SendRequest req{uid_, name_, std::move(to), std::move(content), std::move(cid), id_};
  req.group = group;
  req.ref = reply_to;            // checked by the store: a message of the same conversation
  req.files = std::move(files);  // and these: the sender's own uploads
  svc_.store->submit(std::move(req));
}

// Reads and typing go through the store too: it knows the conversation (is the peer registered,
// is the sender a member) and, in a cluster, reaches the other nodes. Who may recall or edit what
// is decided there as well, in commit order with the sends.
void Session::on_state_frame(protocol::ClientFrame& f) {
  using Type = protocol::ClientFrameType;
  const std::int64_t now = util::mono_ms();
  store::SendRequest req{uid_, name_, std::move(f.to), std::move(f.content), std::move(f.cid), id_};
  req.group = f.group;
  req.ref = f.ref;
  switch (f.type) {
    case Type::kTyping:
      if (!typing_allowed(req, now)) return;  // forwarded about once per 2 s: the rest is dropped
      req.kind = store::EntryKind::kTyping;
      break;
    case Type::kRead:
      if (!take_read_token(now))
        return send_error(frame_error::kRateLimited, "too many read markers; slow down", req.cid);
      req.kind = store::EntryKind::kRead;
      break;
    case Type::kRecall:
    case Type::kEdit: {
      if (!take_rate_token(now))
        return send_error(frame_error::kRateLimited, "too many messages; slow down", req.cid);
      bool recall = f.type == Type::kRecall;
      req.kind = recall ? store::EntryKind::kRecall : store::EntryKind::kEdit;
      req.window_ms =
          std::int64_t(recall ? svc_.config.recall_window_s : svc_.config.edit_window_s) * 1000;
      break;
    }
    default:
      return;
  }
  svc_.store->submit(std::move(req));
}

bool Session::typing_allowed(const store::SendRequest& req, std::int64_t now) {
  constexpr std::int64_t kTypingEveryMs = 2000;
  constexpr std::size_t kConversations = 32;  // remembered per connection
  std::string key = req.group ? "g" + std::to_string(req.group) : "u" + req.to.front();
  for (auto& [conv, at] : typing_sent_) {
    if (conv != key) continue;
    if (now - at < kTypingEveryMs) return false;
    at = now;
    return true;
  }
  if (typing_sent_.size() >= kConversations) {
    // Forget the one typed in longest ago (a client cycling through more conversations than
    // this within 2 s gets a few extra frames through, nothing more).
    auto oldest =
        std::min_element(typing_sent_.begin(), typing_sent_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    typing_sent_.erase(oldest);
  }
  typing_sent_.emplace_back(std::move(key), now);
  return true;
}

bool Session::take_read_token(std::int64_t now) {
  const auto& l = svc_.config.limits;
  if (l.messages_per_second <= 0) return true;
  read_tokens_ = std::min(l.message_burst, read_tokens_ + double(now - read_tokens_at_ms_) *
                                                              l.messages_per_second / 1000.0);
  read_tokens_at_ms_ = now;
  if (read_tokens_ < 1) return false;
  read_tokens_ -= 1;
  return true;
}

// The connection's bucket first, then the user's (shared with their other sessions): a message
// refused by the user's bucket gives the connection its token back.
bool Session::take_rate_token(std::int64_t now) {
  const auto& l = svc_.config.limits;
  if (l.messages_per_second > 0) {
    tokens_ = std::min(l.message_burst,
                       tokens_ + double(now - tokens_at_ms_) * l.messages_per_second / 1000.0);
    tokens_at_ms_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
  }
  if (user_rate_ && !svc_.user_rates->take(*user_rate_)) {
    if (l.messages_per_second > 0) tokens_ += 1;
    return false;
  }
  return true;
}

void Session::send_text(std::string_view json) {
  transport_.send_text(json);
}

void Session::send_error(std::string_view code, std::string_view text, std::string_view cid) {
  svc_.metrics->count_error(code);
  send_text(protocol::error_frame(code, text, cid));
}

void Session::deliver_notice(const std::string& frame, const std::string& classic) {
  if (ok_sent_ && authenticated()) send_text(classic_ ? classic : frame);
}

void Session::deliver_live(const std::string& frame) {
  if (ok_sent_ && authenticated() && !classic_) transport_.send_notice(frame);
}

void Session::send_loginlist(const std::string& frame) {
  if (ok_sent_ && authenticated()) send_text(frame);
}

void Session::close(std::uint16_t code, std::string_view reason) {
  transport_.close(code, reason);  // calls end()
}

void Session::on_written(std::int64_t seq) {
  if (uid_) shard_.note_delivered(uid_, seq);
}

void Session::tick(std::int64_t now) {
  const auto& l = svc_.config.limits;
  if (state_ == State::kUnauthed) {
    if (now - opened_ms_ > std::int64_t(l.auth_timeout_s) * 1000) {
      send_error("auth_timeout", "no auth frame in time");
      close(close_code::kTimeout, "no auth frame in time");
    }
  } else if (authenticated() && token_exp_ && util::now_s() >= token_exp_) {
    send_text(protocol::no_frame("token expired; log in again"));
    close(close_code::kTokenRefused, "token expired");
  }
}

void Session::end() {
  state_ = State::kEnded;
  std::vector<Held>().swap(held_);
  held_bytes_ = 0;
  user_rate_.reset();
  if (!attached_) return;
  attached_ = false;
  shard_.flush_delivered(uid_);
  shard_.detach_user(uid_, this);
  if (svc_.presence->remove(uid_)) svc_.router->local_presence_changed();
}

}  // namespace parley::hub
