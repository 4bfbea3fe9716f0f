// SPDX-License-Identifier: MIT
#include "scenarios/fleet.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "chat.hpp"

namespace parley::bench {

Target::Target(const Options& o) {
  server.sin_family = AF_INET;
  server.sin_port = htons(o.port);
  std::string h = o.host == "localhost" ? "127.0.0.1" : o.host;
  if (::inet_pton(AF_INET, h.c_str(), &server.sin_addr) != 1)
    throw std::runtime_error("--host must be an IPv4 address: " + o.host);
  host_header = o.host + ":" + std::to_string(o.port);
  if (o.sources > 1) {
    for (unsigned i = 1; i <= o.sources; ++i) {
      sockaddr_in s{};
      s.sin_family = AF_INET;
      s.sin_addr.s_addr = htonl((127u << 24) | i);
      sources.push_back(s);
    }
  }
}

void Errors::add(const std::string& kind, const std::string& why) {
  add_reason(kind + ": " + why, 1);
}

void Errors::report(Report& r) const {
  r.add("errors", double(total()));
  std::lock_guard lock(mu_);
  for (const auto& [k, n] : reasons_) r.fail(k + " (x" + std::to_string(n) + ")");
}

std::vector<std::pair<std::string, std::uint64_t>> Errors::reasons() const {
  std::lock_guard lock(mu_);
  return reasons_;
}

void Errors::add_reason(const std::string& key, std::uint64_t n) {
  total_.fetch_add(n, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  for (auto& [k, c] : reasons_) {
    if (k == key) {
      c += n;
      return;
    }
  }
  if (reasons_.size() < 16) reasons_.emplace_back(key, n);
}

Fleet::Fleet(const Options& o, std::vector<Account> accts)
    : opts(o), target(o), accounts(std::move(accts)), run_id(std::random_device{}()) {}

Worker::Worker(Fleet& fleet, unsigned index)
    : fleet_(fleet),
      index_(index),
      rng_(0x9E3779B97F4A7C15ull * (index + 1) ^ fleet.run_id),
      max_handshaking_(std::max(1u, fleet.opts.inflight / fleet.opts.threads)) {}

Worker::~Worker() {
  join();
}

std::uint64_t Worker::random() {
  // splitmix64: cheap, good enough to pick recipients.
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Client& Worker::add_client(std::size_t account) {
  auto c = std::make_unique<Client>();
  c->account = account;
  c->ws = std::make_unique<WsConn>(loop_, *this, std::uint32_t(random()));
  c->ws->tag = int(clients_.size());
  clients_.push_back(std::move(c));
  return *clients_.back();
}

void Worker::connect_all() {
  for (auto& c : clients_) to_connect_.push_back(c.get());
}

void Worker::start() {
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      fleet_.errors.add("worker", e.what());
    }
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  while (!fleet_.stop.load(std::memory_order_relaxed)) {
    while (!to_connect_.empty() && handshaking_ < max_handshaking_) {
      Client* c = to_connect_.front();
      to_connect_.pop_front();
      connect(*c);
    }
    loop_.poll(tick_ms());
    on_tick(now_ns());
    loop_.flush_dirty();
  }
  teardown();
}

void Worker::teardown() {
  // RST instead of FIN: the bench closes first, and a FIN would leave every port in TIME_WAIT
  // on our side for a minute.
  for (auto& c : clients_)
    if (c->ws->state() != WsConn::State::kIdle) c->ws->abort("end of run", true);
}

void Worker::connect(Client& c) {
  c.phase = Client::Phase::kConnecting;
  c.started_ns = now_ns();
  c.head_seq = -1;
  ++handshaking_;
  // Round robin over the source addresses, interleaved across workers.
  c.ws->start(fleet_.target.server,
              fleet_.target.source(connects_++ * fleet_.opts.threads + index_),
              fleet_.target.host_header);
}

void Worker::end_handshake(Client& c) {
  if (c.phase == Client::Phase::kConnecting || c.phase == Client::Phase::kAuthing) {
    --handshaking_;
    fleet_.handshakes_done.fetch_add(1, std::memory_order_relaxed);
  }
}

void Worker::on_open(WsConn& ws) {
  Client& c = *clients_[std::size_t(ws.tag)];
  c.phase = Client::Phase::kAuthing;
  c.auth_sent_ns = now_ns();
  // Extended clients resume by seq, so the server treats them as parley clients (read
  // notices, sync copies); without a scenario's own resume point they start at the inbox's
  // beginning, which is empty for the fresh accounts of a fresh server.
  std::optional<std::int64_t> resume = c.resume_seq;
  if (!resume && fleet_.opts.extended) resume = 0;
  ws.send_text(auth_frame(fleet_.accounts[c.account].token, resume));
}

void Worker::on_text(WsConn& ws, std::string_view text) {
  Client& c = *clients_[std::size_t(ws.tag)];
  fleet_.bytes_in.fetch_add(text.size(), std::memory_order_relaxed);
  if (fleet_.opts.trace) {
    std::string line = "[" + fleet_.accounts[c.account].name + "] ";
    line.append(text.substr(0, 300));
    std::cerr << line + "\n";
  }
  auto type = json_string_field(text, "type").value_or("");
  if (type == "loginlist") {
    fleet_.loginlist_frames.fetch_add(1, std::memory_order_relaxed);
    fleet_.last_frame_ns.store(now_ns(), std::memory_order_relaxed);
    return;
  }
  if (c.phase == Client::Phase::kAuthing) {
    if (type == "ok") {
      end_handshake(c);
      c.phase = Client::Phase::kLive;
      c.live_ns = now_ns();
      c.head_seq = json_int_field(text, "seq").value_or(-1);
      handshake_.record(c.live_ns - c.started_ns);
      last_live_ns.store(c.live_ns, std::memory_order_relaxed);
      fleet_.live.fetch_add(1, std::memory_order_relaxed);
      on_live(c);
      return;
    }
    if (type == "no") {
      fleet_.errors.add("auth refused", std::string(text.substr(0, 200)));
      end_handshake(c);
      c.phase = Client::Phase::kClosing;
      return;
    }
  }
  if (type == "error") return on_error_frame(c, text);
  on_frame(c, type, text);
}

void Worker::on_error_frame(Client& c, std::string_view text) {
  auto code = json_string_field(text, "code").value_or("?");
  fleet_.errors.add("error frame", std::string(code));
}

void Worker::on_closed(WsConn& ws, bool clean, const char* why) {
  Client& c = *clients_[std::size_t(ws.tag)];
  end_handshake(c);
  on_gone(c, clean, why);
}

void Worker::on_gone(Client& c, bool clean, const char* why) {
  bool expected = c.phase == Client::Phase::kClosing || fleet_.stop.load();
  if (!expected || !clean) {
    std::string what = why;
    if (c.ws->close_code()) what += " (close code " + std::to_string(c.ws->close_code()) + ")";
    fleet_.errors.add(c.phase == Client::Phase::kConnecting ? "connect" : "connection lost", what);
  }
  c.phase = Client::Phase::kOff;
}

void note(const Options& o, const std::string& what) {
  if (!o.verbose) return;
  static const std::int64_t start = now_ns();
  char t[32];
  std::snprintf(t, sizeof t, "[%8.3f s] ", double(now_ns() - start) / 1e9);
  std::cerr << t + what + "\n";
}

std::uint64_t rss_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream s(line.substr(6));
      std::uint64_t kb = 0;
      s >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

double connect_fleet(Fleet& fleet, std::vector<std::unique_ptr<Worker>>& workers,
                     double timeout_s) {
  std::size_t total = 0;
  for (auto& w : workers) {
    total += w->clients().size();
    w->connect_all();
  }
  std::int64_t t0 = now_ns();
  note(fleet.opts, "connecting " + std::to_string(total) + " clients");
  for (auto& w : workers) w->start();
  wait_for([&] { return fleet.handshakes_done.load() >= total; }, timeout_s);
  note(fleet.opts, std::to_string(fleet.live.load()) + " live; waiting for quiet");
  std::int64_t last = t0;
  for (auto& w : workers) last = std::max(last, w->last_live_ns.load());
  // Presence pushes (one loginlist per change, to everyone) follow the connects: wait until
  // none came for `settle` seconds, so the measured phase starts on a calm server.
  double settle = fleet.opts.settle_s;
  if (settle > 0) {
    auto quiet = [&] { return now_ns() - fleet.last_frame_ns.load() > std::int64_t(settle * 1e9); };
    wait_for(quiet, settle + 30);
  }
  return double(last - t0) / 1e9;
}

}  // namespace parley::bench
