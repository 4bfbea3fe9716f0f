// SPDX-License-Identifier: MIT
// Routes committed messages to sessions. The store reports each group commit once (on its
// thread); the router posts the whole batch to every shard, where each shard builds the frames
// it needs (message_frames: a shared tail; each recipient only adds its seq) and delivers to the
// sessions it owns. No lock is taken per message or per recipient. Any thread unless noted.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "store/store.hpp"

namespace parley::auth {
class Revocations;
}

namespace parley::hub {

class Metrics;
class Presence;
class Shard;

class Router final : public store::CommitSink {
 public:
  Router(std::vector<Shard*> shards, Presence& presence, auth::Revocations& revocations,
         int presence_delay_ms);

  void on_committed(std::vector<store::Committed> batch) override;
  void on_rejected(std::vector<store::Rejected> batch) override;
  void on_token_revoked(store::UserId user, const std::string& jti, std::int64_t exp) override;
  void on_generation(store::UserId user, std::int64_t gen) override;
  void on_resync() override;
  void on_cluster_presence(std::vector<std::string> names) override;
  void on_notice(store::UserId user, const std::string& content, std::int64_t ts) override;

  // This node's online users changed: push one coalesced `loginlist` to everyone soon, and tell
  // the cluster (when there is one).
  void local_presence_changed();
  // How many pushes have started: a login that brought its user online and sees no new push
  // started by the time of its `ok` will get the list from the push still to come.
  std::uint64_t pushes_started() const { return pushes_started_.load(); }
  // Called when this node's view of who is online elsewhere changes.
  void set_cluster_hook(std::function<void()> hook) { cluster_hook_ = std::move(hook); }
  void set_metrics(Metrics* m) { metrics_ = m; }
  // Above this many online users, changes are no longer pushed (0 = always push).
  void set_push_max_users(std::size_t n) { push_max_users_ = n; }

  // Applies a full reload of the revocations (after a lost cluster subscription: what was
  // published meanwhile never arrived) and closes the sessions whose token it newly refuses.
  void apply_revocations(const store::RevocationState& state);
  // Closes (code 4401) the sessions of `uid` holding token `jti`, or all of them when `jti` is
  // empty.
  void close_user(std::int64_t uid, std::string jti);
  // Closes every connection, WebSockets with `code` (shutdown).
  void close_all(std::uint16_t code, std::string reason);

 private:
  // Delivers a committed batch to the sessions `shard` owns (on that shard's thread).
  static void deliver_batch(Shard& shard, const std::vector<store::Committed>& batch);
  static void deliver_live(Shard& shard, const store::Committed& m);
  void presence_changed();
  void push_presence();
  void trim_soon();

  std::function<void()> cluster_hook_;
  Metrics* metrics_ = nullptr;  // in a cluster each node counts what it routed
  std::atomic<std::size_t> push_max_users_{0};
  std::vector<Shard*> shards_;
  Presence& presence_;
  auth::Revocations& revocations_;
  int presence_delay_ms_;
  std::atomic<bool> presence_pending_{false};
  std::atomic<std::uint64_t> pushes_started_{0};
  boost::asio::steady_timer presence_timer_;  // on shard 0
  boost::asio::steady_timer trim_timer_;      // on shard 0: returns freed memory after big pushes
  int trims_left_ = 0;                        // shard 0 only
};

}  // namespace parley::hub
