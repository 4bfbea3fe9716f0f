// SPDX-License-Identifier: MIT
// TLS for a connection without changing its I/O: OpenSSL runs over two memory BIOs, so the
// connection keeps reading and writing raw bytes on its socket and passes them through here.
// TlsContext is shared (any thread, read-only after start); a TlsSession belongs to one
// connection (its shard's thread only).
#pragma once
#include <memory>
#include <string>
#include <string_view>

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace parley::net {

class TlsContext {
 public:
  // Loads a PEM certificate chain and private key; throws std::runtime_error with the reason.
  TlsContext(const std::string& cert_file, const std::string& key_file);
  ~TlsContext();
  ssl_ctx_st* native() const { return ctx_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
};

class TlsSession {
 public:
  explicit TlsSession(const TlsContext& ctx);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext from the peer in; plaintext out (appended). False on a fatal TLS error or the
  // peer's close_notify.
  bool receive(std::string_view cipher, std::string& plain);
  // Plaintext to send in; false until the handshake is done (keep it and try again later).
  bool send(std::string_view plain);
  // Ciphertext to write to the socket (handshake records, data, alerts), appended.
  void take_output(std::string& cipher);
  bool has_output() const;
  bool handshake_done() const;

 private:
  ssl_st* ssl_ = nullptr;
  bio_st* in_ = nullptr;   // owned by ssl_
  bio_st* out_ = nullptr;  // owned by ssl_
};

}  // namespace parley::net
