// SPDX-License-Identifier: MIT
// parley-bench: a load generator for parley and any goim-websocket (classic protocol) server.
// Prints a table, then one JSON object as the last line of stdout. Exit code: 0 clean run,
// 1 loss, duplicates or errors, 2 bad usage or failed set-up.
#include <sys/resource.h>

#include <csignal>
#include <exception>
#include <iostream>

#include "options.hpp"
#include "report.hpp"
#include "scenarios/scenarios.hpp"

using namespace parley::bench;

int main(int argc, char** argv) {
  Options o;
  int code = 0;
  if (!parse_options(argc, argv, o, code)) return code;
  std::signal(SIGPIPE, SIG_IGN);
  // Thousands of sockets: take the whole hard limit of open files.
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }

  Report r("parley-bench " + o.scenario + " (" + (o.extended ? "extended" : "classic") +
           " protocol, " + std::to_string(o.threads) + " thread(s), " + o.host + ":" +
           std::to_string(o.port) + ")");
  r.add("scenario", o.scenario);
  r.add("protocol", std::string(o.extended ? "extended" : "classic"));
  r.add("threads", double(o.threads));
  try {
    if (o.scenario == "connections")
      run_connections(o, r);
    else if (o.scenario == "pairs")
      run_pairs(o, r);
    else if (o.scenario == "fanout")
      run_fanout(o, r);
    else if (o.scenario == "offline")
      run_offline(o, r);
    else if (o.scenario == "churn")
      run_churn(o, r);
    else if (o.scenario == "group")
      run_group(o, r);
    else if (o.scenario == "group-change")
      run_group_change(o, r);
    else if (o.scenario == "files")
      run_files(o, r);
  } catch (const std::exception& e) {
    r.fail(std::string("set-up failed: ") + e.what());
    r.print(std::cout);
    return 2;
  }
  r.print(std::cout);
  return r.ok() ? 0 : 1;
}
