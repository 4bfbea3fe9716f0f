// SPDX-License-Identifier: MIT
#include "util/utf8.hpp"

namespace parley::util {

bool Utf8Validator::feed(std::string_view chunk) {
  for (unsigned char c : chunk) {
    if (needed_ == 0) {
      if (c < 0x80) continue;
      lower_ = 0x80, upper_ = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        needed_ = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        needed_ = 2;
        if (c == 0xE0) lower_ = 0xA0;  // overlong
        if (c == 0xED) upper_ = 0x9F;  // surrogates
      } else if (c >= 0xF0 && c <= 0xF4) {
        needed_ = 3;
        if (c == 0xF0) lower_ = 0x90;  // overlong
        if (c == 0xF4) upper_ = 0x8F;  // above U+10FFFF
      } else {
        return false;
      }
    } else {
      if (c < lower_ || c > upper_) return false;
      lower_ = 0x80, upper_ = 0xBF;
      --needed_;
    }
  }
  return true;
}

bool is_valid_utf8(std::string_view s) {
  Utf8Validator v;
  return v.feed(s) && v.complete();
}

std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool has_control_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size()) {
      auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0x9F) return true;
    }
  }
  return false;
}

bool has_invisible_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + n > s.size()) return false;
    char32_t cp = n == 1 ? c : char32_t(c & (0x7F >> n));
    for (std::size_t k = 1; k < n; ++k) cp = cp << 6 | char32_t(s[i + k] & 0x3F);
    i += n;
    // Default_Ignorable_Code_Point and Bidi_Control, but the variation selectors (U+FE00..FE0F,
    // U+E0100..E01EF), which only choose how an emoji is drawn.
    if (cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 ||
        cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
        (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 ||
        (cp >= 0xFFF0 && cp <= 0xFFF8) || (cp >= 0x1BCA0 && cp <= 0x1BCA3) ||
        (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE00FF) ||
        (cp >= 0xE01F0 && cp <= 0xE0FFF))
      return true;
  }
  return false;
}

}  // namespace parley::util
