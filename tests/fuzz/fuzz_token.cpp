// SPDX-License-Identifier: MIT
// auth::TokenSigner (JWT HS256) on arbitrary input, three ways:
//  1. verify(input) as the server does for `auth` frames and w-token headers: must not crash,
//     and may accept only inputs that carry the exact header and a correct HMAC;
//  2. the input as the *payload* of a correctly signed token: gets past the signature check to
//     the claims parsing (base64url, JSON, types, exp), which (1) alone cannot reach;
//  3. round trip: a token issued for a name taken from the input (any valid UTF-8, as names are
//     validated before issue) verifies to the same claims, and any single-byte change or
//     truncation of it is refused; the lifetime may be any int64 (issue clamps it).
#include <sodium.h>

#include <boost/json.hpp>
#include <cstring>
#include <string>

#include "auth/token.hpp"
#include "fuzz_check.hpp"
#include "util/base64.hpp"
#include "util/utf8.hpp"

using namespace parley;

namespace {

constexpr std::string_view kSecret = "parley-fuzz-secret-0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1700000000;  // fixed clock: the corpus stays meaningful

const auth::TokenSigner& signer() {
  static const auth::TokenSigner s{std::string(kSecret)};
  return s;
}

std::string hs256(std::string_view input) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(kSecret.data()),
                              kSecret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return util::base64url_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

std::string sign_payload(std::string_view payload) {
  std::string t = util::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  t += '.';
  t += util::base64url_encode(payload);
  std::string sig = hs256(t);
  t += '.';
  t += sig;
  return t;
}

void check_claims_against_payload(const auth::TokenClaims& c, std::string_view payload) {
  namespace json = boost::json;
  json::error_code ec;
  json::value v = json::parse(json::string_view(payload.data(), payload.size()), ec);
  FUZZ_CHECK(!ec && v.is_object());
  const auto& o = v.get_object();
  FUZZ_CHECK(o.at("sub").as_string() == c.name);
  FUZZ_CHECK(o.at("jti").as_string() == c.jti);
  FUZZ_CHECK(o.at("uid").as_int64() == c.uid);
  FUZZ_CHECK(o.at("exp").as_int64() == c.exp);
  FUZZ_CHECK(c.exp > kNow);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);

  // 1. Forged or garbled tokens: whatever verify accepts carries our exact header and the
  //    HMAC of its first two parts, recomputed here independently.
  if (auto c = signer().verify(in, kNow)) {
    auto dot2 = in.rfind('.');
    FUZZ_CHECK(dot2 != std::string_view::npos);
    FUZZ_CHECK(in.substr(0, in.find('.')) ==
               util::base64url_encode(R"({"alg":"HS256","typ":"JWT"})"));
    FUZZ_CHECK(in.substr(dot2 + 1) == hs256(in.substr(0, dot2)));
    FUZZ_CHECK(c->exp > kNow);
  }

  // 2. Well-signed, arbitrary payload.
  if (auto c = signer().verify(sign_payload(in), kNow)) check_claims_against_payload(*c, in);

  // 3. Round trip.
  std::string_view name = in.substr(0, 64);
  if (!util::is_valid_utf8(name)) return 0;
  auth::TokenClaims claims;
  claims.name = std::string(name);
  if (in.size() >= 80) {
    std::memcpy(&claims.uid, in.data() + 64, 8);
    std::memcpy(&claims.gen, in.data() + 72, 8);
  }
  std::int64_t lifetime = 60 + std::int64_t(in.size()) * 86400;  // 1 minute .. years
  if (in.size() >= 88) {
    // Any lifetime at all: issue() must not overflow (regression: iat + INT64_MAX was UB).
    std::memcpy(&lifetime, in.data() + 80, 8);
  }
  std::string token = signer().issue(claims, lifetime);
  FUZZ_CHECK(claims.exp > claims.iat);
  auto back = signer().verify(token, claims.iat);
  FUZZ_CHECK(back);
  FUZZ_CHECK(back->name == claims.name && back->uid == claims.uid && back->gen == claims.gen &&
             back->jti == claims.jti && back->iat == claims.iat && back->exp == claims.exp);
  FUZZ_CHECK(!signer().verify(token, claims.exp));  // expired at exp
  // Any single-byte change or truncation is refused.
  std::size_t at = size ? std::size_t(data[0]) * 131 % token.size() : token.size() - 1;
  std::string tampered = token;
  tampered[at] = char(tampered[at] ^ (size > 1 ? (data[1] | 1) : 1));
  FUZZ_CHECK(!signer().verify(tampered, claims.iat));
  FUZZ_CHECK(!signer().verify(std::string_view(token).substr(0, at), claims.iat));
  return 0;
}
