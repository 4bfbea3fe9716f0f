// SPDX-License-Identifier: MIT
#include "hub/shard.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "hub/transport.hpp"
#include "util/clock.hpp"

namespace parley::hub {
namespace asio = boost::asio;

Shard::Shard(unsigned index, int tick_ms) : index_(index), tick_ms_(tick_ms) {
  scratch_.resize(64 * 1024);
}

Shard::~Shard() {
  stop();
}

void Shard::start() {
  tick();
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(ioc_);
    ioc_.run();
  });
}

void Shard::stop() {
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

void Shard::add(Transport* c) {
  c->shard_slot = std::uint32_t(all_.size());
  all_.push_back(c);
}

void Shard::remove(Transport* c) {
  auto slot = c->shard_slot;
  if (slot >= all_.size() || all_[slot] != c) return;
  all_[slot] = all_.back();
  all_[slot]->shard_slot = slot;
  all_.pop_back();
  c->shard_slot = UINT32_MAX;
}

void Shard::attach_user(std::int64_t uid, Session* c) {
  users_[uid].push_back(c);
}

void Shard::detach_user(std::int64_t uid, Session* c) {
  auto it = users_.find(uid);
  if (it == users_.end()) return;
  std::erase(it->second, c);
  if (it->second.empty()) users_.erase(it);
}

const std::vector<Session*>* Shard::user_sessions(std::int64_t uid) const {
  auto it = users_.find(uid);
  return it == users_.end() ? nullptr : &it->second;
}

std::vector<Session*> Shard::sessions() const {
  std::vector<Session*> out;
  for (const auto& [uid, list] : users_) out.insert(out.end(), list.begin(), list.end());
  return out;
}

void Shard::schedule_flush(std::shared_ptr<Transport> c) {
  dirty_.push_back(std::move(c));
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(ioc_, [this] { flush_all(); });
}

void Shard::flush_all() {
  flush_posted_ = false;
  auto batch = std::move(dirty_);
  dirty_.clear();
  for (auto& c : batch) c->flush();
}

void Shard::schedule_notice_flush(std::shared_ptr<Transport> c) {
  notices_.push_back(std::move(c));
  if (notice_armed_) return;
  notice_armed_ = true;
  notice_timer_.expires_after(std::chrono::milliseconds(kNoticeDelayMs));
  notice_timer_.async_wait([this](boost::system::error_code ec) {
    notice_armed_ = false;
    if (!ec) flush_notices();
  });
}

void Shard::flush_notices() {
  auto batch = std::move(notices_);
  notices_.clear();
  for (auto& c : batch) c->flush_notices();
}

void Shard::note_delivered(std::int64_t uid, std::int64_t seq) {
  auto& cur = delivered_[uid];
  cur = std::max(cur, seq);
  if (delivered_armed_) return;
  delivered_armed_ = true;
  delivered_timer_.expires_after(std::chrono::milliseconds(20));
  delivered_timer_.async_wait([this](boost::system::error_code ec) {
    delivered_armed_ = false;
    if (!ec) flush_delivered();
  });
}

void Shard::flush_delivered(std::int64_t uid) {
  auto it = delivered_.find(uid);
  if (it == delivered_.end()) return;
  if (delivered_sink_) delivered_sink_(uid, it->second);
  delivered_.erase(it);
}

void Shard::flush_delivered() {
  if (delivered_sink_)
    for (auto [uid, seq] : delivered_) delivered_sink_(uid, seq);
  delivered_.clear();
}

void Shard::tick() {
  std::int64_t now = util::mono_ms();
  // Copy: tick() may close connections, which edits all_.
  std::vector<Transport*> conns = all_;
  for (Transport* c : conns)
    if (c->shard_slot != UINT32_MAX) c->tick(now);
  tick_timer_.expires_after(std::chrono::milliseconds(tick_ms_));
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

std::shared_ptr<const std::string> Shard::site(std::string_view url) {
  if (!site_ || *site_ != url) site_ = std::make_shared<const std::string>(url);
  return site_;
}

}  // namespace parley::hub
