// SPDX-License-Identifier: MIT
// pairs: N users, each sending to random others (closed loop with --window, or an open-loop
// total --rate); measures delivered msgs/s, latency, loss and duplicates.
#include <stdexcept>

#include "scenarios/scenarios.hpp"
#include "scenarios/traffic.hpp"

namespace parley::bench {

void run_pairs(const Options& o, Report& r) {
  std::size_t n = o.users ? o.users : 100;
  if (n < 2) throw std::runtime_error("pairs needs at least 2 users");
  r.add("users", double(n));
  r.add("recipients", std::string(o.ring ? "ring (i -> i+1)" : "random"));
  if (o.rate > 0)
    r.add("offered_per_s", o.rate);
  else
    r.add("window", double(o.window));
  Fleet fleet(o, prepare_accounts(o, n));
  TrafficConfig cfg;
  for (std::size_t i = 0; i < n; ++i) cfg.senders.push_back(i);
  run_traffic(fleet, cfg, r);
}

}  // namespace parley::bench
