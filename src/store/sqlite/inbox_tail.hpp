// SPDX-License-Identifier: MIT
// The newest part of every inbox, not yet written to inbox_chunks: per user, the message ids of
// consecutive seqs. It lives in memory only; after a restart it is rebuilt by replaying the
// message log past meta('indexed_upto'). Writer thread only.
#pragma once
#include <unordered_map>
#include <vector>

#include "store/types.hpp"

namespace parley::store::sqlite {

class InboxTail {
 public:
  struct Run {
    Seq first = 0;  // seq of ids[0]; ids[i] has seq first + i
    std::vector<MessageId> ids;
  };

  // `seq` must follow the user's last one.
  void add(UserId user, Seq seq, MessageId id) {
    Run& run = runs_[user];
    if (run.ids.empty()) run.first = seq;
    run.ids.push_back(id);
    ++size_;
    if (id > last_id_) last_id_ = id;
  }
  const Run* find(UserId user) const {
    auto it = runs_.find(user);
    return it == runs_.end() ? nullptr : &it->second;
  }
  const std::unordered_map<UserId, Run>& runs() const { return runs_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The highest message id added since the last clear(); the index covers up to it once written.
  MessageId last_id() const { return last_id_; }
  void clear() {
    runs_.clear();
    size_ = 0;
  }

 private:
  std::unordered_map<UserId, Run> runs_;
  std::size_t size_ = 0;
  MessageId last_id_ = 0;
};

}  // namespace parley::store::sqlite
