// SPDX-License-Identifier: MIT
// Clean-up of files through the real binary, on one node and on three on Redis sharing one
// files folder (every node sweeps): an upload never sent, a recalled message's file and a
// deleted account's unsent uploads are removed after the grace period (record, blob, quota),
// a sent file stays, the same bytes kept by another user stay on disk; leftovers of uploads a
// crash interrupted are cleared at start; bad clean-up settings refuse to start.
#include <gtest/gtest.h>
#include <sys/time.h>

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

// Whether a blob with exactly these bytes is in the files folder.
bool on_disk(const std::string& dir, const std::string& bytes) {
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/blobs", ec))
    if (e.is_regular_file() && e.file_size() == bytes.size() && read_all(e.path()) == bytes)
      return true;
  return false;
}

// The record goes first, the blob a moment later (the sweeper asks the store once more): waits.
bool leaves_disk(const std::string& dir, const std::string& bytes) {
  for (int i = 0; i < 50; ++i) {
    if (!on_disk(dir, bytes)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class FileCleanup : public ::testing::TestWithParam<Deployment::Mode> {
 protected:
  static constexpr int kGraceS = 3;
  TempDir shared;  // the files folder of every node
  Deployment server{GetParam(),
                    {"--files-dir", shared.path(), "--file-grace-period", std::to_string(kGraceS),
                     "--file-sweep-interval", "1"}};
  Http http{server.port()};

  std::string upload(const std::string& token, const std::string& bytes) {
    auto r = client::http_request(
        "127.0.0.1", server.next_port(), "POST", "/api/files", bytes,
        {{"Content-Type", "text/plain"}, {"w-token", token}, {"X-File-Name", "note.txt"}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return str(json::parse(r.body).at("file").at("id"));
  }
  int status(const std::string& id, const std::string& token) {
    return client::http_request("127.0.0.1", server.next_port(), "GET", "/api/files/" + id, {},
                                {{"w-token", token}})
        .status;
  }
  std::int64_t used(const std::string& token) {
    return http.get_json("/api/files/limits", token).at("used_bytes").as_int64();
  }
  // Waits (past the grace period and a sweep) until `id` is gone for `token`; true if it went.
  bool gone(const std::string& id, const std::string& token) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kGraceS + 15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (status(id, token) == 404) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }
  // Sends the file to `to`; the message id.
  std::int64_t send(Chat& from, const std::string& to, const std::string& id,
                    const std::string& cid) {
    from.send(json::object{{"type", "normal"},
                           {"content", ""},
                           {"to", json::array{to.c_str()}},
                           {"cid", cid},
                           {"files", json::array{id.c_str()}}});
    auto ack = from.next_of("ack");
    EXPECT_EQ(str(ack.at("cid")), cid) << json::serialize(ack);
    return ack.at("id").as_int64();
  }
  // A counter of /metrics, summed over the nodes (whichever node's sweep got there first).
  std::int64_t metric(const std::string& name) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < server.size(); ++i) {
      auto m = client::http_request("127.0.0.1", server.node(i).port(), "GET", "/metrics", {}, {});
      auto at = m.body.find("\n" + name + " ");
      if (at != std::string::npos) sum += std::stoll(m.body.substr(at + name.size() + 2));
    }
    return sum;
  }
  // Longer than the grace period and a sweep: a file that was to go has gone by now.
  static void past_grace() { std::this_thread::sleep_for(std::chrono::seconds(kGraceS + 3)); }
};

TEST_P(FileCleanup, AnUploadNeverSentIsRemovedAfterTheGracePeriodAndTheQuotaFrees) {
  std::string at = http.login("alice");
  std::string bytes = "never sent, " + mode_name(GetParam());
  std::string id = upload(at, bytes);
  EXPECT_EQ(status(id, at), 200) << "kept during the grace period";
  EXPECT_EQ(used(at), std::int64_t(bytes.size()));
  EXPECT_TRUE(on_disk(shared.path(), bytes));
  ASSERT_TRUE(gone(id, at));
  EXPECT_TRUE(leaves_disk(shared.path(), bytes)) << "no record has the bytes: the blob goes";
  EXPECT_EQ(used(at), 0);
  EXPECT_GE(metric("parley_files_swept_total"), 1);
  EXPECT_GE(metric("parley_file_contents_removed_total"), 1);
}

TEST_P(FileCleanup, ASentFileStays) {
  std::string at = http.login("alice"), bt = http.login("bob");
  std::string bytes = "sent and kept";
  std::string id = upload(at, bytes);
  Chat a(server.next_port(), at, std::int64_t(0));
  send(a, "bob", id, "k1");
  past_grace();
  EXPECT_EQ(status(id, bt), 200);
  EXPECT_EQ(status(id, at), 200);
  EXPECT_TRUE(on_disk(shared.path(), bytes));
  EXPECT_EQ(used(at), std::int64_t(bytes.size()));
}

TEST_P(FileCleanup, ARecalledMessagesFileIsHiddenUnreadableAndThenRemoved) {
  std::string at = http.login("alice"), bt = http.login("bob");
  std::string bytes = "sent by mistake";
  std::string id = upload(at, bytes);
  Chat a(server.next_port(), at, std::int64_t(0)), b(server.next_port(), bt, std::int64_t(0));
  std::int64_t m = send(a, "bob", id, "r1");
  ASSERT_TRUE(b.next_of("normal").contains("files"));
  EXPECT_EQ(status(id, bt), 200);
  a.send(json::object{{"type", "recall"}, {"id", m}});
  b.next_of("recall");
  a.next_of("recall");
  auto h = http.get_json("/api/history?with=alice", bt).at("messages").as_array();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_FALSE(h[0].as_object().contains("files")) << json::serialize(h[0]);
  EXPECT_EQ(status(id, bt), 404) << "the recipient may not read a recalled message's file";
  EXPECT_EQ(status(id, at), 200) << "its uploader may, during the grace period";
  ASSERT_TRUE(gone(id, at));
  EXPECT_TRUE(leaves_disk(shared.path(), bytes));
  EXPECT_EQ(used(at), 0);
}

TEST_P(FileCleanup, TheSameBytesKeptByAnotherUserStayOnDisk) {
  std::string at = http.login("alice"), bt = http.login("bob"), ct = http.login("carol");
  std::string bytes = "the same bytes twice";
  std::string mine = upload(at, bytes), theirs = upload(ct, bytes);
  EXPECT_NE(mine, theirs);
  Chat a(server.next_port(), at, std::int64_t(0));
  send(a, "bob", mine, "s1");
  ASSERT_TRUE(gone(theirs, ct)) << "carol never sent hers";
  EXPECT_EQ(used(ct), 0);
  EXPECT_TRUE(on_disk(shared.path(), bytes)) << "alice's record keeps the content";
  auto d = client::http_request("127.0.0.1", server.next_port(), "GET", "/api/files/" + mine, {},
                                {{"w-token", bt}});
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, bytes);
}

TEST_P(FileCleanup, ADeletedAccountsUnsentUploadsGoAndWhatItSentStays) {
  std::string dt = http.login("dave"), bt = http.login("bob");
  std::string unsent = "dave never sent this", sent = "dave sent this to bob";
  std::string u = upload(dt, unsent), s = upload(dt, sent);
  Chat d(server.next_port(), dt, std::int64_t(0));
  send(d, "bob", s, "d1");
  auto del = http.post("/api/account/delete", R"({"password":"secret"})", dt);
  ASSERT_EQ(del.status, 200) << del.body;
  past_grace();
  EXPECT_TRUE(leaves_disk(shared.path(), unsent));
  EXPECT_TRUE(on_disk(shared.path(), sent));
  EXPECT_EQ(status(s, bt), 200) << "it stays in bob's history";
}

INSTANTIATE_TEST_SUITE_P(Deployments, FileCleanup,
                         ::testing::Values(Deployment::Mode::kSingle, Deployment::Mode::kRedis3),
                         [](const auto& info) { return mode_name(info.param); });

// An upload a crash interrupted leaves a .part file; the next start removes it once it is an
// hour old, and leaves a young one (another node sharing the folder may be writing it).
TEST(FileCleanupAtStart, OldPartialUploadsAreRemovedAndYoungOnesStay) {
  TempDir shared;
  fs::create_directories(shared.path() + "/tmp");
  std::string old_part = shared.path() + "/tmp/crashed.part";
  std::string young_part = shared.path() + "/tmp/in-progress.part";
  write_file(old_part, "half an upload");
  write_file(young_part, "being written");
  struct timeval times[2] = {};
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - 2 * 3600;
  ASSERT_EQ(::utimes(old_part.c_str(), times), 0);
  ServerProcess server({"--files-dir", shared.path()});
  EXPECT_FALSE(fs::exists(old_part)) << "two hours old: gone";
  EXPECT_TRUE(fs::exists(young_part)) << "fresh: stays";
}

TEST(FileCleanupConfig, NegativeSettingsRefuseToStart) {
  for (const char* flags : {"--file-grace-period -1", "--file-sweep-interval -5"}) {
    int status = 0;
    std::string out = run_parley(flags, status);
    EXPECT_NE(status, 0) << flags;
    EXPECT_NE(
        out.find(std::string(flags).find("grace") != std::string::npos ? "file_grace_period"
                                                                       : "file_sweep_interval"),
        std::string::npos)
        << out;
  }
  TempDir dir;
  std::string yaml = dir.path() + "/c.yaml";
  write_file(yaml, "limits:\n  file_grace_period: -3\n");
  int status = 0;
  std::string out = run_parley("--config " + yaml, status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("file_grace_period"), std::string::npos) << out;
}

}  // namespace
}  // namespace parley::testing
