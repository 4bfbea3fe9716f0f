// SPDX-License-Identifier: MIT
// What a session, the router or an API handler may use, handed down by the composition root
// (app::Server). Plain references: the Server owns every component and outlives all sessions
// and connections. Transport-only parts (TLS, the per-IP limiter, the HTTP handler) are not
// here: net::Connection gets them in net::ConnectionDeps.
#pragma once
#include <atomic>

#include "config/config.hpp"

namespace parley::store {
class Store;
}
namespace parley::auth {
class TokenSigner;
class Revocations;
class FileLinks;
}  // namespace parley::auth

namespace parley::hub {

class Metrics;
class Presence;
class Router;
class UserRates;

struct Services {
  config::Config config;
  store::Store* store = nullptr;
  auth::TokenSigner* tokens = nullptr;
  auth::Revocations* revocations = nullptr;
  const auth::FileLinks* file_links = nullptr;  // signed download links (classic clients)
  Presence* presence = nullptr;
  Router* router = nullptr;
  Metrics* metrics = nullptr;
  UserRates* user_rates = nullptr;  // per-user message rate, shared by a user's sessions
  std::atomic<bool> shutting_down{false};
};

}  // namespace parley::hub
