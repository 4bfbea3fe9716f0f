// SPDX-License-Identifier: MIT
#include "api/metrics_access.hpp"

#include <sodium.h>

namespace parley::api {

bool MetricsAccess::allows(const protocol::HttpRequest& req, const std::string& ip) const {
  if (!allow_.empty() && !allow_.contains(ip)) return false;
  if (token_.empty()) return true;
  std::string_view a = req.header("authorization");
  if (a.substr(0, 7) != "Bearer ") return false;
  std::string_view got = a.substr(7);
  // Constant time: the comparison must not tell how much of a guess was right.
  return got.size() == token_.size() && sodium_memcmp(got.data(), token_.data(), got.size()) == 0;
}

}  // namespace parley::api
