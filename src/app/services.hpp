// SPDX-License-Identifier: MIT
// What a connection or an API handler may use, handed down by the composition root (Server).
// Plain references: the Server owns every component and outlives all connections.
#pragma once
#include <atomic>

#include "config/config.hpp"

namespace parley::store {
class Store;
}
namespace parley::auth {
class TokenSigner;
class Revocations;
class LoginThrottle;
}  // namespace parley::auth
namespace parley::hub {
class Presence;
}
namespace parley::net {
class Router;
class IpLimiter;
class TlsContext;
}  // namespace parley::net
namespace parley::api {
class Api;
}

namespace parley::app {

class Metrics;

struct Services {
  config::Config config;
  store::Store* store = nullptr;
  auth::TokenSigner* tokens = nullptr;
  auth::Revocations* revocations = nullptr;
  hub::Presence* presence = nullptr;
  net::Router* router = nullptr;
  api::Api* api = nullptr;
  Metrics* metrics = nullptr;
  net::IpLimiter* ip_limiter = nullptr;
  net::TlsContext* tls = nullptr;  // https and wss when set
  std::atomic<bool> shutting_down{false};
};

}  // namespace parley::app
