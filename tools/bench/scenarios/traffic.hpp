// SPDX-License-Identifier: MIT
// The message engine behind `pairs` and `fanout`: senders push bench messages (closed loop:
// at most --window undelivered messages per sender; or open loop at --rate msgs/s), receivers
// check each delivery against the DeliveryTracker and record its latency.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/fleet.hpp"

namespace parley::bench {

struct TrafficConfig {
  std::vector<std::size_t> senders;  // accounts that send
  bool fanout = false;               // to: every non-sender account; else one random other
  // group mode (parley extension): the group id each account sends to; every message reaches
  // `group_deliveries` members.
  std::vector<std::string> group_of;
  std::uint16_t group_deliveries = 0;
};

// Runs connect, load, drain and the tally; fills `r`.
void run_traffic(Fleet& fleet, const TrafficConfig& cfg, Report& r);

}  // namespace parley::bench
