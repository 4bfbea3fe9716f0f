// SPDX-License-Identifier: MIT
// config::apply_yaml on arbitrary text. Its contract (config.hpp): apply the document or throw
// std::runtime_error naming the bad key — never crash, never throw anything else, never hang.
//
// Invariants checked:
//  - only std::runtime_error starting "config:" escapes (anything else propagates past
//    libFuzzer: a crash);
//  - on success the limits it enforces hold (frame and body limits >= 1024, hash_concurrency
//    >= 1).
//  - no raw yaml-cpp exception escapes (regression: `password_hash: [a]` leaked "bad
//    conversion" without naming the key);
//  - the values the server relies on are sane: finite non-negative rates, positive time-outs,
//    a token lifetime that cannot overflow (regressions: NaN rates, negative time-outs and an
//    INT64_MAX lifetime used to be accepted).
// Note: yaml-cpp itself is Debian's (not instrumented), so coverage guidance only sees
// config.cpp; the target mostly checks the exception contract and the validation.
#include <yaml-cpp/exceptions.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "fuzz_check.hpp"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  config::Config c;
  try {
    config::apply_yaml(c, text);
  } catch (const YAML::Exception& e) {
    // A std::runtime_error too, but not one of apply_yaml's own ("config: ... '<key>'").
    std::fprintf(stderr, "raw YAML::Exception: %s\n", e.what());
    FUZZ_CHECK(false && "a raw YAML::Exception escaped apply_yaml");
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).substr(0, 7) == "config:");
    return 0;
  }
  const auto& l = c.limits;
  FUZZ_CHECK(l.max_frame_bytes >= 1024);
  FUZZ_CHECK(l.max_body_bytes >= 1024);
  FUZZ_CHECK(l.hash_concurrency >= 1);

  // What the server does with these values assumes they are sane.
  FUZZ_CHECK(std::isfinite(l.messages_per_second) && l.messages_per_second >= 0);
  FUZZ_CHECK(std::isfinite(l.message_burst) && l.message_burst >= 1);
  FUZZ_CHECK(l.auth_timeout_s > 0 && l.ping_interval_s > 0 && l.idle_timeout_s > 0);
  FUZZ_CHECK(l.login_failures_per_minute >= 0);
  FUZZ_CHECK(c.presence_delay_ms >= 0);
  // TokenSigner::issue computes now + token_lifetime_s in int64.
  FUZZ_CHECK(c.token_lifetime_s > 0 && c.token_lifetime_s <= (std::int64_t(1) << 40));
  return 0;
}
