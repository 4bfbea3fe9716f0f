// SPDX-License-Identifier: MIT
#include "auth/credentials.hpp"

#include "util/utf8.hpp"

namespace parley::auth {
namespace {

bool valid_text(std::string_view s, std::size_t min, std::size_t max) {
  if (!util::is_valid_utf8(s) || util::has_control_chars(s)) return false;
  auto n = util::count_code_points(s);
  return n >= min && n <= max;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (!valid_text(name, 1, 20)) return false;
  return name.front() != ' ' && name.back() != ' ';
}

bool is_valid_password(std::string_view password) {
  return valid_text(password, 3, 20);
}

}  // namespace parley::auth
