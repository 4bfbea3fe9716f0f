// SPDX-License-Identifier: MIT
#include "support/server_process.hpp"

#include <cstdio>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "client/http_client.hpp"
#include "client/socket.hpp"

namespace parley::testing {
namespace fs = std::filesystem;

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "parley-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string parley_binary() {
  if (const char* p = std::getenv("PARLEY_BIN")) return p;
  return PARLEY_BIN_DEFAULT;
}

std::string run_parley(const std::string& args, int& status) {
  std::string cmd = parley_binary() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  status = ::pclose(p);
  return out;
}

ServerProcess::ServerProcess(std::vector<std::string> args, bool fast_defaults)
    : args_(std::move(args)), port_(free_port()) {
  if (fast_defaults) {
    args_.insert(args_.begin(),
                 {"--password-hash", "fast", "--rate", "0", "--registrations-per-minute", "0"});
  }
  start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill(SIGKILL);
}

void ServerProcess::start() {
  // A second process on the same port would fail to bind, while /healthz answered from the
  // first: the test would go on against the old process, and the old one would outlive it.
  if (pid_ > 0) throw std::logic_error("ServerProcess::start: already running (stop it first)");
  std::string bin = parley_binary();
  std::vector<std::string> argv = {
      bin, "--host", "127.0.0.1", "--port", std::to_string(port_), "--data", data_.path()};
  argv.insert(argv.end(), args_.begin(), args_.end());
  std::string log_path = data_.path() + "/server.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(bin.c_str(), cargv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("parley exited at start:\n" + log());
    }
    try {
      bool tls = std::find(args_.begin(), args_.end(), "--tls-cert") != args_.end();
      if (tls) {
        client::Socket::connect("127.0.0.1", port_);  // listening is enough: HTTP needs TLS
        return;
      }
      if (client::http_request("127.0.0.1", port_, "GET", "/healthz").status == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("parley did not become healthy:\n" + log());
}

void ServerProcess::kill(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::log() const {
  std::ifstream in(data_.path() + "/server.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace parley::testing
