// SPDX-License-Identifier: MIT
// Look-alike names through the real binary, on one node and on three on Redis (issue "Abuse
// resistance", item 7): a name that looks like a taken one is taken (case, width, composition,
// invisible characters), invisible and bidi-control characters and white space at either end are
// refused, a name is stored in NFC, and look-alikes registered at once through different nodes
// make one account.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

std::string code_of(const client::HttpResult& r) {
  json::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("code")) return "(no code) " + r.body;
  return str(v.at("code"));
}

std::string credentials(const std::string& name) {
  return json::serialize(json::object{{"name", name}, {"password", "secret"}});
}

class LookAlikeNames : public ::testing::TestWithParam<Deployment::Mode> {};

TEST_P(LookAlikeNames, ANameThatLooksTakenIsTaken) {
  Deployment d{GetParam()};
  auto reg = [&](const std::string& name) {
    return code_of(Http{d.next_port()}.post("/api/register", credentials(name)));
  };
  ASSERT_EQ(reg("alice"), "2000");
  EXPECT_EQ(reg("alice\xE2\x80\x8B"), "4001") << "zero-width space";
  EXPECT_EQ(reg("ali\xE2\x80\x8D"
                "ce"),
            "4001")
      << "zero-width joiner";
  EXPECT_EQ(reg("\xEF\xBB\xBF"
                "alice"),
            "4001")
      << "byte order mark";
  EXPECT_EQ(reg("\xC2\xA0"
                "alice"),
            "4001")
      << "no-break space at the start";
  EXPECT_EQ(reg("alice\xE3\x80\x80"), "4001") << "ideographic space at the end";
  EXPECT_EQ(reg("Alice"), "4000");
  EXPECT_EQ(reg("ALICE"), "4000");
  EXPECT_EQ(reg("\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85"), "4000")
      << "fullwidth";
  // A right-to-left override makes "\u202Eecila" show as "alice"; isolates likewise.
  EXPECT_EQ(reg("\xE2\x80\xAE"
                "ecila"),
            "4001");
  EXPECT_EQ(reg("\xE2\x81\xA7"
                "bob"
                "\xE2\x81\xA9"),
            "4001");

  // Composed and decomposed forms: the name is kept in NFC, the other form is the same name.
  ASSERT_EQ(reg("jose\xCC\x81"), "2000");
  EXPECT_EQ(reg("jos\xC3\xA9"), "4000");
  EXPECT_EQ(reg("JOS\xC3\x89"), "4000");
  auto names = Http{d.next_port()}.get_json("/api/list").at("names").as_array();
  std::vector<std::string> listed;
  for (const auto& n : names) listed.push_back(str(n));
  EXPECT_NE(std::find(listed.begin(), listed.end(), "jos\xC3\xA9"), listed.end());
  EXPECT_EQ(std::find(listed.begin(), listed.end(), "jose\xCC\x81"), listed.end());
  EXPECT_EQ(listed.size(), 2u);
  // Login takes the name as stored, or typed in another composition; not another case.
  for (const std::string& form : {std::string("jos\xC3\xA9"), std::string("jose\xCC\x81")}) {
    auto r = Http{d.next_port()}.post("/api/login", credentials(form));
    EXPECT_EQ(code_of(r), "2000") << form;
    EXPECT_EQ(str(json::parse(r.body).at("name")), "jos\xC3\xA9");
  }
  EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/login", credentials("Alice"))), "4003");

  // Look-alikes at once through every node: one account.
  const std::vector<std::string> twins = {"Bob",
                                          "bob",
                                          "BOB",
                                          "\xEF\xBD\x82"
                                          "ob",
                                          "bOb",
                                          "boB"};
  std::vector<std::string> codes(twins.size());
  std::vector<std::thread> racers;
  for (std::size_t i = 0; i < twins.size(); ++i)
    racers.emplace_back([&, i, port = d.next_port()] {
      codes[i] = code_of(Http{port}.post("/api/register", credentials(twins[i])));
    });
  for (auto& t : racers) t.join();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "2000"), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "4000"), long(twins.size()) - 1);
}

// A deleted account's name is reserved in every look-alike form.
TEST_P(LookAlikeNames, ADeletedNameIsReservedInEveryForm) {
  Deployment d{GetParam()};
  Http http{d.port()};
  std::string token = http.login("Carol");
  ASSERT_EQ(http.post("/api/account/delete", R"({"password":"secret"})", token).status, 200);
  for (const char* form : {"Carol", "carol", "CAROL"})
    EXPECT_EQ(code_of(Http{d.next_port()}.post("/api/register", credentials(form))), "4000")
        << form;
}

INSTANTIATE_TEST_SUITE_P(Deployments, LookAlikeNames,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

}  // namespace
}  // namespace parley::testing
