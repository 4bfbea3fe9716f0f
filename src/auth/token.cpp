// SPDX-License-Identifier: MIT
#include "auth/token.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "util/base64.hpp"
#include "util/clock.hpp"
#include "util/json_text.hpp"

namespace parley::auth {
namespace json = boost::json;
namespace {

const std::string& encoded_header() {
  static const std::string h = util::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  return h;
}

bool read_int(const json::object& o, const char* key, std::int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_int64()) return false;
  out = v->get_int64();
  return true;
}

bool read_string(const json::object& o, const char* key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return false;
  out.assign(v->get_string().begin(), v->get_string().end());
  return true;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

TokenSigner::TokenSigner(std::string secret) : secret_(std::move(secret)) {
  if (secret_.size() < 32) throw std::invalid_argument("token secret shorter than 32 bytes");
}

std::string TokenSigner::sign(std::string_view input) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()),
                              secret_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return util::base64url_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

std::string TokenSigner::issue(TokenClaims& c, std::int64_t lifetime_s) const {
  c.jti = random_hex(16);
  c.iat = util::now_s();
  // At most 100 years: keeps exp far from overflow whatever the configuration says.
  c.exp = c.iat + std::clamp<std::int64_t>(lifetime_s, 1, 100ll * 365 * 24 * 3600);
  std::string payload = "{\"sub\":";
  util::append_json_string(payload, c.name);
  payload += ",\"uid\":" + std::to_string(c.uid) + ",\"gen\":" + std::to_string(c.gen) +
             ",\"jti\":\"" + c.jti + "\",\"iat\":" + std::to_string(c.iat) +
             ",\"exp\":" + std::to_string(c.exp) + "}";
  std::string token = encoded_header() + '.' + util::base64url_encode(payload);
  std::string sig = sign(token);
  token += '.';
  token += sig;
  return token;
}

std::optional<TokenClaims> TokenSigner::verify(std::string_view token, std::int64_t now) const {
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos || token.substr(0, dot1) != encoded_header())
    return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  std::string expected = sign(token.substr(0, dot2));
  std::string_view got = token.substr(dot2 + 1);
  if (got.size() != expected.size() ||
      sodium_memcmp(got.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  auto payload = util::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return std::nullopt;
  json::error_code ec;
  json::value v = json::parse(*payload, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  TokenClaims c;
  if (!read_string(o, "sub", c.name) || !read_int(o, "uid", c.uid) || !read_int(o, "gen", c.gen) ||
      !read_string(o, "jti", c.jti) || !read_int(o, "iat", c.iat) || !read_int(o, "exp", c.exp))
    return std::nullopt;
  if (c.exp <= now) return std::nullopt;
  return c;
}

TokenSigner TokenSigner::derived(std::string_view purpose) const {
  return TokenSigner(sign(purpose));  // 43 characters of base64url: 256 bits
}

std::string generate_secret() {
  return random_hex(64);
}

}  // namespace parley::auth
