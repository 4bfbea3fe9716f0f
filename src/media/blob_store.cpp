// SPDX-License-Identifier: MIT
#include "media/blob_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace parley::media {
namespace fs = std::filesystem;

namespace {

std::string random_name() {
  unsigned char raw[12];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

}  // namespace

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) ::unlink(path_.c_str());
}

bool BlobWriter::write(std::string_view bytes) {
  if (head_.size() < 64) head_.append(bytes.substr(0, 64 - head_.size()));
  if (!hash_ || EVP_DigestUpdate(hash_.get(), bytes.data(), bytes.size()) != 1) return false;
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(std::size_t(n));
    size_ += n;
  }
  return true;
}

std::optional<BlobWriter::Done> BlobWriter::finish() {
  unsigned char digest[32];
  unsigned int digest_len = 0;
  if (!hash_ || EVP_DigestFinal_ex(hash_.get(), digest, &digest_len) != 1 || digest_len != 32)
    return std::nullopt;
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  bool ok = ::fdatasync(fd_) == 0;
  ok = ::close(fd_) == 0 && ok;
  fd_ = -1;
  if (!ok) return std::nullopt;
  finished_ = true;  // the caller commits or removes it now
  return Done{path_, hex, size_};
}

BlobStore::BlobStore(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  for (const char* sub : {"tmp", "blobs", "thumbs"}) {
    fs::create_directories(fs::path(dir_) / sub, ec);
    if (ec)
      throw std::runtime_error("files: cannot create " + dir_ + "/" + sub + ": " + ec.message());
  }
}

std::unique_ptr<BlobWriter> BlobStore::begin() const {
  std::string path = (fs::path(dir_) / "tmp" / (random_name() + ".part")).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  return std::unique_ptr<BlobWriter>(new BlobWriter(fd, path));
}

bool BlobStore::commit(const BlobWriter::Done& done) const {
  std::error_code ec;
  fs::path target = path(done.sha256);
  fs::create_directories(target.parent_path(), ec);
  if (fs::exists(target, ec)) {  // the same bytes are kept already
    fs::remove(done.temp_path, ec);
    return true;
  }
  fs::rename(done.temp_path, target, ec);
  if (ec) {
    fs::remove(done.temp_path, ec);
    return false;
  }
  return true;
}

std::string BlobStore::path(std::string_view sha) const {
  return (fs::path(dir_) / "blobs" / std::string(sha.substr(0, 2)) / std::string(sha)).string();
}

std::string BlobStore::thumb_path(std::string_view sha) const {
  return (fs::path(dir_) / "thumbs" / (std::string(sha) + ".jpg")).string();
}

void BlobStore::clear_tmp() const {
  std::error_code ec;
  // Another node sharing the folder may be writing one right now: only old ones go.
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / "tmp", ec))
    if (e.path().extension() == ".part" && e.last_write_time(ec) < cutoff) fs::remove(e.path(), ec);
}

}  // namespace parley::media
