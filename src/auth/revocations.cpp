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
  auto [it, fresh] = jti_exp_.try_emplace(jti, exp);
  if (!fresh) {
    // Heard twice (the local store and the cluster broadcast): one index entry, latest exp.
    if (it->second == exp) return;
    auto [from, to] = by_exp_.equal_range(it->second);
    for (auto e = from; e != to; ++e)
      if (e->second == jti) {
        by_exp_.erase(e);
        break;
      }
    it->second = exp;
  }
  by_exp_.emplace(exp, jti);
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
  {
    std::shared_lock lock(mutex_);
    if (by_exp_.empty() || by_exp_.begin()->first > now_s) return;
  }
  std::unique_lock lock(mutex_);
  auto end = by_exp_.upper_bound(now_s);
  for (auto e = by_exp_.begin(); e != end; ++e) jti_exp_.erase(e->second);
  by_exp_.erase(by_exp_.begin(), end);
}

std::size_t Revocations::revoked_count() const {
  std::shared_lock lock(mutex_);
  return jti_exp_.size();
}

}  // namespace parley::auth
