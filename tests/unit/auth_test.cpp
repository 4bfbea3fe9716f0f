// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/credentials.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/revocations.hpp"
#include "auth/token.hpp"
#include "util/base64.hpp"
#include "util/clock.hpp"

namespace parley::auth {
namespace {

class Sodium : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(Sodium, PasswordHashIsArgon2idAndVerifies) {
  std::string h = hash_password("secret", {1, 64 * 1024});
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password("secret", h));
  EXPECT_FALSE(verify_password("Secret", h));
  EXPECT_NE(hash_password("secret", {1, 64 * 1024}), h);  // salted
}

TEST_F(Sodium, TokenRoundTripsAndRejectsTamperingAndExpiry) {
  TokenSigner signer(generate_secret());
  TokenClaims c;
  c.name = "张三";
  c.uid = 7;
  c.gen = 2;
  std::string t = signer.issue(c, 3600);
  auto v = signer.verify(t, util::now_s());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->name, "张三");
  EXPECT_EQ(v->uid, 7);
  EXPECT_EQ(v->gen, 2);
  EXPECT_EQ(v->jti, c.jti);
  EXPECT_EQ(v->jti.size(), 32u);
  EXPECT_FALSE(signer.verify(t, c.exp).has_value());  // expired
  std::string bad = t;
  bad[t.find('.') + 3] ^= 1;
  EXPECT_FALSE(signer.verify(bad, util::now_s()).has_value());
  TokenSigner other(generate_secret());
  EXPECT_FALSE(other.verify(t, util::now_s()).has_value());
  // alg=none with the original payload and no signature.
  std::string none = util::base64url_encode(R"({"alg":"none","typ":"JWT"})") +
                     t.substr(t.find('.'), t.rfind('.') - t.find('.')) + ".";
  EXPECT_FALSE(signer.verify(none, util::now_s()).has_value());
  EXPECT_FALSE(signer.verify("", util::now_s()).has_value());
  EXPECT_FALSE(signer.verify("a.b", util::now_s()).has_value());
  EXPECT_THROW(TokenSigner("short"), std::invalid_argument);
}

TEST(Revocations, ByJtiAndByGeneration) {
  Revocations r;
  TokenClaims c;
  c.uid = 1;
  c.jti = "j1";
  c.gen = 0;
  EXPECT_FALSE(r.is_revoked(c));
  r.revoke("j1", util::now_s() + 100);
  EXPECT_TRUE(r.is_revoked(c));
  c.jti = "j2";
  EXPECT_FALSE(r.is_revoked(c));
  r.set_generation(1, 1);
  EXPECT_TRUE(r.is_revoked(c));
  c.gen = 1;
  EXPECT_FALSE(r.is_revoked(c));
  r.prune(util::now_s() + 1000);
  c.jti = "j1";
  EXPECT_FALSE(r.is_revoked(c));
}

// Revoked ids are kept until their token's exp (a token is refused at exp anyway), then
// forgotten; a second revoke of the same id (local store + cluster broadcast) keeps one entry.
TEST(Revocations, PruneForgetsExactlyTheExpired) {
  Revocations r;
  auto claims = [](const char* jti) {
    TokenClaims c;
    c.uid = 7;
    c.jti = jti;
    return c;
  };
  r.revoke("a", 100);
  r.revoke("b", 200);
  r.revoke("c", 150);
  r.revoke("a", 300);  // heard again with a later exp: kept until then
  r.revoke("c", 150);
  EXPECT_EQ(r.revoked_count(), 3u);
  r.prune(99);
  EXPECT_EQ(r.revoked_count(), 3u);
  r.prune(150);  // exp <= now: c goes
  EXPECT_EQ(r.revoked_count(), 2u);
  EXPECT_FALSE(r.is_revoked(claims("c")));
  EXPECT_TRUE(r.is_revoked(claims("a")));
  EXPECT_TRUE(r.is_revoked(claims("b")));
  r.prune(200);
  EXPECT_FALSE(r.is_revoked(claims("b")));
  EXPECT_TRUE(r.is_revoked(claims("a")));
  r.prune(300);
  EXPECT_EQ(r.revoked_count(), 0u);
  EXPECT_FALSE(r.is_revoked(claims("a")));
  // Generations are not pruned: one number per user, still revoking older tokens.
  r.set_generation(7, 2);
  r.prune(1000000);
  TokenClaims old = claims("z");
  old.gen = 1;
  EXPECT_TRUE(r.is_revoked(old));
}

TEST(Credentials, ValidatesNamesAndPasswordsInCharacters) {
  EXPECT_TRUE(is_valid_name("张三"));
  EXPECT_TRUE(is_valid_name("孔雀大明王"));
  EXPECT_TRUE(is_valid_name("a"));
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_FALSE(is_valid_name(" lead"));
  EXPECT_FALSE(is_valid_name("tab\there"));
  EXPECT_FALSE(is_valid_name("\xC3\x28"));
  EXPECT_FALSE(is_valid_name(std::string(21, 'a')));
  EXPECT_TRUE(is_valid_password("abc"));
  EXPECT_FALSE(is_valid_password("ab"));
  EXPECT_TRUE(is_valid_password("密码长"));
}

TEST(LoginThrottle, BlocksAfterTheLimitWithinAMinute) {
  LoginThrottle t(3);
  std::int64_t now = 60000 * 100;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.blocked("n:a", now));
    t.record_failure("n:a", now);
  }
  EXPECT_TRUE(t.blocked("n:a", now));
  EXPECT_FALSE(t.blocked("n:b", now));
  EXPECT_FALSE(t.blocked("n:a", now + 60000));
  LoginThrottle off(0);
  off.record_failure("x", now);
  EXPECT_FALSE(off.blocked("x", now));
}

}  // namespace
}  // namespace parley::auth
