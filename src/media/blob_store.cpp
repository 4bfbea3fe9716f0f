// SPDX-License-Identifier: MIT
#include "media/blob_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
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
  // A hard link, not a rename: the upload keeps its own name until settle(). EEXIST: the same
  // bytes are kept already (content-addressed, so they are these bytes).
  if (::link(done.temp_path.c_str(), target.c_str()) == 0 || errno == EEXIST) return true;
  fs::remove(done.temp_path, ec);
  return false;
}

bool BlobStore::settle(const BlobWriter::Done& done) const {
  std::error_code ec;
  std::string target = path(done.sha256);
  bool ok = fs::exists(target, ec) || ::link(done.temp_path.c_str(), target.c_str()) == 0 ||
            errno == EEXIST;
  fs::remove(done.temp_path, ec);
  return ok;
}

std::string BlobStore::park(const std::string& from) const {
  std::string parked = (fs::path(dir_) / "tmp" / (random_name() + ".swept")).string();
  if (::rename(from.c_str(), parked.c_str()) != 0) return {};
  return parked;
}

void BlobStore::restore(const std::string& parked, const std::string& to) {
  // link() never replaces: if an upload has put the same content there again, that one stays.
  if (::link(parked.c_str(), to.c_str()) != 0 && errno == ENOENT) {
    std::error_code ec;
    fs::create_directories(fs::path(to).parent_path(), ec);
    (void)::link(parked.c_str(), to.c_str());
  }
  ::unlink(parked.c_str());
}

void BlobStore::discard(const std::string& parked) {
  ::unlink(parked.c_str());
}

std::string BlobStore::path(std::string_view sha) const {
  return (fs::path(dir_) / "blobs" / std::string(sha.substr(0, 2)) / std::string(sha)).string();
}

std::string BlobStore::thumb_path(std::string_view sha) const {
  return (fs::path(dir_) / "thumbs" / (std::string(sha) + ".jpg")).string();
}

void BlobStore::clear_tmp() const {
  std::error_code ec;
  // Another node sharing the folder may be writing (or sweeping) one right now: only old ones.
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
  std::time_t swept_cutoff = std::time(nullptr) - 3600;
  for (const auto& e : fs::directory_iterator(fs::path(dir_) / "tmp", ec)) {
    auto ext = e.path().extension();
    if (ext == ".part" && e.last_write_time(ec) < cutoff) {
      fs::remove(e.path(), ec);
    } else if (ext == ".swept") {
      // A rename keeps the modification time (the blob's, maybe old): the change time is when
      // it was set aside.
      struct stat st {};
      if (::stat(e.path().c_str(), &st) == 0 && st.st_ctime < swept_cutoff)
        fs::remove(e.path(), ec);
    }
  }
}

}  // namespace parley::media
