// SPDX-License-Identifier: MIT
// Classic clients (the original page, which shows only `content`) get a message's files as text:
// a line per file with its name, size and a signed link that downloads it without any header,
// for that reader only, until it expires or the reader logs out everywhere. Through the real
// binary, on one node and on three on Redis.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

client::HttpResult upload(std::uint16_t port, const std::string& token, const std::string& body,
                          const std::string& type, const std::string& name) {
  return client::http_request("127.0.0.1", port, "POST", "/api/files", body,
                              {{"Content-Type", type}, {"w-token", token}, {"X-File-Name", name}});
}

client::HttpResult get(std::uint16_t port, const std::string& target) {
  return client::http_request("127.0.0.1", port, "GET", target, {}, {});
}

// The links in a classic message's text, as (site, target) pairs.
std::vector<std::pair<std::string, std::string>> links_in(const std::string& text) {
  static const std::regex link(R"((https?://[^/ \n]+)?(/api/files/[0-9a-f]+\?[^ \n]+))");
  std::vector<std::pair<std::string, std::string>> out;
  for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it)
    out.emplace_back((*it)[1].str(), (*it)[2].str());
  return out;
}

std::string with_param(std::string target, const std::string& key, const std::string& value) {
  auto at = target.find(key + "=");
  auto end = target.find('&', at);
  return target.replace(at, end == std::string::npos ? end : end - at, key + "=" + value);
}

class FileLinks : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  TempDir shared;
  Deployment server{GetParam(), {"--files-dir", shared.path()}};
  Http http{server.port()};
  std::string png = read_all(std::string(PARLEY_SOURCE_DIR) + "/tests/data/sample.png");

  std::string upload_id(const std::string& token, const std::string& body, const std::string& type,
                        const std::string& name) {
    auto r = upload(server.next_port(), token, body, type, name);
    EXPECT_EQ(r.status, 200) << r.body;
    return str(json::parse(r.body).at("file").at("id"));
  }
};

TEST_P(FileLinks, ClassicClientsGetTheTextAndASignedLinkPerFile) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  std::string image = upload_id(at, png, "image/png", "%E6%88%AA%E5%9B%BE.png");
  std::string notes = upload_id(at, std::string(3000, 'n'), "text/plain", "notes.txt");

  std::uint16_t classic_port = server.next_port();
  auto classic = std::make_unique<Chat>(classic_port, bt);  // no seq: the original's protocol
  Chat modern(server.next_port(), bt, std::int64_t(0));
  Chat a(server.next_port(), at, std::int64_t(0));
  a.send(json::object{{"type", "normal"},
                      {"content", "look"},
                      {"to", json::array{"bob"}},
                      {"cid", "f1"},
                      {"files", json::array{image.c_str(), notes.c_str()}}});
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "f1");

  // A parley client gets the files as objects and the text as written.
  auto m = modern.next_of("normal");
  EXPECT_EQ(str(m.at("content")), "look");
  EXPECT_EQ(m.at("files").as_array().size(), 2u);

  // The classic page gets readable text: the message, then a line per file.
  auto c = classic->next_of("normal");
  EXPECT_FALSE(c.contains("files"));
  std::string text = str(c.at("content"));
  EXPECT_EQ(text.rfind("look\n\xF0\x9F\x93\x8E \xE6\x88\xAA\xE5\x9B\xBE.png (", 0), 0u) << text;
  EXPECT_NE(text.find("notes.txt (3 KB) "), std::string::npos) << text;
  auto links = links_in(text);
  ASSERT_EQ(links.size(), 2u) << text;
  EXPECT_EQ(links[0].first, "http://127.0.0.1:" + std::to_string(classic_port))
      << "absolute, on the host the client connected to";
  EXPECT_EQ(links[0].second.rfind("/api/files/" + image + "?", 0), 0u);

  // The link alone downloads the file (no header, no cookie), through every node; the thumbnail
  // answers to the same link.
  for (std::size_t i = 0; i < server.size(); ++i) {
    auto d = get(server.node(i).port(), links[0].second);
    ASSERT_EQ(d.status, 200) << "node " << i << ": " << d.body;
    EXPECT_EQ(d.body, png);
    EXPECT_EQ(d.headers["x-content-type-options"], "nosniff");
  }
  std::string thumb = links[0].second;
  thumb.insert(thumb.find('?'), "/thumb");
  EXPECT_EQ(get(server.port(), thumb).headers["content-type"], "image/jpeg");
  EXPECT_EQ(get(server.port(), links[1].second).body, std::string(3000, 'n'));

  // Forged links get nothing: another signature, reader, expiry, file, or parts missing.
  const std::string& good = links[0].second;
  std::string sig = good.substr(good.find("s=") + 2);
  std::string flipped = sig;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  std::string other_file = good;
  other_file.replace(11, image.size(), notes);
  for (const std::string& bad :
       {with_param(good, "s", flipped), with_param(good, "s", ""), with_param(good, "u", "1"),
        with_param(good, "g", "99"), with_param(good, "e", "99999999999"), other_file,
        good.substr(0, good.find("&s=")), "/api/files/" + image + "?u=-1&g=0&e=1&s=x",
        "/api/files/" + image + "?u=1%0A&g=0&e=9999999999&s=" + sig,
        "/api/files/../../etc/passwd?" + good.substr(good.find('?') + 1)}) {
    auto r = get(server.next_port(), bad);
    EXPECT_TRUE(r.status == 401 || r.status == 404) << bad << " -> " << r.status;
    EXPECT_NE(r.body, png);
  }
  // A link opens downloads only, never the account's other file endpoints.
  std::string query = good.substr(good.find('?'));
  EXPECT_EQ(get(server.port(), "/api/files/limits" + query).status, 401);

  // Offline: the classic backlog carries links too; so does a group message.
  classic.reset();
  std::this_thread::sleep_for(200ms);
  a.send(json::object{{"type", "normal"},
                      {"content", ""},
                      {"to", json::array{"bob"}},
                      {"cid", "f2"},
                      {"files", json::array{notes.c_str()}}});
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "f2");
  Chat back(server.next_port(), bt);
  auto later = back.next_of("normal");
  std::string later_text = str(later.at("content"));
  EXPECT_EQ(later_text.rfind("\xF0\x9F\x93\x8E notes.txt", 0), 0u) << later_text;
  ASSERT_EQ(links_in(later_text).size(), 1u);
  EXPECT_EQ(get(server.port(), links_in(later_text)[0].second).status, 200);

  auto g = http.post("/api/groups", R"({"name":"team","members":["bob"]})", at);
  ASSERT_EQ(g.status, 200) << g.body;
  std::string group = str(json::parse(g.body).at("group").at("id"));
  std::string plan = upload_id(at, "the plan", "text/plain", "plan.txt");
  a.send(json::object{{"type", "normal"},
                      {"content", "for the team"},
                      {"group", group.c_str()},
                      {"cid", "f3"},
                      {"files", json::array{plan.c_str()}}});
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "f3");
  auto gm = back.next_of("normal");
  auto group_links = links_in(str(gm.at("content")));
  ASSERT_EQ(group_links.size(), 1u) << json::serialize(gm);
  EXPECT_EQ(get(server.port(), group_links[0].second).body, "the plan");
  // Removed from the group, the link stops working (the same check as for a token); the links
  // of direct messages still do.
  auto out = http.post("/api/groups/" + group + "/members", R"({"remove":["bob"]})", at);
  ASSERT_EQ(out.status, 200) << out.body;
  for (std::size_t i = 0; i < server.size(); ++i)
    EXPECT_EQ(get(server.node(i).port(), group_links[0].second).status, 404) << "node " << i;
  EXPECT_EQ(get(server.next_port(), links[0].second).status, 200) << "sent to bob directly";
  EXPECT_EQ(http.get("/api/files/" + image, ct).status, 404) << "carol never had it";
}

INSTANTIATE_TEST_SUITE_P(Deployments, FileLinks,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

// A link lives `limits.file_link_ttl` seconds and ends when its reader logs out everywhere; with
// `public_url` set, links point there.
TEST(FileLinksEnd, WithTheirTimeAndWithLogoutEverywhere) {
  ServerProcess server({"--file-link-ttl", "3", "--public-url", "https://chat.example.com/"});
  Http http{server.port()};
  std::string at = http.login("alice"), bt = http.login("bob");
  auto up = upload(server.port(), at, "some bytes", "text/plain", "a.txt");
  ASSERT_EQ(up.status, 200) << up.body;
  std::string id = str(json::parse(up.body).at("file").at("id"));
  auto send_and_link = [&](Chat& from, Chat& to, const std::string& cid) {
    from.send(json::object{{"type", "normal"},
                           {"content", "x"},
                           {"to", json::array{"bob"}},
                           {"cid", cid.c_str()},
                           {"files", json::array{id.c_str()}}});
    EXPECT_EQ(str(from.next_of("ack").at("cid")), cid);
    auto links = links_in(str(to.next_of("normal").at("content")));
    EXPECT_EQ(links.size(), 1u);
    return links.empty() ? std::pair<std::string, std::string>() : links[0];
  };
  Chat a(server.port(), at, std::int64_t(0));
  Chat b(server.port(), bt);
  auto [site, link] = send_and_link(a, b, "1");
  EXPECT_EQ(site, "https://chat.example.com");
  EXPECT_EQ(get(server.port(), link).status, 200);
  std::this_thread::sleep_for(3500ms);
  EXPECT_EQ(get(server.port(), link).status, 401) << "expired";

  auto [site2, link2] = send_and_link(a, b, "2");
  EXPECT_EQ(get(server.port(), link2).status, 200);
  ASSERT_EQ(http.post("/api/logout?all=1", "", bt).status, 200);
  EXPECT_EQ(get(server.port(), link2).status, 401) << "logged out everywhere";
}

}  // namespace
}  // namespace parley::testing
