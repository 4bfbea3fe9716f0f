// SPDX-License-Identifier: MIT
// offline: M messages are sent to a user with no connection; once they are stored, the user
// authenticates. Measures auth -> last delivered and checks every message arrives once, in
// send order. Stored means: (classic) a later message on the same connection reached a third,
// online user, which the server can only have done after handling the M before it;
// (--extended) all M acks arrived. With --extended the user resumes by seq instead of taking the
// classic undelivered queue.
#include <charconv>
#include <iostream>
#include <stdexcept>

#include "chat.hpp"
#include "scenarios/fleet.hpp"
#include "scenarios/scenarios.hpp"

namespace parley::bench {
namespace {

enum Account : std::size_t { kSender = 0, kReceiver = 1, kProbe = 2 };

class OfflineWorker final : public Worker {
 public:
  enum class Step { kPeek, kPeekClosing, kConnectSenders, kSending, kStoring, kReceiving, kDone };

  OfflineWorker(Fleet& f, std::uint64_t m) : Worker(f, 0), m_(m), seen_(m, 0) {
    sender_ = &add_client(kSender);
    receiver_ = &add_client(kReceiver);
    probe_ = &add_client(kProbe);
    step_ = f.opts.extended ? Step::kPeek : Step::kConnectSenders;
    step.store(step_);
  }

  std::atomic<Step> step{Step::kPeek};
  // Results, read after join.
  std::int64_t send_start = 0, stored_at = 0, auth_sent = 0, ok_at = 0, last_at = 0;
  std::uint64_t received = 0, duplicated = 0, out_of_order = 0, foreign = 0, acks = 0;
  std::int64_t resumed_from = -1;

 private:
  int tick_ms() const override { return 1; }

  void on_tick(std::int64_t now) override {
    switch (step_) {
      case Step::kPeek:  // learn the receiver's inbox head, then leave
        if (receiver_->phase == Client::Phase::kOff) connect(*receiver_);
        advance(Step::kPeekClosing);
        return;
      case Step::kPeekClosing:
        return;  // on_live closes it, on_gone moves on
      case Step::kConnectSenders:
        if (sender_->phase == Client::Phase::kOff && probe_->phase == Client::Phase::kOff) {
          connect(*sender_);
          connect(*probe_);
        }
        if (sender_->phase == Client::Phase::kLive && probe_->phase == Client::Phase::kLive) {
          send_start = now;
          advance(Step::kSending);
        }
        return;
      case Step::kSending:
        // Bounded output queue: TCP back-pressure from the server paces us.
        while (sent_ < m_ && sender_->ws->queued_bytes() < (1u << 20)) send(sent_++, now);
        if (sent_ == m_) {
          send(m_, now);  // the probe, to the online third user
          advance(Step::kStoring);
        }
        return;
      case Step::kStoring:
        if (probe_seen_ && (!fleet_.opts.extended || acks >= m_)) {
          stored_at = now;
          receiver_->resume_seq =
              fleet_.opts.extended
                  ? std::optional<std::int64_t>(std::max<std::int64_t>(resumed_from, 0))
                  : std::nullopt;
          connect(*receiver_);
          advance(Step::kReceiving);
        }
        return;
      case Step::kReceiving:
        if (received >= m_) advance(Step::kDone);
        return;
      case Step::kDone:
        return;
    }
  }

  void advance(Step s) {
    step_ = s;
    step.store(s);
  }

  void send(std::uint64_t index, std::int64_t now) {
    content_.clear();
    append_content(content_, Payload{fleet_.run_id, 0, index, now}, fleet_.opts.size);
    const std::string* to = &fleet_.accounts[index == m_ ? kProbe : kReceiver].name;
    // cids are unique per sender for ever (a reused one is a retry to the server): tag the run.
    std::string cid;
    if (fleet_.opts.extended) cid = std::to_string(fleet_.run_id) + "." + std::to_string(index);
    frame_.clear();
    append_normal_frame(frame_, content_, {to}, cid);
    sender_->ws->send_text(frame_);
  }

  void on_live(Client& c) override {
    if (&c == receiver_ && step_ == Step::kPeekClosing) {
      resumed_from = c.head_seq;
      c.phase = Client::Phase::kClosing;
      c.ws->close();
    }
    if (&c == receiver_ && step_ == Step::kReceiving) {
      auth_sent = c.auth_sent_ns;
      ok_at = c.live_ns;
    }
  }

  void on_gone(Client& c, bool clean, const char* why) override {
    bool peek_done = &c == receiver_ && step_ == Step::kPeekClosing;
    Worker::on_gone(c, clean, why);
    if (peek_done) advance(Step::kConnectSenders);
  }

  void on_frame(Client& c, std::string_view type, std::string_view text) override {
    if (type == "ack") {
      ++acks;
      return;
    }
    if (type != "normal") return;
    auto content = json_string_field(text, "content");
    Payload p;
    if (!content || !parse_content(*content, fleet_.run_id, p)) {
      ++foreign;
      return;
    }
    if (&c == probe_ && p.index == m_) {
      probe_seen_ = true;
      return;
    }
    if (&c != receiver_ || p.index >= m_) {
      ++foreign;
      return;
    }
    last_at = now_ns();
    if (seen_[p.index]++) {
      ++duplicated;
      return;
    }
    if (p.index != next_) ++out_of_order;
    next_ = p.index + 1;
    ++received;
  }

  std::uint64_t m_;
  std::vector<std::uint8_t> seen_;
  Client* sender_;
  Client* receiver_;
  Client* probe_;
  Step step_;
  std::uint64_t sent_ = 0, next_ = 0;
  bool probe_seen_ = false;
  std::string content_, frame_;
};

}  // namespace

void run_offline(const Options& o, Report& r) {
  std::uint64_t m = o.messages ? o.messages : 1000;
  r.add("messages", double(m));
  Fleet fleet(o, prepare_accounts(o, 3));
  OfflineWorker w(fleet, m);
  w.start();
  using Step = OfflineWorker::Step;
  // Generous bounds: storing is limited by the server, delivery by --drain.
  wait_for([&] { return w.step.load() >= Step::kReceiving || fleet.errors.total() > 0; },
           30 + double(m) / 1000);
  bool stored = w.step.load() >= Step::kReceiving;
  if (stored) {
    wait_for([&] { return w.step.load() == Step::kDone || fleet.errors.total() > 0; }, o.drain_s);
  }
  fleet.stop.store(true);
  w.join();

  auto ms = [](std::int64_t a, std::int64_t b) { return a && b ? double(b - a) / 1e6 : 0.0; };
  r.add("store_ms", ms(w.send_start, w.stored_at), 1);
  r.add("stored_per_s", w.stored_at ? double(m) / (ms(w.send_start, w.stored_at) / 1e3) : 0);
  if (o.extended) r.add("resume_from_seq", double(w.resumed_from));
  r.add("auth_to_ok_ms", ms(w.auth_sent, w.ok_at), 3);
  r.add("auth_to_last_ms", ms(w.auth_sent, w.last_at), 3);
  r.add("delivered", double(w.received));
  r.add("lost", double(m - std::min(m, w.received)));
  r.add("duplicated", double(w.duplicated));
  r.add("out_of_order", double(w.out_of_order));
  r.add("foreign", double(w.foreign));
  if (!stored) r.fail("the messages were never confirmed stored");
  if (w.received < m) r.fail(std::to_string(m - w.received) + " messages lost");
  if (w.duplicated) r.fail(std::to_string(w.duplicated) + " messages duplicated");
  if (w.out_of_order) r.fail(std::to_string(w.out_of_order) + " messages out of order");
  fleet.errors.report(r);
}

}  // namespace parley::bench
