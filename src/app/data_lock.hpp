// SPDX-License-Identifier: MIT
// An exclusive lock on a data folder (flock on <dir>/parley.lock), held by a serving server on
// the embedded store and by commands that must not run beside one (`parley admin create-admin`):
// two writers with their own in-memory indexes over one database would corrupt each other.
// Released when the holder exits, however it exits.
#pragma once
#include <optional>
#include <string>
#include <utility>

namespace parley::app {

class DataLock {
 public:
  // The lock, or nullopt with `error` set (held by another process, or the folder is unusable).
  static std::optional<DataLock> take(const std::string& dir, std::string& error);
  DataLock(DataLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DataLock& operator=(DataLock&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~DataLock();

 private:
  explicit DataLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace parley::app
