// SPDX-License-Identifier: MIT
// Appends JSON string literals to a buffer. Hot path: every frame parley sends is built with it,
// so it writes straight into the caller's buffer instead of going through a DOM.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace parley::util {

// Appends `s` (valid UTF-8) as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view s);

// Appends `["a","b"]`.
void append_json_string_array(std::string& out, const std::vector<std::string>& items);

}  // namespace parley::util
