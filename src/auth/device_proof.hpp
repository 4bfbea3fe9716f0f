// SPDX-License-Identifier: MIT
// Device proofs ("known device" cookies): a signed note, handed out at each successful login,
// that this device once knew the account's password. It never logs anyone in by itself; a
// login that presents a valid proof for its account counts its failures against that device
// instead of the account's name, so guessers who lock the name do not lock out the devices the
// owner already uses. Signed with a key derived from the token secret (a proof is no access
// token). Any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.hpp"

namespace parley::auth {

class DeviceProofs {
 public:
  explicit DeviceProofs(const TokenSigner& tokens) : signer_(tokens.derived("parley device")) {}

  static constexpr std::int64_t kLifetimeS = 180ll * 24 * 3600;

  // A new proof for account `uid` called `name`.
  std::string issue(std::int64_t uid, const std::string& name) const;
  // The device id of a valid, unexpired proof for account `uid`; nullopt otherwise.
  std::optional<std::string> device_of(std::string_view proof, std::int64_t uid,
                                       std::int64_t now_s) const;

 private:
  TokenSigner signer_;
};

}  // namespace parley::auth
