// SPDX-License-Identifier: MIT
// The composition root: builds every component from the configuration, owns the threads, and
// runs until a signal asks for a graceful stop. The only place that names a concrete store.
#pragma once
#include <memory>
#include <vector>

#include "config/config.hpp"

namespace parley::app {

class Server {
 public:
  explicit Server(config::Config config);
  ~Server();
  // Serves until SIGINT/SIGTERM; returns the process exit code.
  int run();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace parley::app
