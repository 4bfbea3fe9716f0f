// SPDX-License-Identifier: MIT
// Which tokens are revoked: single tokens by jti (logout) and all tokens of a user issued before
// a generation bump (logout everywhere). In memory for a ~100 ns check on every auth; the store
// keeps the durable copy and reloads it at start. Any thread.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/token.hpp"

namespace parley::auth {

class Revocations {
 public:
  // True when the token was revoked (by jti or by a newer generation of its user).
  bool is_revoked(const TokenClaims& c) const;

  void revoke(const std::string& jti, std::int64_t exp);
  // Sets the user's current generation; tokens with a smaller `gen` are revoked.
  void set_generation(std::int64_t uid, std::int64_t gen);
  std::int64_t generation(std::int64_t uid) const;

  // Forgets revoked jtis whose token has expired anyway (exp <= now_s): they would be refused
  // as expired. Cheap when nothing has expired (one look at the earliest expiry), so it can run
  // every second (app::Server does).
  void prune(std::int64_t now_s);
  // Revoked jtis held.
  std::size_t revoked_count() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::int64_t> jti_exp_;  // GUARDED_BY(mutex_)
  std::multimap<std::int64_t, std::string> by_exp_;        // GUARDED_BY(mutex_), = jti_exp_
  std::unordered_map<std::int64_t, std::int64_t> gen_;     // GUARDED_BY(mutex_)
};

}  // namespace parley::auth
