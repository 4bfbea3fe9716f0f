// SPDX-License-Identifier: MIT
#include "scenarios/traffic.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>

#include "chat.hpp"

namespace parley::bench {
namespace {

constexpr std::uint64_t kDefaultCapacity = 64ull << 20;  // message slots when --messages is 0

struct Shared {
  Shared(Fleet& f, const TrafficConfig& c)
      : fleet(f),
        cfg(c),
        tracker(f.opts.messages ? f.opts.messages : kDefaultCapacity),
        inflight(f.accounts.size()) {}
  Fleet& fleet;
  const TrafficConfig& cfg;
  DeliveryTracker tracker;
  std::vector<std::atomic<std::int32_t>> inflight;  // per sender account: undelivered messages
  std::vector<const std::string*> fanout_to;
  std::vector<std::size_t> targets;  // pairs: the accounts messages go to (those that connected)
  std::uint16_t per_message = 1;     // deliveries expected per message
  std::atomic<bool> sending{false};
  std::atomic<std::int64_t> t0{0};
  std::atomic<bool> exhausted{false};  // --messages reached
};

class TrafficWorker final : public Worker {
 public:
  TrafficWorker(Fleet& f, unsigned i, Shared& s) : Worker(f, i), s_(s) {}

  void add_sender(Client& c) { senders_.push_back(&c); }

  std::atomic<std::uint64_t> sent{0};        // messages
  std::atomic<std::uint64_t> deliveries{0};  // bench deliveries received (all)
  std::atomic<std::uint64_t> acks{0};
  std::atomic<std::uint64_t> reads_out{0};  // --reads: markers sent
  std::atomic<std::uint64_t> reads_in{0};   // and `read` frames received
  std::atomic<std::int64_t> last_delivery_ns{0};
  std::atomic<std::int64_t> last_send_ns{0};
  std::atomic<bool> idle{true};  // not between a `sending` check and its sends
  std::uint64_t foreign = 0;     // deliveries not from this run (read after join)
  Histogram latency, ack_latency;

 private:
  int tick_ms() const override { return 1; }

  void on_tick(std::int64_t now) override {
    idle.store(false, std::memory_order_seq_cst);
    if (s_.sending.load(std::memory_order_seq_cst) && !senders_.empty()) {
      if (s_.fleet.opts.rate > 0)
        send_paced(now);
      else
        send_window(now);
    }
    idle.store(true, std::memory_order_release);
  }

  void send_window(std::int64_t now) {
    const auto window = std::int32_t(s_.fleet.opts.window);
    for (Client* c : senders_) {
      if (c->phase != Client::Phase::kLive) continue;
      auto& inf = s_.inflight[c->account];
      while (inf.load(std::memory_order_relaxed) < window) {
        if (!send_one(*c, now)) return;
      }
    }
  }

  void send_paced(std::int64_t now) {
    double share = s_.fleet.opts.rate * double(senders_.size()) / double(s_.cfg.senders.size());
    auto due = std::uint64_t(share * double(now - s_.t0.load()) / 1e9);
    for (std::size_t tries = 0; paced_ < due && tries < senders_.size();) {
      Client* c = senders_[next_sender_++ % senders_.size()];
      if (c->phase != Client::Phase::kLive) {
        ++tries;
        continue;
      }
      tries = 0;
      if (!send_one(*c, now)) return;
      ++paced_;
    }
  }

  bool send_one(Client& c, std::int64_t now) {
    std::uint64_t index;
    if (!s_.tracker.claim(s_.per_message, index)) {
      s_.exhausted.store(true);
      return false;
    }
    const auto& accounts = s_.fleet.accounts;
    to_.clear();
    if (s_.cfg.fanout) {
      to_ = s_.fanout_to;
    } else if (!s_.cfg.group_of.empty()) {
      // to the sender's group
    } else {
      // targets is sorted and holds c.account: the next one in it (ring), or any other.
      const auto& t = s_.targets;
      std::size_t n = t.size();
      std::size_t self = std::size_t(std::lower_bound(t.begin(), t.end(), c.account) - t.begin());
      std::size_t r;
      if (s_.fleet.opts.ring) {
        r = (self + 1) % n;
      } else {
        r = std::size_t(random() % (n - 1));
        if (r >= self) ++r;
      }
      to_.push_back(&accounts[t[r]].name);
    }
    content_.clear();
    append_content(content_, Payload{s_.fleet.run_id, std::uint32_t(c.account), index, now},
                   s_.fleet.opts.size);
    cid_.clear();
    if (s_.fleet.opts.extended) {
      // "<run>.<index>.<send ns>": unique for ever (a reused cid is a retry to the server), and
      // the ack's latency needs no lookup.
      char buf[64];
      auto e = std::to_chars(buf, buf + 10, s_.fleet.run_id, 16).ptr;
      *e++ = '.';
      e = std::to_chars(e, e + 20, index).ptr;
      *e++ = '.';
      e = std::to_chars(e, buf + sizeof buf, now).ptr;
      cid_.assign(buf, e);
    }
    frame_.clear();
    if (s_.cfg.group_of.empty()) {
      append_normal_frame(frame_, content_, to_, cid_);
    } else {
      append_group_frame(frame_, content_, s_.cfg.group_of[c.account], cid_);
    }
    s_.inflight[c.account].fetch_add(1, std::memory_order_relaxed);
    c.ws->send_text(frame_);
    sent.store(sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    last_send_ns.store(now, std::memory_order_relaxed);
    return true;
  }

  void on_frame(Client& c, std::string_view type, std::string_view text) override {
    std::int64_t now = now_ns();
    if (type == "normal") {
      auto content = json_string_field(text, "content");
      Payload p;
      if (!content || !parse_content(*content, s_.fleet.run_id, p)) {
        ++foreign;
        return;
      }
      latency.record(now - p.sent_ns);
      std::uint32_t n = s_.tracker.delivered(p.index);
      if (n == 0) {
        ++foreign;
        return;
      }
      if (n == s_.tracker.expected(p.index) && p.sender < s_.inflight.size())
        s_.inflight[p.sender].fetch_sub(1, std::memory_order_relaxed);
      deliveries.store(deliveries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      last_delivery_ns.store(now, std::memory_order_relaxed);
      if (s_.fleet.opts.reads) send_read(c, text);
    } else if (type == "read") {
      reads_in.store(reads_in.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else if (type == "ack") {
      auto cid = json_string_field(text, "cid").value_or("");
      auto dot = cid.rfind('.');
      std::int64_t sent_ns = 0;
      if (dot != std::string_view::npos)
        std::from_chars(cid.data() + dot + 1, cid.data() + cid.size(), sent_ns);
      if (sent_ns > 0) ack_latency.record(now - sent_ns);
      acks.store(acks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }

  // The receiver has read the message: a marker up to its id, as a client showing it would.
  void send_read(Client& c, std::string_view text) {
    auto id = json_int_field(text, "id");
    auto from = json_string_field(text, "from");
    if (!id || !from) return;
    frame_.clear();
    auto group = json_string_field(text, "group");
    append_read_frame(frame_, *from, group.value_or(""), *id);
    c.ws->send_text(frame_);
    reads_out.store(reads_out.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  Shared& s_;
  std::vector<Client*> senders_;
  std::size_t next_sender_ = 0;
  std::uint64_t paced_ = 0;
  std::vector<const std::string*> to_;
  std::string content_, cid_, frame_;
};

}  // namespace

void run_traffic(Fleet& fleet, const TrafficConfig& cfg, Report& r) {
  const Options& o = fleet.opts;
  Shared s(fleet, cfg);
  std::vector<bool> is_sender(fleet.accounts.size());
  for (auto a : cfg.senders) is_sender[a] = true;

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<TrafficWorker*> tw;
  for (unsigned t = 0; t < o.threads; ++t) {
    auto w = std::make_unique<TrafficWorker>(fleet, t, s);
    tw.push_back(w.get());
    workers.push_back(std::move(w));
  }
  std::vector<Client*> clients;
  for (std::size_t a = 0; a < fleet.accounts.size(); ++a) {
    auto* w = tw[a % tw.size()];
    Client& c = w->add_client(a);
    clients.push_back(&c);
    if (is_sender[a]) w->add_sender(c);
  }

  double connect_s = connect_fleet(fleet, workers);
  std::uint64_t connected = fleet.live.load();
  const std::uint64_t setup_errors = fleet.errors.total();
  for (std::size_t a = 0; a < clients.size(); ++a)
    if (clients[a]->phase == Client::Phase::kLive) s.targets.push_back(a);
  // Messages go to the clients that connected (all of them, or the load does not start, unless
  // --keep-going).
  if (cfg.fanout) {
    for (std::size_t a : s.targets)
      if (!is_sender[a]) s.fanout_to.push_back(&fleet.accounts[a].name);
    s.per_message = std::uint16_t(s.fanout_to.size());
  }
  if (!cfg.group_of.empty()) s.per_message = cfg.group_deliveries;
  note(o, "connected " + std::to_string(connected) + "; load for up to " +
              std::to_string(o.duration_s) + " s");

  // Load phase.
  std::int64_t t0 = now_ns();
  s.t0.store(t0);
  bool can_load = o.keep_going ? (cfg.fanout ? !s.fanout_to.empty() : s.targets.size() >= 2)
                               : connected == fleet.accounts.size();
  if (can_load) {
    s.sending.store(true);
    wait_for([&] { return s.exhausted.load() || (!o.keep_going && fleet.errors.total() > 0); },
             o.duration_s);
  }
  s.sending.store(false);
  std::int64_t t_stop = now_ns();
  // A worker that saw `sending` before it was cleared may still be sending; wait it out so the
  // totals below are final.
  wait_for(
      [&] { return std::all_of(tw.begin(), tw.end(), [](auto* w) { return w->idle.load(); }); }, 1);
  std::uint64_t sent = 0;
  for (auto* w : tw) sent += w->sent.load();
  const std::uint64_t expected = sent * s.per_message;
  auto delivered = [&] {
    std::uint64_t d = 0;
    for (auto* w : tw) d += w->deliveries.load();
    return d;
  };
  note(o, "sent " + std::to_string(sent) + " messages; draining");
  // Drain: an overloaded server is still working through its backlog, so wait as long as
  // deliveries keep arriving; give up after --drain seconds without progress (or 5 minutes).
  bool drained = false;
  for (std::uint64_t last = delivered(); !drained;) {
    if (wait_for([&] { return delivered() >= expected; }, o.drain_s)) {
      drained = true;
    } else {
      std::uint64_t now = delivered();
      if (now == last || now_ns() - t_stop > 300'000'000'000) break;
      last = now;
    }
  }
  if (o.extended) {
    wait_for(
        [&] {
          std::uint64_t a = 0;
          for (auto* w : tw) a += w->acks.load();
          return a >= sent;
        },
        drained ? 1.0 : 0.1);
  }
  fleet.stop.store(true);
  for (auto& w : workers) w->join();

  Histogram latency, ack_latency, handshake;
  std::int64_t last_delivery = t0, last_send = t0;
  std::uint64_t foreign = 0, acks = 0, reads_out = 0, reads_in = 0;
  for (auto* w : tw) {
    reads_out += w->reads_out.load();
    reads_in += w->reads_in.load();
    latency.merge(w->latency);
    ack_latency.merge(w->ack_latency);
    handshake.merge(w->handshake());
    last_delivery = std::max(last_delivery, w->last_delivery_ns.load());
    last_send = std::max(last_send, w->last_send_ns.load());
    foreign += w->foreign;
    acks += w->acks.load();
  }
  auto tally = s.tracker.tally();
  double send_s = std::max(1e-9, double(std::max(last_send, t0) - t0) / 1e9);
  // Until the last delivery, or the end of the load if deliveries stopped before it (a server
  // that lost messages stalls a closed loop: the stall counts).
  double deliver_s = std::max(1e-9, double(std::max(last_delivery, t_stop) - t0) / 1e9);

  r.add("connections", double(connected));
  if (o.keep_going) r.add("setup_errors", double(setup_errors));
  r.add("connect_s", connect_s, 3);
  r.add("load_s", double(t_stop - t0) / 1e9, 2);
  r.add("drain_s", double(std::max(last_delivery, t_stop) - t_stop) / 1e9, 2);
  r.add("messages_sent", double(tally.messages));
  r.add("sent_per_s", double(tally.messages) / send_s);
  r.add("deliveries_expected", double(tally.expected));
  r.add("delivered", double(tally.delivered));
  r.add("lost", double(tally.lost));
  r.add("duplicated", double(tally.duplicated));
  r.add("foreign", double(foreign));
  r.add("delivered_per_s", double(tally.delivered) / deliver_s);
  r.add_latency("latency", latency);
  if (o.extended) {
    r.add("acks", double(acks));
    r.add_latency("ack_latency", ack_latency);
  }
  if (o.reads) {
    r.add("reads_sent", double(reads_out));
    r.add("reads_received", double(reads_in));
    if (reads_out == 0) r.fail("--reads: no read marker was sent");
    // One-to-one read notices go back to the sender (group reads are fetched, not pushed).
    if (cfg.group_of.empty() && reads_out > 0 && reads_in == 0)
      r.fail("--reads: no read notice reached a sender");
  }
  if (connected < fleet.accounts.size())
    r.fail("only " + std::to_string(connected) + " of " + std::to_string(fleet.accounts.size()) +
           " clients connected");
  if (tally.messages == 0) r.fail("no message was sent");
  if (tally.lost)
    r.fail(std::to_string(tally.lost) + " deliveries lost (drain " +
           (drained ? "complete" : "timed out") + ")");
  if (tally.duplicated) r.fail(std::to_string(tally.duplicated) + " deliveries duplicated");
  if (o.extended && acks < tally.messages)
    r.fail(std::to_string(tally.messages - acks) + " messages never acknowledged");
  fleet.errors.report(r);
}

}  // namespace parley::bench
