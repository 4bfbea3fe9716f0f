// SPDX-License-Identifier: MIT
// media::BlobStore: an upload written in pieces is hashed as a whole (SHA-256, the content
// address) and lands at its hash's path once committed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "media/blob_store.hpp"
#include "support/server_process.hpp"

namespace parley::media {
namespace {

TEST(BlobStore, HashesPiecesAsOneAndCommitsToTheContentAddress) {
  testing::TempDir dir;
  BlobStore store(dir.path());
  auto w = store.begin();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("a"));
  ASSERT_TRUE(w->write("bc"));
  EXPECT_EQ(w->head(), "abc");
  auto done = w->finish();
  ASSERT_TRUE(done);
  // FIPS 180-2's example: SHA-256("abc").
  EXPECT_EQ(done->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(done->size, 3);
  ASSERT_TRUE(store.commit(*done));
  std::ifstream in(store.path(done->sha256), std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "abc");
  // The upload keeps its own name until its record is stored (settle: see api/file_sweeper).
  EXPECT_TRUE(std::filesystem::exists(done->temp_path));
  ASSERT_TRUE(store.settle(*done));
  EXPECT_FALSE(std::filesystem::exists(done->temp_path));
  EXPECT_TRUE(std::filesystem::exists(store.path(done->sha256)));
}

TEST(BlobStore, AnEmptyUploadHashesToTheEmptyDigest) {
  testing::TempDir dir;
  BlobStore store(dir.path());
  auto w = store.begin();
  ASSERT_TRUE(w);
  auto done = w->finish();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace parley::media
