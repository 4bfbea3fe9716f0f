// SPDX-License-Identifier: MIT
#include "hub/presence.hpp"

#include <algorithm>
#include <iterator>

#include "protocol/server_frame.hpp"

namespace parley::hub {

bool Presence::add(std::int64_t uid, const std::string& name, std::size_t max_per_user,
                   bool& changed) {
  std::lock_guard lock(mutex_);
  auto& e = users_[uid];
  if (max_per_user && e.connections >= max_per_user) return false;
  changed = e.connections++ == 0;
  if (changed) {
    e.name = name;
    frame_.reset();
    ++version_;
  }
  ++connections_;
  return true;
}

bool Presence::remove(std::int64_t uid) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(uid);
  if (it == users_.end()) return false;
  --connections_;
  if (--it->second.connections > 0) return false;
  users_.erase(it);
  frame_.reset();
  ++version_;
  return true;
}

std::vector<std::string> Presence::local_names() const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mutex_);
    out.reserve(users_.size());
    for (const auto& [uid, e] : users_) out.push_back(e.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Presence::names() const {
  std::vector<std::string> local = local_names();
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  if (cluster_.empty()) return local;
  std::set_union(local.begin(), local.end(), cluster_.begin(), cluster_.end(),
                 std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Presence::set_cluster_names(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::lock_guard lock(mutex_);
  if (names == cluster_) return false;
  cluster_ = std::move(names);
  frame_.reset();
  ++version_;
  return true;
}

std::size_t Presence::users() const {
  std::lock_guard lock(mutex_);
  return users_.size();
}

std::size_t Presence::connections_of(std::int64_t uid) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(uid);
  return it == users_.end() ? 0 : it->second.connections;
}

std::size_t Presence::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::shared_ptr<const std::string> Presence::frame() {
  std::uint64_t version;
  {
    std::lock_guard lock(mutex_);
    if (frame_) return frame_;
    version = version_;
  }
  auto f = std::make_shared<const std::string>(protocol::loginlist_frame(names()));
  std::lock_guard lock(mutex_);
  if (version == version_) frame_ = f;  // else a newer change made this one stale
  return f;
}

}  // namespace parley::hub
