// SPDX-License-Identifier: MIT
// Reads of the embedded store's inboxes (history, inbox pages) off the writer thread: a few
// reader threads, each with its own read-only connection (WAL lets readers run beside the
// writer's transaction), so a long read never holds up a group commit. Every read is bounded
// (kScanRows log rows at most) and says where to go on (`more`, and the place to continue).
//
// The newest inbox entries are in the writer's memory only (IndexTail), which readers must not
// touch: the writer hands each read an InboxView, a copy of that user's part of the tail and
// head taken in its batch; the read runs once that batch is committed, so every row it names is
// there. Entries from the view's tail_first on come from the copy, older ones from inbox_chunks
// (chunks written since the copy start at tail_first or later and are ignored).
#pragma once
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/job_queue.hpp"
#include "store/sqlite/log_row.hpp"
#include "store/sqlite/statement.hpp"
#include "store/store.hpp"

namespace parley::store::sqlite {

// One user's inbox as the writer saw it (see above).
struct InboxView {
  UserId user = 0;
  Seq head = 0;        // the last seq
  Seq cursor = 0;      // the delivered cursor
  Seq tail_first = 1;  // seqs >= tail_first are tail_ids[seq - tail_first]
  std::vector<MessageId> tail_ids;
};

class InboxReads {
 public:
  // At most this many log rows (each up to a message's size) are read for one request.
  static constexpr std::size_t kScanRows = 2000;

  explicit InboxReads(const std::string& path);  // throws SqlError
  ~InboxReads();
  InboxReads(const InboxReads&) = delete;
  InboxReads& operator=(const InboxReads&) = delete;

  // The one-to-one messages with `peer`, id < before (0: newest), newest `limit`. With `more`,
  // `next_before` is where the next page starts (the scan may stop before `limit` is reached).
  HistoryPage history(const InboxView& v, UserId peer, MessageId before, std::size_t limit);
  // Entries with seq > after (after < 0: the cursor), as Store::read_inbox. A page stops at
  // `limit` entries or kScanRows rows read (skipped own copies count): `scanned` says where the
  // next one starts.
  InboxPage read_inbox(const InboxView& v, Seq after, bool incoming_only, std::size_t limit);

 private:
  using Visit = std::function<bool(Seq, MessageId)>;  // false stops the scan
  void scan_forward(const InboxView& v, Seq after, const Visit& visit);
  void scan_backward(const InboxView& v, const Visit& visit);
  const std::string& name(UserId id);
  StoredMessage stored_message(LogRow& row);

  sqlite3* db_ = nullptr;
  Statement chunks_from_, chunks_back_, read_row_, user_name_;
  std::unordered_map<UserId, std::string> names_;  // per request: accounts get renamed
};

class InboxReader {
 public:
  using Job = std::function<void(InboxReads&)>;
  InboxReader(const std::string& path, unsigned threads);  // throws SqlError
  // Runs what is queued, then joins.
  ~InboxReader();
  void post(Job job) { queue_.push(std::move(job)); }

 private:
  JobQueue<Job> queue_;
  std::vector<std::unique_ptr<InboxReads>> reads_;
  std::vector<std::thread> threads_;
};

}  // namespace parley::store::sqlite
