// SPDX-License-Identifier: MIT
#include "protocol/forwarded.hpp"

#include <string_view>
#include <vector>

#include "util/ascii.hpp"

namespace parley::protocol {

std::string client_address(const HttpRequest& req, const std::string& peer,
                           const util::AddressList& trusted) {
  if (!trusted.contains(peer)) return peer;
  // Every X-Forwarded-For line, in order, as one list.
  std::vector<std::string_view> hops;
  for (const auto& [name, value] : req.headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view list = value;
    for (;;) {
      auto comma = list.find(',');
      hops.push_back(util::trim_blanks(list.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  std::string client = peer;  // the last hop vouched for so far
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::string ip = util::canonical_ip(*it);
    if (ip.empty()) return client;  // garbage from a trusted hop's client: stop at that hop
    client = std::move(ip);
    if (!trusted.contains(client)) return client;
  }
  if (!hops.empty()) return client;  // every hop trusted: the first one is the client
  std::string real = util::canonical_ip(util::trim_blanks(req.header("x-real-ip")));
  return real.empty() ? peer : real;
}

}  // namespace parley::protocol
