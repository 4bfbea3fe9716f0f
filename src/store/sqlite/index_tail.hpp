// SPDX-License-Identifier: MIT
// The newest part of the store's indexes, not yet written to their tables: per user, the
// message ids of consecutive inbox seqs (inbox_chunks), and the client ids of recent sends
// (cids). It lives in memory only; after a restart it is rebuilt by replaying the message log
// past meta('indexed_upto'). Writer thread only.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/types.hpp"

namespace parley::store::sqlite {

class IndexTail {
 public:
  struct Run {
    Seq first = 0;  // seq of ids[0]; ids[i] has seq first + i
    std::vector<MessageId> ids;
  };
  struct CidKey {
    UserId sender = 0;
    std::string cid;
    bool operator==(const CidKey&) const = default;
  };
  struct CidHash {
    std::size_t operator()(const CidKey& k) const {
      return std::hash<std::string>()(k.cid) ^ (std::hash<UserId>()(k.sender) * 0x9e3779b97f4a7c15);
    }
  };

  // `seq` must follow the user's last one.
  void add(UserId user, Seq seq, MessageId id) {
    Run& run = runs_[user];
    if (run.ids.empty()) run.first = seq;
    run.ids.push_back(id);
    note(id);
  }
  void add_cid(UserId sender, std::string cid, MessageId id) {
    cids_.insert_or_assign(CidKey{sender, std::move(cid)}, id);
    note(id);
  }
  const Run* find(UserId user) const {
    auto it = runs_.find(user);
    return it == runs_.end() ? nullptr : &it->second;
  }
  // The message sent with this cid, or 0 when it is not in the tail.
  MessageId find_cid(UserId sender, const std::string& cid) const {
    auto it = cids_.find(CidKey{sender, cid});
    return it == cids_.end() ? 0 : it->second;
  }
  const std::unordered_map<UserId, Run>& runs() const { return runs_; }
  const std::unordered_map<CidKey, MessageId, CidHash>& cids() const { return cids_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The highest message id added since the last clear(); the indexes cover up to it once
  // written.
  MessageId last_id() const { return last_id_; }
  void clear() {
    runs_.clear();
    cids_.clear();
    size_ = 0;
  }

 private:
  void note(MessageId id) {
    ++size_;
    if (id > last_id_) last_id_ = id;
  }

  std::unordered_map<UserId, Run> runs_;
  std::unordered_map<CidKey, MessageId, CidHash> cids_;
  std::size_t size_ = 0;
  MessageId last_id_ = 0;
};

}  // namespace parley::store::sqlite
