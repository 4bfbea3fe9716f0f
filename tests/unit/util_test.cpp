// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "util/address_list.hpp"
#include "util/base64.hpp"
#include "util/json_text.hpp"
#include "util/utf8.hpp"

namespace parley::util {
namespace {

TEST(AddressList, MatchesAddressesAndRangesOfBothFamilies) {
  AddressList l({"127.0.0.1", "10.0.0.0/8", "192.168.1.128/25", "::1", "fd00::/8"});
  EXPECT_TRUE(l.contains("127.0.0.1"));
  EXPECT_FALSE(l.contains("127.0.0.2"));
  EXPECT_TRUE(l.contains("10.255.1.2"));
  EXPECT_FALSE(l.contains("11.0.0.1"));
  EXPECT_TRUE(l.contains("192.168.1.200"));
  EXPECT_FALSE(l.contains("192.168.1.127"));
  EXPECT_TRUE(l.contains("::1"));
  EXPECT_TRUE(l.contains("0:0::1"));
  EXPECT_TRUE(l.contains("fdab::5"));
  EXPECT_FALSE(l.contains("fe80::1"));
  EXPECT_TRUE(l.contains("::ffff:10.1.2.3")) << "IPv4-mapped matches as IPv4";
  EXPECT_FALSE(l.contains("not an address"));
  EXPECT_FALSE(l.contains(""));
  EXPECT_FALSE(AddressList().contains("127.0.0.1"));
  EXPECT_TRUE(AddressList({"0.0.0.0/0"}).contains("8.8.8.8"));
  EXPECT_FALSE(AddressList({"0.0.0.0/0"}).contains("2001:db8::1"));
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/", "::/129", "10.0.0.0/8x", "nginx", "1.2.3", "10.0.0.0/-1"})
    EXPECT_THROW(AddressList({bad}), std::invalid_argument) << bad;
  EXPECT_EQ(canonical_ip("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("0:0:0::1"), "::1");
  EXPECT_EQ(canonical_ip("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("10.0.0.1:80"), "");
}

TEST(Utf8, AcceptsValidAndRejectsMalformed) {
  EXPECT_TRUE(is_valid_utf8("hello 张三 👋"));
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));          // bad continuation
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE5\xBC"));          // truncated
}

TEST(Utf8, IncrementalValidatorCarriesSplitSequences) {
  std::string s = "张三";
  Utf8Validator v;
  EXPECT_TRUE(v.feed(s.substr(0, 2)));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed(s.substr(2)));
  EXPECT_TRUE(v.complete());
}

TEST(Utf8, CountsCodePointsAndFindsControls) {
  EXPECT_EQ(count_code_points("孔雀大明王"), 5u);
  EXPECT_EQ(count_code_points("a👋"), 2u);
  EXPECT_TRUE(has_control_chars("a\tb"));
  EXPECT_TRUE(has_control_chars("a\x7f"));
  EXPECT_TRUE(has_control_chars("a\xC2\x85"));  // NEL, C1
  EXPECT_FALSE(has_control_chars("张三 ok"));
}

TEST(Base64, RoundTripsAndRejectsBadInput) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  for (std::string s : {"", "a", "ab", "abc", "abcd", "张三"})
    EXPECT_EQ(base64url_decode(base64url_encode(s)).value(), s);
  EXPECT_FALSE(base64url_decode("a").has_value());
  EXPECT_FALSE(base64url_decode("ab+c").has_value());
}

TEST(JsonText, EscapesWhatJsonRequires) {
  std::string out;
  append_json_string(out, "a\"b\\c\nd\x01 张");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 张\"");
  out.clear();
  append_json_string_array(out, {"x", "y"});
  EXPECT_EQ(out, "[\"x\",\"y\"]");
}

}  // namespace
}  // namespace parley::util
