// SPDX-License-Identifier: MIT
// config::apply_yaml on arbitrary text. Its contract (config.hpp): apply the document or throw
// std::runtime_error naming the bad key — never crash, never throw anything else, never hang.
//
// Invariants checked:
//  - only std::runtime_error escapes (anything else propagates past libFuzzer: a crash);
//  - on success the limits it enforces hold (frame and body limits >= 1024, hash_concurrency
//    >= 1).
// Known open bugs (enforced with PARLEY_FUZZ_STRICT=1, see README.md):
//  - a raw YAML::Exception escapes for `password_hash: [a]` ("bad conversion", no key named);
//  - numbers are not range-checked: NaN/inf/negative rates, negative time-outs, negative or
//    overflowing token lifetimes are accepted.
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
    if (fuzz::strict()) std::fprintf(stderr, "raw YAML::Exception: %s\n", e.what());
    FUZZ_CHECK_KNOWN(false && "a raw YAML::Exception escaped apply_yaml");
    return 0;
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).substr(0, 7) == "config:");
    return 0;
  }
  const auto& l = c.limits;
  FUZZ_CHECK(l.max_frame_bytes >= 1024);
  FUZZ_CHECK(l.max_body_bytes >= 1024);
  FUZZ_CHECK(l.hash_concurrency >= 1);

  // What the server does with these values assumes they are sane.
  FUZZ_CHECK_KNOWN(std::isfinite(l.messages_per_second) && l.messages_per_second >= 0);
  FUZZ_CHECK_KNOWN(std::isfinite(l.message_burst) && l.message_burst >= 1);
  FUZZ_CHECK_KNOWN(l.auth_timeout_s > 0 && l.ping_interval_s > 0 && l.idle_timeout_s > 0);
  FUZZ_CHECK_KNOWN(l.login_failures_per_minute >= 0);
  FUZZ_CHECK_KNOWN(c.presence_delay_ms >= 0);
  // TokenSigner::issue computes now + token_lifetime_s in int64.
  FUZZ_CHECK_KNOWN(c.token_lifetime_s > 0 && c.token_lifetime_s <= (std::int64_t(1) << 40));
  return 0;
}
