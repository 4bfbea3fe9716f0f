// SPDX-License-Identifier: MIT
// Who may read /metrics (config `metrics_allow`, `metrics_token`): the counters tell anyone how
// busy the server is, who is online and when. Open to all when neither is set. Built once;
// any thread.
#pragma once
#include <string>

#include "config/config.hpp"
#include "protocol/http_message.hpp"
#include "util/address_list.hpp"

namespace parley::api {

class MetricsAccess {
 public:
  explicit MetricsAccess(const config::Config& c)
      : allow_(c.metrics_allow), token_(c.metrics_token) {}

  // `ip`: the request's client address (the forwarded one behind a trusted proxy). With both
  // settings, the address must be listed and the request must carry the bearer token.
  bool allows(const protocol::HttpRequest& req, const std::string& ip) const;

 private:
  util::AddressList allow_;
  std::string token_;
};

}  // namespace parley::api
