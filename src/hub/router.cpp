// SPDX-License-Identifier: MIT
#include "hub/router.hpp"

#include <malloc.h>

#include <algorithm>
#include <memory>
#include <unordered_set>

#include <boost/asio/post.hpp>

#include "auth/revocations.hpp"
#include "hub/message_frames.hpp"
#include "hub/metrics.hpp"
#include "hub/presence.hpp"
#include "hub/session.hpp"
#include "hub/shard.hpp"
#include "hub/transport.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"

namespace parley::hub {
namespace asio = boost::asio;

namespace {

// The text of a refusal the store decided (a recall, an edit, a reply, a read marker).
std::string_view refusal_text(std::string_view code) {
  namespace e = protocol::frame_error;
  if (code == e::kNotFound) return "no such message or conversation (for you)";
  if (code == e::kNotYours) return "only its sender may recall or edit a message";
  if (code == e::kTooLate) return "too late: past the recall or edit window";
  if (code == e::kRecalled) return "that message was recalled";
  if (code == e::kFeatureOff) return "recalling or editing is turned off on this server";
  if (code == e::kBadReply) return "reply_to must name a message of this conversation";
  if (code == e::kNotAMember) return "not a member of this group (or no such group)";
  return "refused";
}

}  // namespace

Router::Router(std::vector<Shard*> shards, Presence& presence, auth::Revocations& revocations,
               int presence_delay_ms)
    : shards_(std::move(shards)),
      presence_(presence),
      revocations_(revocations),
      presence_delay_ms_(presence_delay_ms),
      presence_timer_(shards_.front()->context()),
      trim_timer_(shards_.front()->context()) {}

void Router::on_committed(std::vector<store::Committed> batch) {
  if (metrics_)
    for (const auto& c : batch)
      if (!c.duplicate) Metrics::add(metrics_->messages_stored);
  // Frames are built on the shards, not here on the store thread, and only those a shard needs:
  // a recipient's tail where a recipient is connected, the sync copy where the sender has
  // another device, the ack where the sending connection is. Each at most once per shard.
  auto shared = std::make_shared<const std::vector<store::Committed>>(std::move(batch));
  for (Shard* shard : shards_)
    asio::post(shard->context(), [shard, shared] { deliver_batch(*shard, *shared); });
}

void Router::deliver_batch(Shard& shard, const std::vector<store::Committed>& batch) {
  std::string tail, sync_tail, ack;
  for (const store::Committed& m : batch) {
    if (store::live_only(m.kind)) {
      deliver_live(shard, m);
      continue;
    }
    tail.clear();
    sync_tail.clear();
    ack.clear();
    if (!m.duplicate) {
      for (const auto& r : m.recipients) {
        auto* sessions = shard.user_sessions(r.id);
        if (!sessions) continue;
        for (Session* s : *sessions) {
          if (s->wants_file_links() && !m.files.empty()) {
            s->deliver(r.seq, true, s->classic_tail(m, false), m.kind);
            continue;
          }
          if (tail.empty()) tail = recipient_tail(m);
          s->deliver(r.seq, true, tail, m.kind);
        }
      }
    }
    auto* sessions = shard.user_sessions(m.sender);
    if (!sessions) continue;
    // A recall or edit is confirmed to its sender by the frame itself, like on every device.
    const bool acked =
        m.kind == store::EntryKind::kMessage || m.kind == store::EntryKind::kGroupEvent;
    for (Session* s : *sessions) {
      if (s->id() == m.origin && acked) {
        // Without a cid there is no ack, but the seq is still this session's.
        if (ack.empty()) ack = ack_frame(m);
        s->deliver_ack(m.sender_seq, ack);
      } else if (!m.duplicate && s->wants_file_links() && !m.files.empty()) {
        s->deliver(m.sender_seq, false, s->classic_tail(m, true), m.kind);
      } else if (!m.duplicate) {
        if (sync_tail.empty()) sync_tail = sender_copy_tail(m);
        s->deliver(m.sender_seq, false, sync_tail, m.kind);
      }
    }
  }
}

// Reads reach the peer and the reader's other devices; typing only the other side.
void Router::deliver_live(Shard& shard, const store::Committed& m) {
  std::string frame;
  auto send = [&](Session* s) {
    if (frame.empty()) frame = live_frame(m);
    s->deliver_live(frame);
  };
  for (const auto& r : m.recipients)
    if (auto* sessions = shard.user_sessions(r.id))
      for (Session* s : *sessions) send(s);
  if (m.kind != store::EntryKind::kRead) return;
  if (auto* sessions = shard.user_sessions(m.sender))
    for (Session* s : *sessions)
      if (s->id() != m.origin) send(s);
}

void Router::on_rejected(std::vector<store::Rejected> batch) {
  if (metrics_) Metrics::add(metrics_->messages_rejected, batch.size());
  auto shared = std::make_shared<std::vector<store::Rejected>>(std::move(batch));
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, shared] {
      for (const auto& r : *shared) {
        auto* sessions = shard->user_sessions(r.sender);
        if (!sessions) continue;
        for (Session* c : *sessions) {
          if (c->id() != r.origin) continue;
          if (!r.error.empty()) {
            c->send_error(r.error, refusal_text(r.error), r.cid);
          } else if (r.not_member) {
            c->send_error(protocol::frame_error::kNotAMember,
                          "not a member of this group (or no such group)", r.cid);
          } else if (r.no_recipients) {
            c->send_error(protocol::frame_error::kNoRecipients, "no registered recipient", r.cid);
          } else {
            c->send_error(protocol::frame_error::kStoreUnavailable, "message not stored; try again",
                          r.cid);
          }
          break;
        }
      }
    });
  }
}

void Router::on_token_revoked(store::UserId user, const std::string& jti, std::int64_t exp) {
  revocations_.revoke(jti, exp);
  close_user(user, jti);
}

void Router::on_generation(store::UserId user, std::int64_t gen) {
  revocations_.set_generation(user, gen);
  close_user(user, {});
}

void Router::apply_revocations(const store::RevocationState& state) {
  auto fresh = std::make_shared<std::unordered_set<std::string>>();
  for (const auto& [jti, exp] : state.revoked) {
    if (revocations_.is_revoked(auth::TokenClaims{.jti = jti})) continue;
    revocations_.revoke(jti, exp);
    fresh->insert(jti);
  }
  for (auto [uid, gen] : state.generations) {
    if (revocations_.generation(uid) >= gen) continue;
    revocations_.set_generation(uid, gen);
    close_user(uid, {});
  }
  if (fresh->empty()) return;
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, fresh] {
      std::vector<Session*> victims;
      for (Session* c : shard->sessions())
        if (fresh->count(c->token_id())) victims.push_back(c);
      for (Session* c : victims) {
        c->send_text(protocol::no_frame("logged out"));
        c->close(protocol::close_code::kTokenRefused, "logged out");
      }
    });
  }
}

void Router::on_resync() {
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard] {
      for (Session* s : shard->sessions()) s->resync();
    });
  }
}

void Router::on_cluster_presence(std::vector<std::string> names) {
  if (presence_.set_cluster_names(std::move(names))) presence_changed();
}

void Router::local_presence_changed() {
  if (cluster_hook_) cluster_hook_();
  presence_changed();
}

void Router::presence_changed() {
  if (presence_pending_.exchange(true)) return;
  // Every push sends the whole list to every connection: online² names. Changes are coalesced
  // for at least presence_delay_ms, and long enough to keep that traffic near kPushBytesPerS
  // (5,000 users online: ~250 MB a push, one every ~4 s instead of a flood during a login burst).
  constexpr std::uint64_t kBytesPerName = 10, kPushBytesPerS = 64ull << 20;
  std::uint64_t users = presence_.users();
  auto paced = std::int64_t(users * users * kBytesPerName * 1000 / kPushBytesPerS);
  auto delay = std::chrono::milliseconds(std::max<std::int64_t>(presence_delay_ms_, paced));
  asio::post(shards_.front()->context(), [this, delay] {
    presence_timer_.expires_after(delay);
    presence_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) push_presence();
    });
  });
}

void Router::push_presence() {
  // In this order: a login that saw a push pending reads a newer count once this one started
  // (see Session::on_auth_frame).
  presence_pending_.store(false);
  pushes_started_.fetch_add(1);
  if (push_max_users_ && presence_.users() > push_max_users_) return;  // see PROTOCOL.md
  auto frame = presence_.frame();
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, frame] {
      for (Session* s : shard->sessions()) s->send_loginlist(*frame);
    });
  }
  // A big push is copied into every connection's output for a moment (5,000 users online:
  // ~250 MB). glibc keeps freed pages of its arenas mapped, so as the pushes drain, hand them
  // back (a few times over the next 2 s), or every idle connection looks KBs heavier for good.
  constexpr std::size_t kTrimAfterBytes = 16u << 20;
  if (frame->size() * presence_.users() > kTrimAfterBytes) {
    trims_left_ = 4;
    trim_soon();
  }
}

void Router::trim_soon() {
  trim_timer_.expires_after(std::chrono::milliseconds(500));
  trim_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    malloc_trim(0);
    if (--trims_left_ > 0) trim_soon();
  });
}

void Router::on_notice(store::UserId user, const std::string& content, std::int64_t ts) {
  auto frames = std::make_shared<const std::pair<std::string, std::string>>(
      protocol::notice_frame(content, ts), protocol::classic_notice_frame(content));
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, user, frames] {
      if (user) {
        if (auto* sessions = shard->user_sessions(user))
          for (Session* s : *sessions) s->deliver_notice(frames->first, frames->second);
        return;
      }
      for (Session* s : shard->sessions()) s->deliver_notice(frames->first, frames->second);
    });
  }
}

void Router::close_user(std::int64_t uid, std::string jti) {
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, uid, jti] {
      auto* sessions = shard->user_sessions(uid);
      if (!sessions) return;
      std::vector<Session*> victims;
      for (Session* c : *sessions)
        if (jti.empty() || c->token_id() == jti) victims.push_back(c);
      for (Session* c : victims) {
        c->send_text(protocol::no_frame("logged out"));
        c->close(protocol::close_code::kTokenRefused, "logged out");
      }
    });
  }
}

void Router::close_all(std::uint16_t code, std::string reason) {
  for (Shard* shard : shards_) {
    asio::post(shard->context(), [shard, code, reason] {
      std::vector<Transport*> conns = shard->all();
      for (Transport* c : conns) c->close(code, reason);
    });
  }
}

}  // namespace parley::hub
