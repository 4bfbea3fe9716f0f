// SPDX-License-Identifier: MIT
// A blocking TCP socket with deadlines (poll), for tests and tools. Not for the server.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::client {

class Socket {
 public:
  Socket() = default;
  ~Socket();
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;

  // Connects to host:port (IPv4 literal or "localhost"), optionally from `source_ip`.
  // Throws std::runtime_error on failure.
  static Socket connect(const std::string& host, std::uint16_t port,
                        const std::string& source_ip = {});

  void send_all(std::string_view data);
  // Reads what is available, waiting up to `timeout`. Returns "" on orderly close; throws on
  // time-out (std::runtime_error "timeout") or error.
  std::string read_some(std::chrono::milliseconds timeout);
  void shutdown_write();
  void close();
  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace parley::client
