// SPDX-License-Identifier: MIT
// Wall-clock and monotonic time in the units the protocol uses.
#pragma once
#include <chrono>
#include <cstdint>

namespace parley::util {

// Milliseconds since the Unix epoch (message timestamps).
inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Seconds since the Unix epoch (token iat/exp).
inline std::int64_t now_s() {
  return now_ms() / 1000;
}

// Monotonic milliseconds (time-outs, rate limits).
inline std::int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace parley::util
