// SPDX-License-Identifier: MIT
#include "api/json_body.hpp"

namespace parley::api {
namespace json = boost::json;

std::optional<json::object> body_object(const protocol::HttpRequest& req) {
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 4;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

bool read_names(const json::value& v, std::size_t max, std::vector<std::string>& out) {
  if (!v.is_array() || v.get_array().size() > max) return false;
  for (const auto& n : v.get_array()) {
    if (!n.is_string() || n.get_string().empty() || n.get_string().size() > kMaxNameBytes)
      return false;
    out.emplace_back(n.get_string());
  }
  return true;
}

std::optional<std::string> string_member(const json::object& o, std::string_view key, bool& ok) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    ok = false;
    return std::nullopt;
  }
  return std::string(v->get_string());
}

}  // namespace parley::api
