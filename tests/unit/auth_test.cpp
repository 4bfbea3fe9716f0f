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
#include "util/name_form.hpp"

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
    EXPECT_TRUE(t.try_reserve("n:a", now));
  }
  EXPECT_TRUE(t.blocked("n:a", now));
  EXPECT_FALSE(t.try_reserve("n:a", now)) << "no fourth check, however many ask at once";
  EXPECT_FALSE(t.blocked("n:b", now));
  EXPECT_FALSE(t.blocked("n:a", now + 60000));
  EXPECT_TRUE(t.try_reserve("n:a", now + 60000));
  LoginThrottle off(0);
  EXPECT_TRUE(off.try_reserve("x", now));
  EXPECT_FALSE(off.blocked("x", now));
}

TEST(LoginThrottle, ARightPasswordGivesItsCheckBack) {
  LoginThrottle t(2);
  std::int64_t now = 60000 * 100;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(t.try_reserve("n:a", now));
    t.release("n:a", now);
  }
  EXPECT_FALSE(t.blocked("n:a", now));
  ASSERT_TRUE(t.try_reserve("n:a", now));
  ASSERT_TRUE(t.try_reserve("n:a", now));
  t.release("n:a", now - 60000);  // taken in a minute that is over: not this minute's
  EXPECT_TRUE(t.blocked("n:a", now));
}

TEST(Credentials, NewNamesAreVisibleAndInNfc) {
  EXPECT_EQ(new_account_name("alice").value_or("?"), "alice");
  EXPECT_EQ(new_account_name("e\xCC\x81").value_or("?"), "\xC3\xA9");  // e + U+0301 -> é
  EXPECT_EQ(new_account_name("张三").value_or("?"), "张三");
  EXPECT_EQ(new_account_name("\xE2\x9D\xA4\xEF\xB8\x8F").value_or("?"), "\xE2\x9D\xA4\xEF\xB8\x8F")
      << "an emoji with its variation selector";
  for (const char* bad : {"alice\xE2\x80\x8B",  // zero-width space
                          "ali\xE2\x80\x8D"
                          "ce",  // zero-width joiner
                          "\xE2\x80\xAE"
                          "ecila",  // right-to-left override
                          "\xE2\x81\xA6"
                          "a",  // left-to-right isolate
                          "\xD8\x9C"
                          "a",  // Arabic letter mark
                          "a\xC2\xAD"
                          "b",  // soft hyphen
                          "\xC2\xA0"
                          "alice",              // no-break space at the start
                          "alice\xE3\x80\x80",  // ideographic space at the end
                          "\xE3\x85\xA4",       // Hangul filler
                          "~deleted-1", "", " a", "\xC3\x28"})
    EXPECT_FALSE(new_account_name(bad)) << bad;
  // Logins keep the old rules: accounts named before them still log in.
  EXPECT_TRUE(is_valid_name("alice\xE2\x80\x8B"));
}

TEST(NameForm, LookAlikesShareOneKey) {
  using util::name_key;
  EXPECT_EQ(name_key("alice"), "alice");
  EXPECT_EQ(name_key("Alice"), "alice");
  EXPECT_EQ(name_key("ALICE"), "alice");
  EXPECT_EQ(name_key("\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85"),
            "alice");                                      // fullwidth ａｌｉｃｅ
  EXPECT_EQ(name_key("\xC3\xA9"), name_key("e\xCC\x81"));  // é composed / decomposed
  EXPECT_EQ(name_key("\xC3\x89"), name_key("\xC3\xA9"));   // É / é
  EXPECT_EQ(name_key("stra\xC3\x9F"
                     "e"),
            name_key("STRASSE"));                      // ß folds to ss
  EXPECT_EQ(name_key("\xE2\x84\xAA"), name_key("k"));  // Kelvin sign
  EXPECT_EQ(name_key("\xEF\xAC\x81"
                     "le"),
            name_key("file"));                        // ﬁ ligature
  EXPECT_EQ(name_key("alice\xE2\x80\x8B"), "alice");  // ignorables dropped
  EXPECT_NE(name_key("alice"), name_key("alicia"));
  EXPECT_NE(name_key("张三"), name_key("张四"));
  EXPECT_EQ(util::to_nfc("e\xCC\x81").value_or("?"), "\xC3\xA9");
  EXPECT_FALSE(util::to_nfc("\xFF"));
  EXPECT_TRUE(util::has_space_at_ends("\xE3\x80\x80x"));
  EXPECT_TRUE(util::has_space_at_ends("x\xE2\x80\x83"));
  EXPECT_FALSE(util::has_space_at_ends("a b"));
}

}  // namespace
}  // namespace parley::auth
