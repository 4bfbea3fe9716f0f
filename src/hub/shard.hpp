// SPDX-License-Identifier: MIT
// One network thread: an io_context, the connections (transports) pinned to it for life, the
// index of its authenticated sessions by user, and the list of connections to flush at the end
// of the loop turn. Everything here runs on the shard's thread only (except start/stop, called
// by the Server, and context()/in_thread(), any thread), so nothing in it is locked; other
// threads reach it with `post`.
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

namespace parley::hub {

class Session;
class Transport;

class Shard {
 public:
  Shard(unsigned index, int tick_ms);
  ~Shard();

  unsigned index() const { return index_; }
  boost::asio::io_context& context() { return ioc_; }
  void start();  // runs the loop on a new thread
  void stop();   // stops the loop and joins
  bool in_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Connection bookkeeping (shard thread): every open connection, HTTP or WebSocket.
  void add(Transport* t);
  void remove(Transport* t);
  const std::vector<Transport*>& all() const { return all_; }
  // Authenticated sessions by user (shard thread).
  void attach_user(std::int64_t uid, Session* s);
  void detach_user(std::int64_t uid, Session* s);
  const std::vector<Session*>* user_sessions(std::int64_t uid) const;
  // Every authenticated session of this shard, copied (the caller may close some).
  std::vector<Session*> sessions() const;

  // Connections with output queued in this loop iteration get one write each at its end
  // (shard thread).
  void schedule_flush(std::shared_ptr<Transport> t);
  // Output that can wait (read and typing notices): written with the connection's next other
  // output, or after kNoticeDelayMs at the latest. A notice rarely arrives alone at a busy
  // client, so this saves a write (and the client's wake-up) per notice (shard thread).
  void schedule_notice_flush(std::shared_ptr<Transport> t);
  static constexpr int kNoticeDelayMs = 20;

  // Delivered cursors are raised in the store in batches rather than per write (shard thread).
  void note_delivered(std::int64_t uid, std::int64_t seq);
  // Sends the user's pending cursor now (a connection closed: its next login must not get the
  // same classic backlog again).
  void flush_delivered(std::int64_t uid);
  template <typename F>
  void set_delivered_sink(F&& f) {
    delivered_sink_ = std::forward<F>(f);
  }

  // The site URL ("http://host:port") for a session (shard thread): the last one is shared,
  // since nearly every client of a server names the same host.
  std::shared_ptr<const std::string> site(std::string_view url);

  // A read buffer shared by all connections of the shard: idle connections hold none.
  std::string& scratch() { return scratch_; }

 private:
  void tick();
  void flush_all();
  void flush_notices();
  void flush_delivered();

  unsigned index_;
  int tick_ms_;
  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer tick_timer_{ioc_};
  boost::asio::steady_timer delivered_timer_{ioc_};
  boost::asio::steady_timer notice_timer_{ioc_};
  std::thread thread_;
  std::vector<Transport*> all_;
  std::unordered_map<std::int64_t, std::vector<Session*>> users_;
  std::vector<std::shared_ptr<Transport>> dirty_;
  bool flush_posted_ = false;
  std::vector<std::shared_ptr<Transport>> notices_;  // waiting for notice_timer_
  bool notice_armed_ = false;
  std::unordered_map<std::int64_t, std::int64_t> delivered_;
  bool delivered_armed_ = false;
  std::function<void(std::int64_t, std::int64_t)> delivered_sink_;
  std::string scratch_;
  std::shared_ptr<const std::string> site_;
};

}  // namespace parley::hub
