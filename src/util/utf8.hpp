// SPDX-License-Identifier: MIT
// UTF-8 checks used on every text that crosses the network: validity (RFC 3629, no overlongs, no
// surrogates), length in code points, and control characters.
#pragma once
#include <cstddef>
#include <string_view>

namespace parley::util {

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// Number of code points in well-formed UTF-8 `s`.
std::size_t count_code_points(std::string_view s);

// True when `s` holds a C0/C1 control character or DEL.
bool has_control_chars(std::string_view s);

// True when well-formed UTF-8 `s` holds a character that changes how text around it looks
// without being seen: default-ignorable characters (zero-width U+200B..U+200F, U+2060..U+206F,
// U+FEFF, the soft hyphen, Hangul fillers, tags, ...) and bidirectional controls (U+061C,
// U+200E/F, U+202A..U+202E, U+2066..U+2069). Variation selectors pass (emoji). Refused in names
// and other text people read as someone's.
bool has_invisible_chars(std::string_view s);

// Incremental validator for text split across WebSocket fragments. Feed chunks in order; a
// sequence cut at a chunk boundary is carried over.
class Utf8Validator {
 public:
  bool feed(std::string_view chunk);  // false once the input can no longer be valid
  bool complete() const { return needed_ == 0; }
  void reset() { needed_ = 0, lower_ = 0x80, upper_ = 0xBF; }

 private:
  int needed_ = 0;
  unsigned char lower_ = 0x80, upper_ = 0xBF;
};

}  // namespace parley::util
