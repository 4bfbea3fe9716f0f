// SPDX-License-Identifier: MIT
// Files through the real binary, on one node and on three on Redis sharing one files folder:
// an upload streamed to disk, an image measured and thumbnailed, a message carrying it, the
// download (Range, ETag, names, headers that keep it from running) for the recipients only,
// and hostile uploads refused cleanly: over the limit, over the quota, lying about being an
// image, truncated, path-like and NUL names, someone else's file ids, a slow uploader, one
// that goes away half-way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "client/socket.hpp"
#include "support/chat_client.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace parley::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string code_of(const client::HttpResult& r) {
  json::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("code")) return "(no code) " + r.body;
  return str(v.at("code"));
}

std::size_t part_files(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/tmp", ec))
    n += e.path().extension() == ".part";
  return n;
}

class Files : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  TempDir shared;  // the files folder of every node
  Deployment server{GetParam(),
                    {"--files-dir", shared.path(), "--max-file-bytes", "200000",
                     "--user-quota-bytes", "1000000", "--request-body-timeout", "2"}};
  Http http{server.port()};
  std::string png = read_all(std::string(PARLEY_SOURCE_DIR) + "/tests/data/sample.png");

  client::HttpResult upload(std::uint16_t port, const std::string& token, const std::string& body,
                            const std::string& type, const std::string& name) {
    std::map<std::string, std::string> h = {{"Content-Type", type}};
    if (!token.empty()) h["w-token"] = token;
    if (!name.empty()) h["X-File-Name"] = name;
    return client::http_request("127.0.0.1", port, "POST", "/api/files", body, h);
  }
  client::HttpResult get(std::uint16_t port, const std::string& target,
                         std::map<std::string, std::string> headers) {
    return client::http_request("127.0.0.1", port, "GET", target, {}, headers);
  }
};

TEST_P(Files, AnImageSentToSomeoneIsTheirsToSeeAndNobodyElses) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  auto up = upload(server.next_port(), at, png, "image/png", "%E6%88%AA%E5%9B%BE.png");
  ASSERT_EQ(up.status, 200) << up.body;
  auto file = json::parse(up.body).at("file").as_object();
  std::string id = str(file.at("id"));
  EXPECT_EQ(str(file.at("name")), "截图.png");
  EXPECT_EQ(str(file.at("type")), "image/png");
  EXPECT_EQ(file.at("size").as_int64(), std::int64_t(png.size()));
  EXPECT_EQ(file.at("width").as_int64(), 40);
  EXPECT_EQ(file.at("height").as_int64(), 30);
  EXPECT_EQ(str(file.at("url")), "/api/files/" + id);
  EXPECT_EQ(str(file.at("thumb_url")), "/api/files/" + id + "/thumb");

  // Before it is sent, only alice may read it; bob is told the same as for no file at all.
  EXPECT_EQ(get(server.next_port(), "/api/files/" + id, {{"w-token", bt}}).status, 404);
  EXPECT_EQ(get(server.next_port(), "/api/files/nope", {{"w-token", bt}}).status, 404);
  EXPECT_EQ(get(server.next_port(), "/api/files/" + id, {}).status, 401);

  Chat a(server.next_port(), at, std::int64_t(0)), b(server.next_port(), bt, std::int64_t(0));
  a.send(json::object{{"type", "normal"},
                      {"content", ""},
                      {"to", json::array{"bob"}},
                      {"cid", "f1"},
                      {"files", json::array{id.c_str()}}});
  EXPECT_EQ(str(a.next_of("ack").at("cid")), "f1");
  auto m = b.next_of("normal");
  ASSERT_TRUE(m.contains("files")) << json::serialize(m);
  EXPECT_EQ(str(m.at("files").as_array().at(0).at("id")), id);
  EXPECT_EQ(m.at("files").as_array().at(0).at("width").as_int64(), 40);

  // bob downloads it through every node: the same bytes, with the headers that keep it safe.
  for (std::size_t i = 0; i < server.size(); ++i) {
    auto d = get(server.node(i).port(), "/api/files/" + id, {{"w-token", bt}});
    ASSERT_EQ(d.status, 200) << "node " << i << ": " << d.body;
    EXPECT_EQ(d.body, png);
    EXPECT_EQ(d.headers["content-type"], "image/png");
    EXPECT_EQ(d.headers["x-content-type-options"], "nosniff");
    EXPECT_NE(d.headers["content-security-policy"].find("sandbox"), std::string::npos);
    EXPECT_NE(d.headers["content-disposition"].find("filename*=UTF-8''%E6%88%AA%E5%9B%BE.png"),
              std::string::npos)
        << d.headers["content-disposition"];
    EXPECT_EQ(d.headers["accept-ranges"], "bytes");
  }
  auto d = get(server.port(), "/api/files/" + id, {{"w-token", bt}});
  std::string etag = d.headers["etag"];
  EXPECT_EQ(
      get(server.port(), "/api/files/" + id, {{"w-token", bt}, {"If-None-Match", etag}}).status,
      304);
  auto part = get(server.port(), "/api/files/" + id, {{"w-token", bt}, {"Range", "bytes=8-23"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, png.substr(8, 16));
  EXPECT_EQ(part.headers["content-range"], "bytes 8-23/" + std::to_string(png.size()));
  auto tail = get(server.port(), "/api/files/" + id, {{"w-token", bt}, {"Range", "bytes=-4"}});
  EXPECT_EQ(tail.body, png.substr(png.size() - 4));
  EXPECT_EQ(
      get(server.port(), "/api/files/" + id, {{"w-token", bt}, {"Range", "bytes=99999-"}}).status,
      416);
  auto thumb = get(server.port(), "/api/files/" + id + "/thumb", {{"w-token", bt}});
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.headers["content-type"], "image/jpeg");
  EXPECT_EQ(thumb.body.substr(0, 3), "\xFF\xD8\xFF");

  // The cookie lets <img src> work without headers.
  auto c = client::http_request("127.0.0.1", server.port(), "POST", "/api/files/cookie", {},
                                {{"w-token", bt}});
  ASSERT_EQ(c.status, 200) << c.body;
  std::string set = c.headers["set-cookie"];
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  std::string cookie = set.substr(0, set.find(';'));
  EXPECT_EQ(get(server.port(), "/api/files/" + id, {{"Cookie", "a=b; " + cookie}}).body, png);

  // carol was not a recipient: nothing, whatever she tries.
  for (const char* suffix : {"", "/thumb"})
    EXPECT_EQ(get(server.next_port(), "/api/files/" + id + suffix, {{"w-token", ct}}).status, 404);
  // History carries the file too.
  auto h = http.get_json("/api/history?with=alice", bt).at("messages").as_array();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(str(h[0].at("files").as_array().at(0).at("id")), id);
  // A file id that is not the sender's: refused, nothing stored.
  Chat cc(server.next_port(), ct, std::int64_t(0));
  for (const std::string& bad : {id, std::string("nope"), std::string("../../etc/passwd")}) {
    cc.send(json::object{{"type", "normal"},
                         {"content", "look"},
                         {"to", json::array{"bob"}},
                         {"cid", "x"},
                         {"files", json::array{bad.c_str()}}});
    EXPECT_EQ(str(cc.next_of("error").at("code")), "bad_file") << bad;
  }
  for (
      const char* frame :
      {R"({"type":"normal","content":"x","to":["bob"],"files":"abc"})",
       R"({"type":"normal","content":"x","to":["bob"],"files":[1]})",
       R"({"type":"normal","content":"","to":["bob"]})",
       R"({"type":"normal","content":"x","to":["bob"],"files":["a","b","c","d","e","f","g","h","i","j","k"]})"}) {
    cc.send_raw_text(frame);
    EXPECT_EQ(str(cc.next_of("error").at("code")), "bad_frame") << frame;
  }
  EXPECT_TRUE(b.quiet());
}

// A plain HTML form (multipart/form-data) uploads like the raw body: its file part's name and
// type are used, text fields are skipped, and a broken form is refused without leftovers.
TEST_P(Files, AFormUploadWorksLikeTheRawBody) {
  std::string at = http.login("alice");
  const std::string b = "----parleyFormBoundary7";
  auto form = [&](const std::string& file_part) {
    return "--" + b + "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhi\r\n--" + b +
           "\r\n" + file_part + "\r\n--" + b + "--\r\n";
  };
  std::string type = "multipart/form-data; boundary=" + b;
  std::string good = form(
      "Content-Disposition: form-data; name=\"file\"; filename=\"../../shot.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      png);
  auto up = upload(server.next_port(), at, good, type, "");
  ASSERT_EQ(up.status, 200) << up.body;
  auto file = json::parse(up.body).at("file").as_object();
  EXPECT_EQ(str(file.at("name")), "shot.png") << "path-like names keep their last part";
  EXPECT_EQ(str(file.at("type")), "image/png");
  EXPECT_EQ(file.at("size").as_int64(), std::int64_t(png.size()));
  EXPECT_EQ(file.at("width").as_int64(), 40);
  auto d = get(server.next_port(), str(file.at("url")), {{"w-token", at}});
  EXPECT_EQ(d.body, png);
  // The same bytes as a raw body: the same file.
  auto raw = upload(server.next_port(), at, png, "image/png", "shot.png");
  EXPECT_EQ(str(json::parse(raw.body).at("file").at("id")), str(file.at("id")));

  auto refused = [&](const std::string& body, const std::string& ctype) {
    auto r = upload(server.next_port(), at, body, ctype, "");
    EXPECT_EQ(r.status, 400) << r.body;
    return r.body;
  };
  EXPECT_NE(refused(good.substr(0, good.size() - 10), type).find("closing boundary"),
            std::string::npos);
  EXPECT_NE(refused(form("Content-Disposition: form-data; name=\"x\"\r\n\r\nno file"), type)
                .find("no file"),
            std::string::npos);
  EXPECT_NE(refused(form("Content-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"
                         "x\r\n--" +
                         b +
                         "\r\nContent-Disposition: form-data; name=\"g\"; "
                         "filename=\"b\"\r\n\r\ny"),
                    type)
                .find("more than one file"),
            std::string::npos);
  refused(form("Content-Disposition: form-data; name=\"f\"; filename=\"a\x01b\"\r\n\r\nx"), type);
  EXPECT_EQ(upload(server.next_port(), at, good, "multipart/form-data", "").status, 415)
      << "no boundary";
  // A file part past the limit: 413, even though the form's length is allowed its overhead.
  auto big =
      upload(server.next_port(), at,
             form("Content-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n\r\n" +
                  std::string(200001, 'x')),
             type, "");
  EXPECT_EQ(big.status, 413) << big.body;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(part_files(shared.path()), 0u) << "refused forms leave nothing behind";
}

TEST_P(Files, HostileUploadsAreRefusedAndLeaveNothingBehind) {
  std::string at = http.login("alice");
  std::uint16_t port = server.port();
  EXPECT_EQ(upload(port, "", "abc", "text/plain", "a.txt").status, 401);
  auto big = upload(port, at, std::string(200001, 'x'), "application/octet-stream", "big.bin");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(code_of(big), "4013");
  auto liar = upload(port, at, std::string(5000, 'x'), "image/png", "fake.png");
  EXPECT_EQ(liar.status, 415);
  EXPECT_EQ(code_of(liar), "4015");
  auto cut = upload(port, at, png.substr(0, png.size() / 2), "image/png", "cut.png");
  EXPECT_EQ(cut.status, 415) << cut.body;
  auto junk_png =
      upload(port, at, png.substr(0, 16) + std::string(3000, '\x7f'), "image/png", "junk.png");
  EXPECT_EQ(junk_png.status, 415) << junk_png.body;
  EXPECT_EQ(upload(port, at, "", "text/plain", "empty.txt").status, 400);
  EXPECT_EQ(upload(port, at, "a", "text/plain", "bad%00name.txt").status, 400);
  EXPECT_EQ(upload(port, at, "a", "text/plain", "%ZZ").status, 400);
  EXPECT_EQ(upload(port, at, "a", "multipart/form-data; boundary=x", "a").status, 400)
      << "not a form (AFormUploadWorksLikeTheRawBody has the rest)";
  auto path = upload(port, at, "hello", "text/html", "..%2F..%2Fetc%2Fx.html");
  ASSERT_EQ(path.status, 200) << path.body;
  auto f = json::parse(path.body).at("file");
  EXPECT_EQ(str(f.at("name")), "x.html");
  // Never served as a page.
  auto html = get(port, "/api/files/" + str(f.at("id")), {{"w-token", at}});
  EXPECT_EQ(html.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(html.headers["content-disposition"].rfind("attachment", 0), 0u);

  // The same bytes twice: one record, counted once.
  auto again = upload(port, at, "hello", "text/html", "y.html");
  EXPECT_EQ(str(json::parse(again.body).at("file").at("id")), str(f.at("id")));
  auto limits = http.get_json("/api/files/limits", at);
  EXPECT_EQ(limits.at("used_bytes").as_int64(), 5);
  EXPECT_EQ(limits.at("max_file_bytes").as_int64(), 200000);
  // Over the quota (1,000,000 bytes here).
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(upload(port, at, std::string(199000, char('a' + i)), "text/plain", "q.txt").status,
              200);
  auto over = upload(port, at, std::string(199000, 'z'), "text/plain", "q.txt");
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(code_of(over), "4034");

  // A client that goes away half-way, and one that trickles: nothing is kept.
  {
    auto s = client::Socket::connect("127.0.0.1", port);
    s.send_all("POST /api/files HTTP/1.1\r\nHost: x\r\nw-token: " + at +
               "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" +
               std::string(40000, 'h'));
  }
  auto s = client::Socket::connect("127.0.0.1", port);
  s.send_all("POST /api/files HTTP/1.1\r\nHost: x\r\nw-token: " + at +
             "\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n");
  std::string answer;
  for (int i = 0; i < 30 && answer.empty(); ++i) {
    try {
      s.send_all("a");
      answer = s.read_some(std::chrono::milliseconds(250));
    } catch (const std::exception& e) {
      if (std::string(e.what()).find("timeout") == std::string::npos) break;  // closed
    }
  }
  EXPECT_NE(answer.find("408"), std::string::npos) << "the slow upload is cut: " << answer;
  for (int i = 0; i < 50 && part_files(shared.path()) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(part_files(shared.path()), 0u);
}

INSTANTIATE_TEST_SUITE_P(Deployments, Files,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

// A 25 MiB upload does not grow the server's memory by more than a few MiB (it is streamed to
// disk), and downloading it back is streamed too.
TEST(FilesMemory, ALargeUploadIsStreamedNotBuffered) {
  // Sanitizers multiply RSS (shadow memory, quarantine): the bound means nothing there.
  if (std::getenv("PARLEY_SANITIZER")) GTEST_SKIP() << "RSS bounds do not hold under sanitizers";
  ServerProcess server({"--max-file-bytes", "26214400"});
  Http http{server.port()};
  std::string at = http.login("alice");
  auto rss_kb = [&] {
    std::ifstream in("/proc/" + std::to_string(server.pid()) + "/status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0L;
  };
  long before = rss_kb();
  std::string body(25 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = char((i * 131) >> 7);
  auto up = client::http_request(
      "127.0.0.1", server.port(), "POST", "/api/files", body,
      {{"w-token", at}, {"Content-Type", "application/octet-stream"}, {"X-File-Name", "big.bin"}});
  ASSERT_EQ(up.status, 200) << up.body;
  long after_upload = rss_kb();
  std::string id = str(json::parse(up.body).at("file").at("id"));
  auto down = client::http_request("127.0.0.1", server.port(), "GET", "/api/files/" + id, {},
                                   {{"w-token", at}});
  ASSERT_EQ(down.status, 200);
  EXPECT_TRUE(down.body == body);
  long after_download = rss_kb();
  RecordProperty("peak_rss_growth_upload_kb", int(after_upload - before));
  RecordProperty("peak_rss_growth_download_kb", int(after_download - before));
  EXPECT_LT(after_upload - before, 8 * 1024) << "KiB of peak RSS growth for a 25 MiB upload";
  EXPECT_LT(after_download - before, 8 * 1024) << "KiB of peak RSS growth for its download";
  std::printf("peak RSS growth: upload %ld KiB, download %ld KiB (25 MiB file)\n",
              after_upload - before, after_download - before);
}

}  // namespace
}  // namespace parley::testing
