// SPDX-License-Identifier: MIT
#include "support/redis_process.hpp"

#include <filesystem>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "client/socket.hpp"

namespace parley::testing {

RedisProcess::RedisProcess() : port_(free_port()) {
  start();
}

RedisProcess::RedisProcess(const std::string& restore_rdb)
    : port_(free_port()), appendonly_(false) {
  std::filesystem::copy_file(restore_rdb, dir_.path() + "/dump.rdb");
  start();
  if (command("CONFIG SET appendonly yes").rfind("+OK", 0) != 0)
    throw std::runtime_error("redis-server refused to turn AOF on");
  appendonly_ = true;  // for a restart()
}

std::string RedisProcess::command(const std::string& line) const {
  auto s = client::Socket::connect("127.0.0.1", port_);
  s.send_all(line + "\r\n");
  return s.read_some(std::chrono::milliseconds(2000));
}

RedisProcess::~RedisProcess() {
  kill(SIGKILL);
}

void RedisProcess::start() {
  std::string port = std::to_string(port_);
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string log = dir_.path() + "/redis.log";
    ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--dir",
             dir_.path().c_str(), "--save", "", "--appendonly", appendonly_ ? "yes" : "no",
             "--appendfsync", "always", "--logfile", log.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto s = client::Socket::connect("127.0.0.1", port_);
      s.send_all("PING\r\n");
      if (s.read_some(std::chrono::milliseconds(500)).rfind("+PONG", 0) == 0) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("redis-server did not start");
}

void RedisProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisProcess::kill(int signal) {
  if (pid_ > 0 && signal == SIGKILL) ::kill(pid_, SIGCONT);  // a paused one dies too

  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

Deployment::Deployment(Mode mode, std::vector<std::string> extra_args) {
  std::size_t n = 1;
  if (mode == Mode::kRedis3) {
    redis_ = std::make_unique<RedisProcess>();
    extra_args.push_back("--redis");
    extra_args.push_back(redis_->url());
    n = 3;
  }
  for (std::size_t i = 0; i < n; ++i) nodes_.push_back(std::make_unique<ServerProcess>(extra_args));
}

int Deployment::stop() {
  int worst = 0;
  for (auto& n : nodes_) worst = std::max(worst, n->stop());
  return worst;
}

void Deployment::restart() {
  for (auto& n : nodes_)
    if (n->running()) n->stop();
  for (auto& n : nodes_) n->restart();
}

std::string mode_name(Deployment::Mode m) {
  return m == Deployment::Mode::kSingle ? "SingleNode" : "ThreeNodesOnRedis";
}

}  // namespace parley::testing
