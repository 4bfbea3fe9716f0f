// SPDX-License-Identifier: MIT
// parley: entry point. Parses the configuration, sets up logging and runs the server.
#include <signal.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/admin_cli.hpp"
#include "app/maintenance_cli.hpp"
#include "app/server.hpp"
#include "config/config.hpp"
#include "util/logging.hpp"

int main(int argc, char** argv) {
  if (auto status = parley::app::run_maintenance(argc, argv)) return *status;
  if (auto status = parley::app::run_admin(argc, argv)) return *status;
  int exit_code = 0;
  auto config = parley::config::load_config(argc, argv, exit_code);
  if (!config) return exit_code;

  parley::util::setup_logging(config->log_level, config->log_json);
  if (sodium_init() < 0) {
    std::cerr << "libsodium failed to initialise\n";
    return 1;
  }
  // Signals are handled by the server's signal_set; block SIGPIPE (writes to closed sockets).
  signal(SIGPIPE, SIG_IGN);
  // A full disk or a file-size limit must surface as a write error the store reports, not kill us.
  signal(SIGXFSZ, SIG_IGN);
  try {
    parley::app::Server server(std::move(*config));
    return server.run();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}
