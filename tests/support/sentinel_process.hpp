// SPDX-License-Identifier: MIT
// A throwaway Redis Sentinel (Debian's redis-server in sentinel mode) on a loopback port,
// watching one master named `mymaster` with fast failure detection (down after 1 s).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "support/server_process.hpp"

namespace parley::testing {

class SentinelProcess {
 public:
  // `port` 0 picks a free one.
  SentinelProcess(std::uint16_t master_port, int quorum, std::uint16_t port = 0);
  ~SentinelProcess();
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The master's port as this sentinel sees it now (0 when it does not answer).
  std::uint16_t master_port() const;
  std::string command(const std::string& line) const;

 private:
  TempDir dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace parley::testing
