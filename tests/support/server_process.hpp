// SPDX-License-Identifier: MIT
// Runs the real `parley` binary for a test: a free loopback port, a temporary data folder, the
// log kept for failure reports; kill -9 and restart on the same port and data.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace parley::testing {

// A free TCP port on 127.0.0.1 (bound then released).
std::uint16_t free_port();

// A fresh folder under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // `args` are extra flags; --host, --port and --data are added. Tests default to fast password
  // hashing and no per-connection rate limit unless `args` says otherwise.
  explicit ServerProcess(std::vector<std::string> args = {}, bool fast_defaults = true);
  ~ServerProcess();

  void start();               // starts and waits until /healthz answers
  void kill(int signal = 9);  // sends the signal and reaps the process
  int stop();                 // SIGTERM, wait; returns the exit status
  void restart() { start(); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  std::uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_.path(); }
  std::string log() const;

 private:
  std::vector<std::string> args_;
  TempDir data_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

// Path of the parley binary under test (PARLEY_BIN env, else the build's).
std::string parley_binary();
// Runs `parley ARGS` to completion (a command such as `backup`, or flags that make it exit);
// returns what it printed (stdout and stderr) and sets `status` to its wait status.
std::string run_parley(const std::string& args, int& status);

}  // namespace parley::testing
