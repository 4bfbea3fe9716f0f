// SPDX-License-Identifier: MIT
#include "net/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

namespace parley::net {
namespace {

std::string last_error() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  return buf;
}

}  // namespace

TlsContext::TlsContext(const std::string& cert_file, const std::string& key_file) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw std::runtime_error("TLS: " + last_error());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);  // idle connections keep no TLS buffers
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) {
    std::string e = last_error();
    SSL_CTX_free(ctx_);
    throw std::runtime_error("TLS certificate " + cert_file + ": " + e);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx_) != 1) {
    std::string e = last_error();
    SSL_CTX_free(ctx_);
    throw std::runtime_error("TLS key " + key_file + ": " + e);
  }
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

TlsSession::TlsSession(const TlsContext& ctx) {
  ssl_ = SSL_new(ctx.native());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
}

bool TlsSession::receive(std::string_view cipher, std::string& plain) {
  if (!cipher.empty() && BIO_write(in_, cipher.data(), int(cipher.size())) <= 0) return false;
  char buf[16384];
  for (;;) {
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      plain.append(buf, std::size_t(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    ERR_clear_error();
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
  }
}

bool TlsSession::send(std::string_view plain) {
  if (!SSL_is_init_finished(ssl_)) return false;
  while (!plain.empty()) {
    int n = SSL_write(ssl_, plain.data(), int(plain.size()));
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    plain.remove_prefix(std::size_t(n));
  }
  return true;
}

void TlsSession::take_output(std::string& cipher) {
  char buf[16384];
  int n;
  while ((n = BIO_read(out_, buf, sizeof buf)) > 0) cipher.append(buf, std::size_t(n));
}

bool TlsSession::has_output() const {
  return BIO_ctrl_pending(out_) > 0;
}
bool TlsSession::handshake_done() const {
  return SSL_is_init_finished(ssl_);
}

}  // namespace parley::net
