// SPDX-License-Identifier: MIT
// config::apply_yaml on arbitrary text. Its contract (config.hpp): apply the document or throw
// std::runtime_error — never crash, never throw anything else, never hang.
//
// Invariants checked:
//  - only std::runtime_error escapes (anything else is rethrown past libFuzzer: a crash);
//  - on success the limits it enforces hold (frame and body limits >= 1024, hash_concurrency
//    >= 1).
//
// Set PARLEY_FUZZ_STRICT_CONFIG=1 to also refuse a raw yaml-cpp exception (YAML::Exception is a
// std::runtime_error, but its text does not name the bad key as apply_yaml promises).
#include <yaml-cpp/exceptions.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "fuzz_check.hpp"

using namespace parley;

namespace {

bool strict() {
  static const bool s = [] {
    const char* v = std::getenv("PARLEY_FUZZ_STRICT_CONFIG");
    return v && *v && *v != '0';
  }();
  return s;
}

// 0 = applied, 1 = refused with our own runtime_error, 2 = a raw yaml-cpp exception.
int apply(config::Config& c, const std::string& text) {
  try {
    config::apply_yaml(c, text);
    return 0;
  } catch (const YAML::Exception& e) {
    if (strict()) {
      std::fprintf(stderr, "raw YAML::Exception escaped apply_yaml: %s\n", e.what());
      std::abort();
    }
    return 2;
  } catch (const std::runtime_error&) {
    return 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  config::Config c;
  int verdict = apply(c, text);
  if (verdict == 0) {
    FUZZ_CHECK(c.limits.max_frame_bytes >= 1024);
    FUZZ_CHECK(c.limits.max_body_bytes >= 1024);
    FUZZ_CHECK(c.limits.hash_concurrency >= 1);
  }
  return 0;
}
