// SPDX-License-Identifier: MIT
// The file sweeper against a real embedded store and files folder, step by step: a sweep
// removes an unreferenced record and its blob and thumbnail; and the race with an upload of the
// same bytes, both ways round — the sweep's re-check sees a record committed after its decision
// and puts the blob back; an upload whose blob a sweep took re-links it from its own copy.
#include "api/file_sweeper.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "store/sqlite/sqlite_store.hpp"
#include "support/server_process.hpp"
#include "util/clock.hpp"

namespace parley::api {
namespace {

namespace fs = std::filesystem;

template <typename T>
T wait(std::function<void(store::Callback<T>)> call) {
  std::promise<store::Result<T>> p;
  call([&](store::Result<T> r) { p.set_value(std::move(r)); });
  return std::get<T>(p.get_future().get());
}

struct NoSink : store::CommitSink {
  void on_committed(std::vector<store::Committed>) override {}
  void on_rejected(std::vector<store::Rejected>) override {}
  void on_token_revoked(store::UserId, const std::string&, std::int64_t) override {}
  void on_generation(store::UserId, std::int64_t) override {}
  void on_resync() override {}
  void on_cluster_presence(std::vector<std::string>) override {}
  void on_notice(store::UserId, const std::string&, std::int64_t) override {}
};

class FileSweeperTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  NoSink sink;
  std::unique_ptr<store::sqlite::SqliteStore> db;
  std::unique_ptr<media::BlobStore> blobs;
  std::vector<store::UserId> swept_owners;
  std::unique_ptr<FileSweeper> sweeper;
  store::UserId alice = 0, bob = 0;

  void SetUp() override {
    db = std::make_unique<store::sqlite::SqliteStore>(
        store::sqlite::SqliteOptions{dir.path() + "/t.db"});
    db->set_sink(&sink);
    blobs = std::make_unique<media::BlobStore>(dir.path() + "/files");
    FileSweeper::Options o;
    o.grace = std::chrono::milliseconds(1000);
    sweeper = std::make_unique<FileSweeper>(*db, *blobs, o,
                                            [this](store::UserId u) { swept_owners.push_back(u); });
    alice = wait<store::UserId>([&](auto cb) { db->create_user("alice", "h", cb); });
    bob = wait<store::UserId>([&](auto cb) { db->create_user("bob", "h", cb); });
  }
  // An upload as the API does it, up to (not including) its record: the bytes linked in.
  media::BlobWriter::Done write(const std::string& bytes) {
    auto w = blobs->begin();
    EXPECT_TRUE(w->write(bytes));
    auto done = *w->finish();
    EXPECT_TRUE(blobs->commit(done));
    return done;
  }
  store::FileRecord record(store::UserId owner, const std::string& id, const std::string& sha,
                           std::int64_t age_ms) {
    store::FileRecord f{id, owner, sha, "n", "text/plain", 5};
    f.thumb = true;
    f.created_ms = util::now_ms() - age_ms;
    return wait<store::FileRecord>([&](auto cb) { db->create_file(f, cb); });
  }
  void thumb(const std::string& sha) { std::ofstream(blobs->thumb_path(sha)) << "jpeg"; }
  std::size_t leftovers() {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir.path() + "/files/tmp")) n += !e.is_directory();
    return n;
  }
};

TEST_F(FileSweeperTest, ASweepRemovesAnUnreferencedRecordItsBlobAndItsThumbnail) {
  auto done = write("bytes");
  record(alice, "f1", done.sha256, 5000);
  blobs->settle(done);
  thumb(done.sha256);
  ASSERT_TRUE(sweeper->sweep());
  EXPECT_EQ(swept_owners, std::vector<store::UserId>{alice});
  EXPECT_FALSE(fs::exists(blobs->path(done.sha256)));
  EXPECT_FALSE(fs::exists(blobs->thumb_path(done.sha256)));
  EXPECT_EQ(leftovers(), 0u);
  EXPECT_EQ(wait<std::int64_t>([&](auto cb) { db->file_usage(alice, cb); }), 0);
}

TEST_F(FileSweeperTest, ARecordCommittedAfterTheSweepsDecisionKeepsTheBlob) {
  auto first = write("bytes");
  record(alice, "f1", first.sha256, 5000);
  blobs->settle(first);
  thumb(first.sha256);
  // The store decides: alice's record goes and no record has the content...
  auto swept =
      wait<store::SweptFiles>([&](auto cb) { db->sweep_files(util::now_ms() - 1000, 100, cb); });
  ASSERT_EQ(swept.unused, std::vector<std::string>{first.sha256});
  // ...then bob's upload of the same bytes commits, before the sweeper reaches the disk.
  auto second = write("bytes");
  record(bob, "f2", second.sha256, 0);
  sweeper->remove_content(first.sha256);
  EXPECT_TRUE(fs::exists(blobs->path(first.sha256))) << "the re-check saw bob's record";
  EXPECT_TRUE(fs::exists(blobs->thumb_path(first.sha256)));
  EXPECT_TRUE(blobs->settle(second));
  EXPECT_EQ(leftovers(), 0u);
}

TEST_F(FileSweeperTest, AnUploadWhoseBlobASweepTookPutsItBack) {
  auto first = write("bytes");
  record(alice, "f1", first.sha256, 5000);
  blobs->settle(first);
  // Bob's upload links its copy in (the blob is there: kept as it is)...
  auto second = write("bytes");
  // ...a sweep removes alice's record and, seeing no other, the blob...
  ASSERT_TRUE(sweeper->sweep());
  EXPECT_FALSE(fs::exists(blobs->path(first.sha256)));
  // ...then bob's record commits and the upload settles: the bytes are back, from its copy.
  record(bob, "f2", second.sha256, 0);
  ASSERT_TRUE(blobs->settle(second));
  std::ifstream in(blobs->path(second.sha256));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "bytes");
  EXPECT_EQ(leftovers(), 0u);
}

TEST_F(FileSweeperTest, ContentKeptByAnotherOwnerStays) {
  auto done = write("shared");
  record(alice, "f1", done.sha256, 5000);
  record(bob, "f2", done.sha256, 0);
  blobs->settle(done);
  ASSERT_TRUE(sweeper->sweep());
  EXPECT_EQ(swept_owners, std::vector<store::UserId>{alice});
  EXPECT_TRUE(fs::exists(blobs->path(done.sha256)));
}

}  // namespace
}  // namespace parley::api
