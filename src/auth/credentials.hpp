// SPDX-License-Identifier: MIT
// Validation of user names and passwords as the classic protocol defines them, counted in
// Unicode characters (the original's users are called 张三 and 孔雀大明王).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace parley::auth {

// 1-20 code points, valid UTF-8, no control characters, no leading/trailing ' '. What a login
// may name: accounts made before the stricter rules below keep their names.
bool is_valid_name(std::string_view name);
// The name a new account gets for what was typed: its NFC form, when that is a valid name with
// no invisible or bidi-control character (util::has_invisible_chars), no white space of any
// script at either end, and not starting with '~' (deleted accounts' names); nullopt otherwise.
std::optional<std::string> new_account_name(std::string_view typed);
// 3-20 code points, valid UTF-8, no control characters.
bool is_valid_password(std::string_view password);

}  // namespace parley::auth
