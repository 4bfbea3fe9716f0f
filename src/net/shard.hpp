// SPDX-License-Identifier: MIT
// One network thread: an io_context, the connections pinned to it for life, and the index of
// its authenticated connections by user. Everything here runs on the shard's thread only, so
// nothing in it is locked; other threads reach it with `post`.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace parley::net {

class Connection;

class Shard {
 public:
  Shard(unsigned index, int tick_ms);
  ~Shard();

  unsigned index() const { return index_; }
  boost::asio::io_context& context() { return ioc_; }
  void start();  // runs the loop on a new thread
  void stop();   // stops the loop and joins
  bool in_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Connection bookkeeping (shard thread).
  void add(Connection* c);
  void remove(Connection* c);
  void attach_user(std::int64_t uid, Connection* c);
  void detach_user(std::int64_t uid, Connection* c);
  const std::vector<Connection*>* user_connections(std::int64_t uid) const;
  const std::vector<Connection*>& all() const { return all_; }

  // Connections with output queued in this loop iteration get one write each at its end.
  void schedule_flush(std::shared_ptr<Connection> c);

  // Delivered cursors are raised in the store in batches rather than per write.
  void note_delivered(std::int64_t uid, std::int64_t seq);
  // Sends the user's pending cursor now (a connection closed: its next login must not get the
  // same classic backlog again).
  void flush_delivered(std::int64_t uid);
  template <typename F>
  void set_delivered_sink(F&& f) {
    delivered_sink_ = std::forward<F>(f);
  }

  // A read buffer shared by all connections of the shard: idle connections hold none.
  std::string& scratch() { return scratch_; }

 private:
  void tick();
  void flush_all();
  void flush_delivered();

  unsigned index_;
  int tick_ms_;
  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer tick_timer_{ioc_};
  boost::asio::steady_timer delivered_timer_{ioc_};
  std::thread thread_;
  std::vector<Connection*> all_;
  std::unordered_map<std::int64_t, std::vector<Connection*>> users_;
  std::vector<std::shared_ptr<Connection>> dirty_;
  bool flush_posted_ = false;
  std::unordered_map<std::int64_t, std::int64_t> delivered_;
  bool delivered_armed_ = false;
  std::function<void(std::int64_t, std::int64_t)> delivered_sink_;
  std::string scratch_;
};

}  // namespace parley::net
