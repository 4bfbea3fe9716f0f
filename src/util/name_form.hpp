// SPDX-License-Identifier: MIT
// The forms of a user name (ICU): NFC, the one a name is stored, shown and logged in by, and the
// key two names collide on when they look alike (NFKC + case folding, default ignorables
// dropped), so `Alice`, `ａｌｉｃｅ` and `alice` are one name. Any thread.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace parley::util {

// `utf8` in Normalization Form C; nullopt when it is not well-formed UTF-8.
std::optional<std::string> to_nfc(std::string_view utf8);

// The uniqueness key of a name: NFKC_Casefold of well-formed UTF-8 `name`.
std::string name_key(std::string_view name);

// True when the first or last character of well-formed UTF-8 `s` is white space of any script
// (U+00A0, U+3000, U+2000..U+200A, ...), not only ' '.
bool has_space_at_ends(std::string_view s);

}  // namespace parley::util
