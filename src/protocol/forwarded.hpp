// SPDX-License-Identifier: MIT
// The address a request really comes from. Behind a reverse proxy every TCP peer is the proxy;
// the client is in X-Forwarded-For (each proxy appends the address it saw) or X-Real-IP. Those
// headers are anyone's to write, so they are believed only from a trusted proxy, and only as far
// as the chain of trusted proxies reaches: X-Forwarded-For is read from the right, skipping
// trusted hops, and the first other address is the client.
#pragma once
#include <string>

#include "protocol/http_message.hpp"
#include "util/address_list.hpp"

namespace parley::protocol {

// `peer` when it is not in `trusted_proxies` (or the headers name no usable address); else the
// client address the headers give, in canonical form (util::canonical_ip).
std::string client_address(const HttpRequest& req, const std::string& peer,
                           const util::AddressList& trusted_proxies);

}  // namespace parley::protocol
