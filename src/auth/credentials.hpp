// SPDX-License-Identifier: MIT
// Validation of user names and passwords as the classic protocol defines them, counted in
// Unicode characters (the original's users are called 张三 and 孔雀大明王).
#pragma once
#include <string_view>

namespace parley::auth {

// 1-20 code points, valid UTF-8, no control characters, no leading/trailing white space.
bool is_valid_name(std::string_view name);
// 3-20 code points, valid UTF-8, no control characters.
bool is_valid_password(std::string_view password);

}  // namespace parley::auth
