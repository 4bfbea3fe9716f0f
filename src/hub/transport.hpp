// SPDX-License-Identifier: MIT
// A client connection as the hub sees it: the narrow interface a Session and a Shard use, so
// the delivery core never depends on sockets, TLS or WebSocket framing. net::Connection
// implements it.
//
// Threading: every method runs on the thread of the shard that owns the connection.
// Lifetime: anchor() shares ownership of the object that implements this interface (and of the
// Session it holds); asynchronous work keeps a weak_ptr to it and drops its result when it is
// gone.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace parley::hub {

class Transport {
 public:
  virtual ~Transport() = default;

  // Queues one WebSocket text frame whose payload is `head` followed by `tail` (one copy into
  // the output buffer: message frames are a per-recipient head and a shared tail). Dropped
  // when the connection is closing.
  virtual void send_text(std::string_view head, std::string_view tail = {}) = 0;
  // Queues a frame that may wait for the connection's next other output, up to
  // Shard::kNoticeDelayMs (read and typing notices): one write for several.
  virtual void send_notice(std::string_view frame) = 0;
  // The frames queued so far carry the user's inbox up to `seq`: once they are on the wire the
  // transport reports it through Session::on_written.
  virtual void mark_seq(std::int64_t seq) = 0;
  // Output queued and not yet written, in bytes.
  virtual std::size_t queued_bytes() const = 0;
  // Drops the connection (on the next loop turn) when queued output plus the session's held
  // frames exceed the outbound limit: a client that does not read resumes from its inbox later.
  virtual void enforce_output_limit() = 0;
  // Sends a close frame and leaves the hub (the session ends before this returns).
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  virtual const std::string& peer_ip() const = 0;
  virtual std::weak_ptr<void> anchor() = 0;

  // Called by the shard: write what is queued (once per loop turn, see Shard::schedule_flush),
  // and the periodic checks (time-outs, pings).
  virtual void flush() = 0;
  // The notice delay is over: write what send_notice() left queued, unless written since.
  virtual void flush_notices() = 0;
  virtual void tick(std::int64_t now_ms) = 0;

  std::uint32_t shard_slot = 0;  // position in the shard's list, kept by the shard
};

}  // namespace parley::hub
