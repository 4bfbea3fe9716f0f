// SPDX-License-Identifier: MIT
// group: --groups G disjoint groups of --members M, --group-senders S senders in each; every
// message goes to the sender's group (parley's `"group":ID`), so it reaches M-1 members. Measures
// deliveries/s like fanout.
// group-change: one group of --members M (default 10,000; the server's
// limits.max_group_members must allow M+1), nobody connected; adds and removes one member
// --messages times (default 20 each) over HTTP and reports the round trips: the answer comes
// after the change is committed.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "chat.hpp"
#include "client/http_client.hpp"
#include "scenarios/scenarios.hpp"
#include "scenarios/traffic.hpp"
#include "stats.hpp"

namespace parley::bench {
namespace json = boost::json;
namespace {

constexpr std::size_t kNamesPerRequest = 1500;  // keeps bodies under the 64 KiB default limit

json::object call(const Options& o, const std::string& method, const std::string& target,
                  const std::string& token, const json::value& body) {
  auto r = client::http_request(o.host, o.port, method, target, json::serialize(body),
                                {{"w-token", token}, {"Content-Type", "application/json"}});
  json::error_code ec;
  auto v = json::parse(r.body, ec);
  if (r.status != 200 || ec || !v.is_object())
    throw std::runtime_error(method + " " + target + ": HTTP " + std::to_string(r.status) + " " +
                             r.body.substr(0, 200));
  return v.as_object();
}

// Creates a group owned by accounts[first] with accounts (first, first+count) as members.
std::string make_group(const Options& o, const std::vector<Account>& accounts, std::size_t first,
                       std::size_t count, const std::string& name) {
  const std::string& owner = accounts[first].token;
  json::array batch;
  std::string id;
  auto flush = [&] {
    if (id.empty()) {
      auto r =
          call(o, "POST", "/api/groups", owner, json::object{{"name", name}, {"members", batch}});
      id = std::string(r.at("group").at("id").as_string());
    } else if (!batch.empty()) {
      call(o, "POST", "/api/groups/" + id + "/members", owner, json::object{{"add", batch}});
    }
    batch.clear();
  };
  for (std::size_t i = first + 1; i < first + count; ++i) {
    batch.emplace_back(accounts[i].name);
    if (batch.size() == kNamesPerRequest) flush();
  }
  flush();
  return id;
}

}  // namespace

void run_group(const Options& o, Report& r) {
  std::size_t groups = o.groups ? o.groups : 1;
  std::size_t members = o.members ? o.members : 1000;
  std::size_t senders = o.group_senders ? o.group_senders : 1;
  if (members < 2 || members > 60000) throw std::runtime_error("--members must be 2..60000");
  if (senders > members) throw std::runtime_error("--group-senders must be <= --members");
  r.add("groups", double(groups));
  r.add("members", double(members));
  r.add("senders_per_group", double(senders));
  if (o.rate > 0)
    r.add("offered_per_s", o.rate);
  else
    r.add("window", double(o.window));
  auto accounts = prepare_accounts(o, groups * members);
  TrafficConfig cfg;
  cfg.group_of.resize(accounts.size());
  cfg.group_deliveries = std::uint16_t(members - 1);
  note(o, "creating " + std::to_string(groups) + " groups");
  for (std::size_t g = 0; g < groups; ++g) {
    std::size_t first = g * members;
    std::string id = make_group(o, accounts, first, members, "bench " + std::to_string(g));
    for (std::size_t i = first; i < first + members; ++i) cfg.group_of[i] = id;
    for (std::size_t i = first; i < first + senders; ++i) cfg.senders.push_back(i);
  }
  Fleet fleet(o, std::move(accounts));
  run_traffic(fleet, cfg, r);
}

void run_group_change(const Options& o, Report& r) {
  std::size_t members = o.members ? o.members : 10000;
  std::size_t rounds = o.messages ? o.messages : 20;
  r.add("members", double(members));
  r.add("rounds", double(rounds));
  auto accounts = prepare_accounts(o, members + 1);
  std::string id = make_group(o, accounts, 0, members, "bench big group");
  const std::string& owner = accounts[0].token;
  json::array spare{json::value(accounts[members].name)};
  Histogram add, remove;
  for (std::size_t i = 0; i < rounds; ++i) {
    auto t0 = now_ns();
    auto g = call(o, "POST", "/api/groups/" + id + "/members", owner, json::object{{"add", spare}});
    auto t1 = now_ns();
    call(o, "POST", "/api/groups/" + id + "/members", owner, json::object{{"remove", spare}});
    auto t2 = now_ns();
    if (g.at("group").at("member_count").to_number<std::int64_t>() != std::int64_t(members + 1))
      r.fail("the group does not have the expected member count");
    add.record(t1 - t0);
    remove.record(t2 - t1);
  }
  r.add_latency("add", add);
  r.add_latency("remove", remove);
}

}  // namespace parley::bench
