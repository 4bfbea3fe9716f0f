// SPDX-License-Identifier: MIT
// A throwaway redis-server (Debian's) on a free loopback port, with AOF (appendfsync always) in a
// temporary folder, so a restart keeps what it acknowledged.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace parley::testing {

class RedisProcess {
 public:
  RedisProcess();
  // A Redis restored from an RDB snapshot (Redis's own restore: it loads dump.rdb only with
  // AOF off; AOF is then switched on, which rewrites it from the loaded data).
  explicit RedisProcess(const std::string& restore_rdb);
  ~RedisProcess();
  void start();
  void kill(int signal = 9);
  // SIGSTOP / SIGCONT: a Redis that hangs (a replica that stops acknowledging), then recovers.
  void pause();
  void resume();
  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_.path(); }
  // One command in Redis's inline form (words without spaces); the raw reply.
  std::string command(const std::string& line) const;

 private:
  TempDir dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
  bool appendonly_ = true;
};

// A single node, or three nodes on one Redis: what the conformance tests run against.
class Deployment {
 public:
  enum class Mode { kSingle, kRedis3 };
  explicit Deployment(Mode mode, std::vector<std::string> extra_args = {});

  std::size_t size() const { return nodes_.size(); }
  ServerProcess& node(std::size_t i) { return *nodes_[i % nodes_.size()]; }
  std::uint16_t port() const { return nodes_.front()->port(); }
  // Ports in turn: consecutive clients land on different nodes.
  std::uint16_t next_port() { return nodes_[next_++ % nodes_.size()]->port(); }
  // Graceful stop of every node, and start again (the store keeps its data).
  int stop();
  void restart();
  RedisProcess* redis() { return redis_.get(); }

 private:
  std::unique_ptr<RedisProcess> redis_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
  std::size_t next_ = 0;
};

std::string mode_name(Deployment::Mode m);

}  // namespace parley::testing
