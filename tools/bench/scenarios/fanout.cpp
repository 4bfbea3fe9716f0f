// SPDX-License-Identifier: MIT
// fanout: one sender, every message addressed to K recipients (`to` holds K names); measures
// deliveries/s. The server's recipient limit (parley: limits.max_recipients, default 100) must
// allow K.
#include <stdexcept>

#include "scenarios/scenarios.hpp"
#include "scenarios/traffic.hpp"

namespace parley::bench {

void run_fanout(const Options& o, Report& r) {
  std::size_t k = o.recipients ? o.recipients : 100;
  if (k < 1 || k > 60000) throw std::runtime_error("--recipients must be 1..60000");
  r.add("recipients", double(k));
  if (o.rate > 0)
    r.add("offered_per_s", o.rate);
  else
    r.add("window", double(o.window));
  Fleet fleet(o, prepare_accounts(o, k + 1));
  TrafficConfig cfg;
  cfg.senders = {0};
  cfg.fanout = true;
  run_traffic(fleet, cfg, r);
}

}  // namespace parley::bench
