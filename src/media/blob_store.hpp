// SPDX-License-Identifier: MIT
// Uploaded files on disk, stored by content: `<dir>/blobs/ab/<sha256>` (so the same bytes are
// kept once however often they are uploaded), thumbnails beside them in `<dir>/thumbs/`, and
// uploads in progress as `<dir>/tmp/*.part` until their hash is known. Every node of a cluster
// may share one folder: names are content hashes and a blob is linked in whole, at once.
// Thread-safe (the file system is the only state).
#pragma once
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::media {

class BlobStore;

// One upload being written: bytes appended in order, hashed as they come. Not thread-safe; owned
// by one request.
class BlobWriter {
 public:
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();  // removes the partial file unless finished

  bool write(std::string_view bytes);  // false on an I/O error (disk full)
  // Syncs and closes the file; its hash (hex) and size. nullopt on an I/O error.
  struct Done {
    std::string temp_path, sha256;
    std::int64_t size = 0;
  };
  std::optional<Done> finish();
  std::int64_t size() const { return size_; }
  // The first bytes (for recognising image formats).
  const std::string& head() const { return head_; }

 private:
  friend class BlobStore;
  // SHA-256 through OpenSSL: its SHA-NI / AVX2 code hashes ~7x as fast as libsodium's portable
  // one, and this runs on a network thread for every byte uploaded.
  BlobWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)), hash_(EVP_MD_CTX_new()) {
    if (!hash_ || EVP_DigestInit_ex(hash_.get(), EVP_sha256(), nullptr) != 1) hash_.reset();
  }
  struct FreeHash {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  int fd_ = -1;
  std::string path_;
  std::unique_ptr<EVP_MD_CTX, FreeHash> hash_;  // null: OpenSSL failed (every write fails)
  std::int64_t size_ = 0;
  std::string head_;
  bool finished_ = false;
};

class BlobStore {
 public:
  // Creates the folders; throws std::runtime_error when it cannot.
  explicit BlobStore(std::string dir);

  // A new upload in tmp/; null when the folder is not writable.
  std::unique_ptr<BlobWriter> begin() const;
  // Links a finished upload in at its content address (kept as it is when the same bytes are
  // there); the upload stays in tmp/ until settle(), so that a sweep of the same content racing
  // it (api/file_sweeper.hpp) can be undone. False (and the upload removed) on an I/O error.
  bool commit(const BlobWriter::Done& done) const;
  // After the upload's record is stored: puts the bytes back if a sweep took them meanwhile,
  // then removes the upload from tmp/. False if the blob is missing and cannot be restored.
  bool settle(const BlobWriter::Done& done) const;
  std::string path(std::string_view sha256) const;
  std::string thumb_path(std::string_view sha256) const;

  // Clean-up (api/file_sweeper.hpp): moves the file at `path` (a blob or a thumbnail) aside into
  // tmp/ as `*.swept`, atomically; its new name, or empty if there was none. restore() links it
  // back (unless the same content is there again) and removes it; discard() removes it.
  std::string park(const std::string& path) const;
  static void restore(const std::string& parked, const std::string& path);
  static void discard(const std::string& parked);

  // Leftovers older than an hour (called at start): uploads interrupted by a crash (`*.part`,
  // by modification time) and files a sweep interrupted by a crash had set aside (`*.swept`, by
  // the time they were moved). Younger ones may be another node's work in progress.
  void clear_tmp() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Lower-case hex of a SHA-256: 64 characters of [0-9a-f] (checked before a path is built).
bool is_sha256_hex(std::string_view s);

}  // namespace parley::media
