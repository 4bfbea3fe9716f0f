// SPDX-License-Identifier: MIT
// Who is online: a count of authenticated connections per user across all shards. Changes that
// cross zero mark the online list dirty; the Hub coalesces them into one `loginlist` push. Any
// thread (one small mutex, never held across a call out).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::hub {

class Presence {
 public:
  // Counts a new connection of `uid`. False (and nothing counted) when the user already holds
  // `max_per_user` connections (0 = unlimited). `changed` tells whether the user came online.
  bool add(std::int64_t uid, const std::string& name, std::size_t max_per_user, bool& changed);
  // Returns true when the user went offline.
  bool remove(std::int64_t uid);

  // Users online on the other nodes of a cluster; the online list is the union. Returns true
  // when the list changed.
  bool set_cluster_names(std::vector<std::string> names);

  std::vector<std::string> names() const;        // sorted: local and cluster
  std::vector<std::string> local_names() const;  // sorted: this node only
  std::size_t users() const;
  std::size_t connections() const;
  std::size_t connections_of(std::int64_t uid) const;  // this node only

  // The current `loginlist` frame, serialised once per change and shared by every connection.
  std::shared_ptr<const std::string> frame();

 private:
  mutable std::mutex mutex_;
  struct Entry {
    std::string name;
    std::size_t connections = 0;
  };
  std::unordered_map<std::int64_t, Entry> users_;  // GUARDED_BY(mutex_)
  std::size_t connections_ = 0;                    // GUARDED_BY(mutex_)
  std::vector<std::string> cluster_;               // GUARDED_BY(mutex_); sorted
  std::shared_ptr<const std::string> frame_;       // GUARDED_BY(mutex_); null = stale
  std::uint64_t version_ = 0;                      // GUARDED_BY(mutex_); bumped per change
};

}  // namespace parley::hub
