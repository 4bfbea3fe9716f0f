// SPDX-License-Identifier: MIT
// Signed tokens: JWT with HS256 (HMAC-SHA256, libsodium). The algorithm is pinned — the header
// must be exactly ours — so `alg:none` and algorithm confusion cannot happen. Any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::auth {

// `bytes` random bytes (libsodium's CSPRNG) as lower-case hex: token ids, secrets, invite codes.
std::string random_hex(std::size_t bytes);

struct TokenClaims {
  std::string name;      // sub: the user name (what the classic page shows)
  std::int64_t uid = 0;  // the user id in the store
  std::int64_t gen = 0;  // the user's token generation; "log out everywhere" bumps it
  std::string jti;       // unique token id, the unit of revocation
  std::int64_t iat = 0;  // issued at, Unix seconds
  std::int64_t exp = 0;  // expires at, Unix seconds
};

class TokenSigner {
 public:
  explicit TokenSigner(std::string secret);  // at least 32 bytes

  // A new token for the user, valid `lifetime_s` seconds from now; fills jti/iat/exp.
  std::string issue(TokenClaims& claims, std::int64_t lifetime_s) const;

  // The claims of a well-signed, unexpired token; nullopt otherwise.
  std::optional<TokenClaims> verify(std::string_view token, std::int64_t now_s) const;

  // A signer for another kind of token (its key HMAC(secret, purpose)): what it signs never
  // verifies here, nor the other way round.
  TokenSigner derived(std::string_view purpose) const;

  // HMAC-SHA256 of `signing_input` under this signer's key, base64url (43 characters).
  std::string sign(std::string_view signing_input) const;

 private:
  std::string secret_;
};

// A random secret suitable for TokenSigner (64 bytes, hex-encoded).
std::string generate_secret();

}  // namespace parley::auth
