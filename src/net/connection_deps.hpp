// SPDX-License-Identifier: MIT
// The transport-only parts a connection uses besides hub::Services, owned by app::Server and
// outliving every connection.
#pragma once

namespace parley::protocol {
class HttpHandler;
}
namespace parley::util {
class AddressList;
}

namespace parley::net {

class IpLimiter;
class TlsContext;

struct ConnectionDeps {
  protocol::HttpHandler* http = nullptr;  // the API: answers every request but the upgrade
  IpLimiter* ip_limiter = nullptr;
  TlsContext* tls = nullptr;  // https and wss when set
  // Peers whose forwarding headers name the client (config `trusted_proxies`); never null.
  const util::AddressList* trusted_proxies = nullptr;
};

}  // namespace parley::net
