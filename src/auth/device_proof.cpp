// SPDX-License-Identifier: MIT
#include "auth/device_proof.hpp"

namespace parley::auth {

std::string DeviceProofs::issue(std::int64_t uid, const std::string& name) const {
  TokenClaims c;
  c.name = name;
  c.uid = uid;
  return signer_.issue(c, kLifetimeS);
}

std::optional<std::string> DeviceProofs::device_of(std::string_view proof, std::int64_t uid,
                                                   std::int64_t now_s) const {
  if (proof.empty() || proof.size() > 1024) return std::nullopt;
  auto c = signer_.verify(proof, now_s);
  if (!c || c->uid != uid) return std::nullopt;
  return c->jti;
}

}  // namespace parley::auth
