// SPDX-License-Identifier: MIT
#include "auth/revocations.hpp"

namespace parley::auth {

bool Revocations::is_revoked(const TokenClaims& c) const {
  std::shared_lock lock(mutex_);
  if (jti_exp_.count(c.jti)) return true;
  auto it = gen_.find(c.uid);
  return it != gen_.end() && c.gen < it->second;
}

void Revocations::revoke(const std::string& jti, std::int64_t exp) {
  std::unique_lock lock(mutex_);
  jti_exp_[jti] = exp;
}

void Revocations::set_generation(std::int64_t uid, std::int64_t gen) {
  std::unique_lock lock(mutex_);
  auto& g = gen_[uid];
  if (gen > g) g = gen;
}

std::int64_t Revocations::generation(std::int64_t uid) const {
  std::shared_lock lock(mutex_);
  auto it = gen_.find(uid);
  return it == gen_.end() ? 0 : it->second;
}

void Revocations::prune(std::int64_t now_s) {
  std::unique_lock lock(mutex_);
  std::erase_if(jti_exp_, [&](const auto& kv) { return kv.second <= now_s; });
}

}  // namespace parley::auth
