// SPDX-License-Identifier: MIT
// Signed file links (auth/file_link.hpp) and the text classic clients get for files
// (hub/classic_files.hpp).
#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/file_link.hpp"
#include "auth/token.hpp"
#include "hub/classic_files.hpp"

namespace parley {
namespace {

struct Query {
  std::string u, g, e, s;
};

Query split(const std::string& q) {
  Query out;
  for (std::size_t at = 0; at < q.size();) {
    auto amp = q.find('&', at);
    std::string part = q.substr(at, amp == std::string::npos ? amp : amp - at);
    std::string value = part.substr(2);
    if (part.rfind("u=", 0) == 0) out.u = value;
    if (part.rfind("g=", 0) == 0) out.g = value;
    if (part.rfind("e=", 0) == 0) out.e = value;
    if (part.rfind("s=", 0) == 0) out.s = value;
    at = amp == std::string::npos ? q.size() : amp + 1;
  }
  return out;
}

class FileLinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
  auth::TokenSigner tokens{std::string(64, 'k')};
  auth::FileLinks links{tokens};
};

TEST_F(FileLinkTest, AGoodLinkNamesItsReaderUntilItExpires) {
  Query q = split(links.query("abc123", {7, 2}, 1000));
  auto r = links.reader("abc123", {q.u, q.g, q.e, q.s}, 999);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->uid, 7);
  EXPECT_EQ(r->gen, 2);
  EXPECT_FALSE(links.reader("abc123", {q.u, q.g, q.e, q.s}, 1000)) << "expired";
}

TEST_F(FileLinkTest, EveryPartIsSigned) {
  Query q = split(links.query("abc123", {7, 2}, 1000));
  EXPECT_FALSE(links.reader("abc124", {q.u, q.g, q.e, q.s}, 0)) << "another file";
  EXPECT_FALSE(links.reader("abc123", {"8", q.g, q.e, q.s}, 0)) << "another reader";
  EXPECT_FALSE(links.reader("abc123", {q.u, "3", q.e, q.s}, 0)) << "another generation";
  EXPECT_FALSE(links.reader("abc123", {q.u, q.g, "1001", q.s}, 0)) << "a later expiry";
  EXPECT_FALSE(links.reader("abc123", {q.u, q.g, q.e, q.s.substr(1)}, 0)) << "cut signature";
  EXPECT_FALSE(links.reader("abc123", {q.u, q.g, q.e, ""}, 0));
  for (const char* junk : {"", "x", "-7", "7 ", "99999999999999999999", "0x7"})
    EXPECT_FALSE(links.reader("abc123", {junk, q.g, q.e, q.s}, 0)) << junk;
  EXPECT_FALSE(links.reader("abc\n123", {q.u, q.g, q.e, q.s}, 0));
  // Another server secret: nothing verifies.
  auth::FileLinks other{auth::TokenSigner(std::string(64, 'j'))};
  EXPECT_FALSE(other.reader("abc123", {q.u, q.g, q.e, q.s}, 0));
  // A file link is not a token and a token signature is not a file link.
  EXPECT_NE(q.s, tokens.sign("abc123\n7\n2\n1000"));
}

TEST(ClassicFiles, TheTextHasALinePerFile) {
  ASSERT_GE(sodium_init(), 0);
  auth::TokenSigner tokens{std::string(64, 'k')};
  auth::FileLinks links{tokens};
  hub::ClassicLink link{links, "https://chat.example.com", {7, 0}, 1000};
  std::string files =
      R"([{"id":"aa","name":"截图.png","type":"image/png","size":123456,"url":"/api/files/aa"},)"
      R"({"id":"bb","name":"a.txt","type":"text/plain","size":12,"url":"/api/files/bb"}])";
  std::string text = hub::classic_files_text("hello", files, link);
  EXPECT_EQ(text,
            "hello\n\xF0\x9F\x93\x8E 截图.png (121 KB) https://chat.example.com/api/files/aa?" +
                links.query("aa", {7, 0}, 1000) + "\n\xF0\x9F\x93\x8E a.txt (12 B) " +
                "https://chat.example.com/api/files/bb?" + links.query("bb", {7, 0}, 1000));
  EXPECT_EQ(hub::classic_files_text("", R"([{"id":"aa","name":"n","size":1}])", link)
                .rfind("\xF0\x9F\x93\x8E n (1 B) ", 0),
            0u);
  // Not a list of files: the text alone.
  for (const char* bad : {"", "{", "[1]", R"([{"id":1,"name":"n","size":1}])", "null"})
    EXPECT_EQ(hub::classic_files_text("hi", bad, link), "hi") << bad;
  EXPECT_EQ(hub::human_size(1023), "1023 B");
  EXPECT_EQ(hub::human_size(1536), "2 KB");
  EXPECT_EQ(hub::human_size(25 << 20), "25.0 MB");
}

}  // namespace
}  // namespace parley
