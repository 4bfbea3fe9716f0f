// SPDX-License-Identifier: MIT
// Invariant checks for the fuzz targets: a failed check prints what broke and aborts, which
// libFuzzer reports as a crash (with the input saved as crash-<sha1>).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s\n  at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

// A check for a *known, still open* bug (listed in tests/fuzz/README.md). It is enforced only
// when PARLEY_FUZZ_STRICT=1 — as the ctest replay of tests/fuzz/regressions/ runs — so that long
// fuzzing runs keep exploring instead of stopping at the known bug over and over. Once the bug is
// fixed, turn it into a FUZZ_CHECK.
#define FUZZ_CHECK_KNOWN(cond)                \
  do {                                        \
    if (::parley::fuzz::strict()) FUZZ_CHECK(cond); \
  } while (0)

namespace parley::fuzz {

inline bool strict() {
  static const bool s = [] {
    const char* v = std::getenv("PARLEY_FUZZ_STRICT");
    return v && *v && *v != '0';
  }();
  return s;
}

inline std::string_view as_view(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A reference UTF-8 check written independently of util::Utf8Validator (decode, then range
// checks), for differential testing: RFC 3629, no overlongs, no surrogates, <= U+10FFFF.
inline bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned c = static_cast<unsigned char>(s[i]);
    int n;
    unsigned cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      unsigned d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr unsigned kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

// True when `s` can still be completed into valid UTF-8 (valid, or valid up to a truncated last
// sequence): tries every continuation shape the grammar allows.
inline bool reference_utf8_prefix(std::string_view s) {
  if (reference_utf8(s)) return true;
  static const char* kSecond[] = {"\x80", "\x8F", "\x90", "\x9F", "\xA0", "\xBF"};
  for (int missing = 1; missing <= 3; ++missing) {
    for (const char* second : kSecond) {
      std::string t(s);
      t += second;
      t.append(static_cast<std::size_t>(missing - 1), '\x80');
      if (reference_utf8(t)) return true;
    }
  }
  return false;
}

}  // namespace parley::fuzz
