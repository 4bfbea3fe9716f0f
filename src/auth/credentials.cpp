// SPDX-License-Identifier: MIT
#include "auth/credentials.hpp"

#include "util/name_form.hpp"
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

std::optional<std::string> new_account_name(std::string_view typed) {
  if (!util::is_valid_utf8(typed)) return std::nullopt;
  auto name = util::to_nfc(typed);
  if (!name || !is_valid_name(*name) || name->front() == '~' || util::has_invisible_chars(*name) ||
      util::has_space_at_ends(*name))
    return std::nullopt;
  return name;
}

bool is_valid_password(std::string_view password) {
  return valid_text(password, 3, 20);
}

}  // namespace parley::auth
