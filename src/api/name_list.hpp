// SPDX-License-Identifier: MIT
// GET /api/list, the classic list of every registered name: open to anyone, so it is answered
// from a copy refreshed at most once a second (concurrent misses wait for one store read)
// instead of a copy-and-sort on the store's writer thread per request. Pages with
// `?after=NAME&limit=N` (extension); without them, the whole list as the original sends it.
// Any thread.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/http_handler.hpp"

namespace parley::store {
class Store;
}

namespace parley::api {

class NameList {
 public:
  static constexpr std::int64_t kMaxAgeMs = 1000;

  explicit NameList(store::Store& store) : store_(store) {}
  void answer(const protocol::HttpRequest& req, protocol::Responder respond);
  // A registration on this node: the next answer reads the store again.
  void invalidate();

 private:
  using Names = std::shared_ptr<const std::vector<std::string>>;
  void reply(const protocol::HttpRequest& req, const Names& names, protocol::Responder& respond);

  store::Store& store_;
  std::mutex mutex_;
  Names names_;                  // GUARDED_BY(mutex_)
  std::int64_t read_at_ms_ = 0;  // GUARDED_BY(mutex_)
  bool reading_ = false;         // GUARDED_BY(mutex_)
  std::vector<std::pair<protocol::HttpRequest, protocol::Responder>> waiting_;  // GUARDED_BY
};

}  // namespace parley::api
