// SPDX-License-Identifier: MIT
#include "support/sentinel_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "client/socket.hpp"

namespace parley::testing {

SentinelProcess::SentinelProcess(std::uint16_t master_port, int quorum, std::uint16_t port)
    : port_(port ? port : free_port()) {
  std::string conf = dir_.path() + "/sentinel.conf";
  {
    std::ofstream f(conf);
    f << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_.path() << "\nlogfile " << dir_.path()
      << "/sentinel.log\n"
      << "sentinel monitor mymaster 127.0.0.1 " << master_port << " " << quorum << "\n"
      << "sentinel down-after-milliseconds mymaster 1000\n"
      << "sentinel failover-timeout mymaster 5000\n"
      << "sentinel parallel-syncs mymaster 1\n";
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execlp("redis-server", "redis-server", conf.c_str(), "--sentinel",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (command("PING").rfind("+PONG", 0) == 0) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis sentinel did not start");
}

SentinelProcess::~SentinelProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string SentinelProcess::command(const std::string& line) const {
  auto s = client::Socket::connect("127.0.0.1", port_);
  s.send_all(line + "\r\n");
  return s.read_some(std::chrono::milliseconds(2000));
}

std::uint16_t SentinelProcess::master_port() const {
  // *2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n: the port is the last bulk string.
  std::string r;
  try {
    r = command("SENTINEL get-master-addr-by-name mymaster");
  } catch (const std::exception&) {
    return 0;
  }
  if (r.rfind("*2", 0) != 0) return 0;
  auto end = r.rfind("\r\n", r.size() - 3);
  if (end == std::string::npos) return 0;
  return std::uint16_t(std::atoi(r.c_str() + end + 2));
}

}  // namespace parley::testing
